#include <nlohmann/json.hpp>

#include "ocirt/cli/command.hpp"
#include "ocirt/runtime/default_spec.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {
namespace {
int run_spec(const Context&, const ParsedArgs& a) {
    require_positionals(a, 0, "spec [--bundle DIR] [--rootless]");
    const std::string path = a.value("bundle").value_or(".") + "/config.json";
    if (sys::exists(path)) fail("{} already exists; remove it first", path);
    spec::Config c = runtime::default_config();
    if (a.has("rootless")) runtime::make_rootless(c, sys::effective_uid(), sys::effective_gid());
    sys::write_file(path, spec::config_to_json(c).dump(2) + "\n", 0644);
    return 0;
}
}  // namespace

Command spec_command() {
    return {"spec", "write a default config.json", "spec [--bundle DIR] [--rootless]",
            "Writes a config.json that runs \"sh\" on a terminal in <bundle>/rootfs, with the usual mounts\n"
            "and namespaces and only fields ocirt applies, so `ocirt run` accepts it as it is. With --rootless,\n"
            "one an ordinary user runs as it is (runc's spec --rootless): a user namespace mapping root to\n"
            "the caller's uid and gid, no network namespace, /sys bound from the host, no resources.",
            {{"bundle", 'b', true, "directory to write config.json into (default: the current directory)", "DIR"},
             {"rootless", 0, false, "a config for a rootless container"}},
            false, run_spec};
}

}  // namespace ocirt::cli
