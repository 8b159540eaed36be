#include "ocirt/cli/command.hpp"

namespace ocirt::cli {

std::vector<FlagSpec> create_flags();
runtime::CreateOptions create_options(const ParsedArgs& a);

namespace {
int run_run(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "run [flags] <container-id>");
    runtime::RunOptions o;
    o.create = create_options(a);
    o.detach = a.has("detach");
    o.keep = a.has("keep");
    // Only the foreground waits for the container; detached, there is no subreaper to give up.
    if (o.detach) o.create.no_subreaper = false;
    return runtime::run_container(ctx.global, o);
}
}  // namespace

Command run_command() {
    auto flags = create_flags();
    flags.push_back({"detach", 'd', false, "start the container and return at once"});
    flags.push_back({"keep", 0, false, "do not delete the container after it exits"});
    return {"run", "create and start a container, and wait for it",
            "run [flags] <container-id>",
            "create + start. In the foreground ocirt forwards signals to the container, proxies its\n"
            "terminal when process.terminal is true and no --console-socket is given, exits with the\n"
            "container process's status (128+N if killed by signal N) and deletes it unless --keep.",
            flags, false, run_run};
}

}  // namespace ocirt::cli
