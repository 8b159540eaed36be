#include <fmt/format.h>

#include "ocirt/cli/command.hpp"
#include "ocirt/spec/validate/validate.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {
namespace {

constexpr std::size_t kMaxConfigSize = 64u << 20;  // far above any real config; bounds memory

int run_validate(const Context&, const ParsedArgs& a) {
    require_positionals(a, 0, "validate [--bundle DIR | --config FILE] [--format text|json]");
    const auto bundle = a.value("bundle");
    const auto config = a.value("config");
    if (bundle && config) fail("--bundle and --config exclude each other");
    const std::string format = a.value("format").value_or("text");
    if (format != "text" && format != "json") fail("--format: expected text or json, got \"{}\"", format);

    // Diagnostics name the file as the user named it: "config.json" for the current bundle.
    const std::string path = config ? *config : bundle ? *bundle + "/config.json" : "config.json";
    const std::string text = sys::read_file(path, kMaxConfigSize);
    const auto report = spec::validate::validate_config_text(text, path);
    fmt::print("{}", format == "json" ? spec::validate::format_json(report) : spec::validate::format_text(report));
    return report.valid() ? 0 : 1;
}

}  // namespace

Command validate_command() {
    return {"validate", "check a config.json against runtime-spec 1.3.0",
            "validate [--bundle DIR | --config FILE] [--format text|json]",
            "Checks <bundle>/config.json (or FILE) without running anything: JSON syntax, the bundled\n"
            "runtime-spec 1.3.0 schema, and rules between fields (namespaces a sysctl needs, id mappings,\n"
            "mount options, seccomp actions...). Prints every problem as file:line:column: pointer: message,\n"
            "or \"<file>: valid (runtime-spec 1.3.0)\". Exits 0 if valid (warnings allowed), 1 otherwise.",
            {{"bundle", 'b', true, "bundle directory holding config.json (default: the current directory)", "DIR"},
             {"config", 'c', true, "config file to check instead of <bundle>/config.json", "FILE"},
             {"format", 'f', true, "text (default) or json: an array of {file, line, column, pointer, severity, message}",
              "FORMAT"}},
            false, run_validate};
}

}  // namespace ocirt::cli
