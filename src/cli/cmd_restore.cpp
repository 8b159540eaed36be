#include "ocirt/cli/command.hpp"
#include "ocirt/runtime/checkpoint.hpp"

namespace ocirt::cli {

checkpoint::CriuOptions criu_options(const ParsedArgs& a);
std::vector<FlagSpec> criu_common_flags();

namespace {
int run_restore(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "restore [flags] <container-id>");
    runtime::RestoreOptions o;
    o.id = a.positionals()[0];
    o.criu = criu_options(a);
    o.bundle = a.value("bundle").value_or(".");
    o.detach = a.has("detach");
    o.pid_file = a.value("pid-file").value_or("");
    o.console_socket = a.value("console-socket").value_or("");
    o.no_pivot = a.has("no-pivot");
    o.no_subreaper = a.has("no-subreaper");
    return runtime::restore_container(ctx.global, o);
}
}  // namespace

Command restore_command() {
    auto flags = criu_common_flags();
    flags.push_back({"bundle", 'b', true, "path to the root of the bundle directory (default: .)", "DIR"});
    flags.push_back({"detach", 'd', false, "detach from the container's process"});
    flags.push_back({"pid-file", 0, true, "write the restored process's PID to FILE", "FILE"});
    flags.push_back({"console-socket", 0, true, "refused: terminals are not restored", "PATH"});
    flags.push_back({"no-pivot", 0, false, "accepted for runc's sake; CRIU sets up the root itself"});
    flags.push_back({"no-subreaper", 0, false, "do not become a subreaper in the foreground"});
    return {"restore", "restore a container from a CRIU checkpoint", "restore [flags] <container-id>",
            "Restores a container checkpointed with `checkpoint`: a new state dir and cgroup, the\n"
            "bundle's rootfs and bind mounts given to `criu restore`, then the prestart,\n"
            "createRuntime and poststart hooks. A stopped container of the same ID is replaced.\n"
            "In the foreground ocirt waits as `run` does and deletes the container after it exits.",
            flags, false, run_restore};
}

}  // namespace ocirt::cli
