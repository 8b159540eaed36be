#include <array>
#include <utility>

#include "ocirt/spec/config.hpp"

namespace ocirt::spec {
namespace {
constexpr std::array<std::pair<NamespaceType, const char*>, 8> kNames{{
    {NamespaceType::user, "user"},
    {NamespaceType::pid, "pid"},
    {NamespaceType::network, "network"},
    {NamespaceType::ipc, "ipc"},
    {NamespaceType::uts, "uts"},
    {NamespaceType::mount, "mount"},
    {NamespaceType::cgroup, "cgroup"},
    {NamespaceType::time, "time"},
}};
}  // namespace

const char* namespace_type_name(NamespaceType t) {
    for (const auto& [type, name] : kNames)
        if (type == t) return name;
    return "?";
}

std::vector<std::string> namespace_type_names() {
    std::vector<std::string> out;
    for (const auto& entry : kNames) out.emplace_back(entry.second);
    return out;
}

std::optional<NamespaceType> parse_namespace_type(const std::string& name) {
    for (const auto& [type, n] : kNames)
        if (name == n) return type;
    return std::nullopt;
}

}  // namespace ocirt::spec
