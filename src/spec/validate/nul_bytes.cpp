// One generic rule for every string of config.json: no NUL byte. JSON can carry "\u0000", but
// the kernel reads paths, arguments, environment entries, host names, mount options and
// sysctls as C strings and would silently cut them at the NUL, so "/etc\u0000/ignored" would
// mount on /etc. A policy layer that checked the whole string would have been bypassed.

#include <string_view>

#include "ocirt/spec/validate/semantic.hpp"

namespace ocirt::spec::validate {

namespace {

using nlohmann::json;

constexpr std::string_view kMessage = "contains a NUL byte (\\u0000): the kernel would cut the string there";

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// Depth-first walk; the parser bounds the depth (kMaxJsonDepth), so recursion is safe.
void walk(const json& value, InstancePath& path, std::vector<Finding>& out) {
    if (value.is_string()) {
        if (has_nul(value.get_ref<const std::string&>())) out.push_back(Finding{path, std::string(kMessage), false, false});
    } else if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            path.push_back(PathElem::member(key));
            if (has_nul(key)) out.push_back(Finding{path, "key " + std::string(kMessage), false, true});
            walk(member, path, out);
            path.pop_back();
        }
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            path.push_back(PathElem::element(i));
            walk(value[i], path, out);
            path.pop_back();
        }
    }
}

}  // namespace

std::vector<Finding> find_nul_bytes(const json& config) {
    std::vector<Finding> out;
    if (!config.is_object()) return out;
    InstancePath path;
    for (const auto& [key, member] : config.items()) {
        // Annotations are data for hooks and clients, passed on as JSON, never as C strings.
        if (key == "annotations") continue;
        path.push_back(PathElem::member(key));
        if (has_nul(key)) out.push_back(Finding{path, "key " + std::string(kMessage), false, true});
        walk(member, path, out);
        path.pop_back();
    }
    return out;
}

}  // namespace ocirt::spec::validate
