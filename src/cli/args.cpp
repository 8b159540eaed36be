#include "ocirt/cli/args.hpp"

#include <fmt/format.h>

#include "ocirt/util/error.hpp"

namespace ocirt::cli {

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> ParsedArgs::values(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

namespace {
const FlagSpec* find_long(const std::vector<FlagSpec>& specs, const std::string& name) {
    for (const auto& s : specs)
        if (s.name == name) return &s;
    return nullptr;
}
const FlagSpec* find_short(const std::vector<FlagSpec>& specs, char c) {
    for (const auto& s : specs)
        if (s.short_name == c) return &s;
    return nullptr;
}
}  // namespace

ParsedArgs parse_args(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args, size_t start,
                      bool stop_at_positional) {
    ParsedArgs out;
    bool flags_done = false;
    for (size_t i = start; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (flags_done || a.size() < 2 || a[0] != '-') {
            out.positionals_.push_back(a);
            if (stop_at_positional) flags_done = true;
            continue;
        }
        if (a == "--") {
            flags_done = true;
            continue;
        }
        const FlagSpec* spec = nullptr;
        std::optional<std::string> inline_value;
        std::string shown;
        if (a[1] == '-' || a.size() > 2) {
            // "--name", "--name=value", and Go-style single-dash long flags ("-all").
            std::string body = a.substr(a[1] == '-' ? 2 : 1);
            const auto eq = body.find('=');
            if (eq != std::string::npos) {
                inline_value = body.substr(eq + 1);
                body = body.substr(0, eq);
            }
            spec = find_long(specs, body);
            shown = "--" + body;
        } else {
            spec = find_short(specs, a[1]);
            shown = a;
        }
        if (spec == nullptr) fail("unknown flag {}", shown);
        if (!spec->takes_value) {
            if (inline_value && *inline_value != "true") {
                if (*inline_value == "false") continue;
                fail("flag {} takes no value", shown);
            }
            out.values_[spec->name].push_back("true");
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= args.size()) fail("flag {} needs a value", shown);
            inline_value = args[++i];
        }
        out.values_[spec->name].push_back(*inline_value);
    }
    return out;
}

std::string flags_help(const std::vector<FlagSpec>& specs) {
    std::string out;
    for (const auto& s : specs) {
        if (s.hidden) continue;
        std::string left = "--" + s.name;
        if (s.short_name != 0) left += fmt::format(", -{}", s.short_name);
        if (s.takes_value) left += " " + s.value_name;
        out += fmt::format("   {:<32} {}\n", left, s.help);
    }
    return out;
}

}  // namespace ocirt::cli
