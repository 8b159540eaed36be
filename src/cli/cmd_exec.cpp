#include "ocirt/cli/command.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cli {
namespace {

/// runc's status when the process could not be started (or waited for).
constexpr int kExecFailed = 255;

int run_exec(const Context& ctx, const ParsedArgs& a) {
    const auto& pos = a.positionals();
    if (pos.empty()) fail("\"exec\" requires a container ID (usage: ocirt exec [flags] <container-id> [command...])");
    runtime::ExecOptions o;
    o.id = pos[0];
    o.args.assign(pos.begin() + 1, pos.end());
    o.process_file = a.value("process").value_or("");
    o.tty = a.has("tty");
    o.console_socket = a.value("console-socket").value_or("");
    o.detach = a.has("detach");
    o.pid_file = a.value("pid-file").value_or("");
    o.env = a.values("env");
    o.cwd = a.value("cwd");
    o.user = a.value("user");
    for (const auto& g : a.values("additional-gids")) {
        const auto n = util::parse_uint(g);
        if (!n || *n > UINT32_MAX) fail("--additional-gids: \"{}\" is not a GID", g);
        o.additional_gids.push_back(static_cast<uint32_t>(*n));
    }
    o.caps = a.values("cap");
    o.no_new_privs = a.has("no-new-privs");
    o.preserve_fds = int_flag(a, "preserve-fds", 0);
    o.process_label = a.value("process-label");
    o.apparmor = a.value("apparmor");
    o.cgroups = a.values("cgroup");
    o.ignore_paused = a.has("ignore-paused");
    o.pidfd_socket = a.value("pidfd-socket").value_or("");
    try {
        return runtime::exec_in_container(ctx.global, o);
    } catch (const Error& e) {
        throw StatusError(e, kExecFailed);
    }
}
}  // namespace

Command exec_command() {
    return {"exec", "run another process in a running container", "exec [flags] <container-id> [command...]",
            "Joins every namespace of the container and runs the command (or the process in --process)\n"
            "with the container's environment, user and capabilities unless flags say otherwise. In the\n"
            "foreground it exits with the process's status; 255 when it could not be started (as runc).",
            {
                {"process", 'p', true, "a process.json to run instead of the command", "FILE"},
                {"tty", 't', false, "allocate a pseudo-terminal"},
                {"console-socket", 0, true, "unix socket that receives the pty master", "PATH"},
                {"detach", 'd', false, "return once the process has started"},
                {"pid-file", 0, true, "file to write the process's PID to", "PATH"},
                {"env", 'e', true, "set an environment variable (repeatable)", "KEY=VALUE"},
                {"cwd", 0, true, "working directory inside the container", "DIR"},
                {"user", 'u', true, "UID[:GID] to run as", "UID[:GID]"},
                {"additional-gids", 'g', true, "an additional group (repeatable)", "GID"},
                {"cap", 'c', true, "add a capability (repeatable)", "CAP"},
                {"no-new-privs", 0, false, "set no_new_privs for the process"},
                {"preserve-fds", 0, true, "pass N more fds (3 .. 3+N-1) to the process", "N"},
                {"process-label", 0, true, "SELinux label of the process (process.selinuxLabel)", "LABEL"},
                {"apparmor", 0, true, "AppArmor profile of the process (process.apparmorProfile)", "PROFILE"},
                {"cgroup", 0, true, "join this existing sub-cgroup of the container's cgroup", "[CONTROLLER:]PATH"},
                {"ignore-paused", 0, false, "allow exec in a paused container (the process starts frozen)"},
                {"pidfd-socket", 0, true, "unix socket that receives a pidfd of the new process", "PATH"},
            },
            true, run_exec};
}

}  // namespace ocirt::cli
