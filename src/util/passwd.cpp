#include "ocirt/util/passwd.hpp"

#include <vector>

#include "ocirt/util/strings.hpp"

namespace ocirt::util {
namespace {
std::optional<std::vector<std::string>> entry_of(const std::string& text, uint32_t uid) {
    for (const auto& line : split(text, '\n')) {
        auto f = split(line, ':');
        if (f.size() < 7) continue;
        if (auto u = parse_uint(f[2]); u && *u == uid) return f;
    }
    return std::nullopt;
}
}  // namespace

std::optional<std::string> home_of_uid(const std::string& text, uint32_t uid) {
    auto e = entry_of(text, uid);
    if (!e) return std::nullopt;
    return (*e)[5];
}

std::optional<std::string> name_of_uid(const std::string& text, uint32_t uid) {
    auto e = entry_of(text, uid);
    if (!e) return std::nullopt;
    return (*e)[0];
}

}  // namespace ocirt::util
