#include <nlohmann/json.hpp>

#include "ocirt/cli/command.hpp"
#include "ocirt/runtime/default_spec.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {
namespace {
int run_spec(const Context&, const ParsedArgs& a) {
    require_positionals(a, 0, "spec [--bundle DIR]");
    const std::string path = a.value("bundle").value_or(".") + "/config.json";
    if (sys::exists(path)) fail("{} already exists; remove it first", path);
    sys::write_file(path, spec::config_to_json(runtime::default_config()).dump(2) + "\n", 0644);
    return 0;
}
}  // namespace

Command spec_command() {
    return {"spec", "write a default config.json", "spec [--bundle DIR]",
            "Writes a config.json that runs \"sh\" on a terminal in <bundle>/rootfs, with the usual mounts\n"
            "and namespaces and only fields ocirt applies, so `ocirt run` accepts it as it is.",
            {{"bundle", 'b', true, "directory to write config.json into (default: the current directory)", "DIR"}},
            false, run_spec};
}

}  // namespace ocirt::cli
