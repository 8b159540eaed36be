#include "ocirt/cli/command.hpp"

#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cli {

void require_positionals(const ParsedArgs& a, size_t n, const std::string& usage) {
    if (a.positionals().size() != n)
        fail("\"{}\" requires exactly {} argument{} (usage: ocirt {})", util::split(usage, ' ')[0], n, n == 1 ? "" : "s",
             usage);
}

int int_flag(const ParsedArgs& a, const std::string& name, int fallback) {
    const auto v = a.value(name);
    if (!v) return fallback;
    const auto n = util::parse_int(*v);
    if (!n || *n < 0 || *n > 1 << 20) fail("--{}: expected a non-negative number, got \"{}\"", name, *v);
    return static_cast<int>(*n);
}

}  // namespace ocirt::cli
