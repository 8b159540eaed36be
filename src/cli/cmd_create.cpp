#include "ocirt/cli/command.hpp"

namespace ocirt::cli {

/// The flags create and run share.
std::vector<FlagSpec> create_flags() {
    return {
        {"bundle", 'b', true, "path to the bundle directory (default: the current directory)", "DIR"},
        {"console-socket", 0, true, "unix socket that receives the pty master when process.terminal is true", "PATH"},
        {"pid-file", 0, true, "file to write the container process's PID to", "PATH"},
        {"preserve-fds", 0, true, "pass N more fds (3 .. 3+N-1) to the container", "N"},
        {"no-pivot", 0, false, "use MS_MOVE + chroot instead of pivot_root (for ramdisk roots)"},
        {"no-new-keyring", 0, false, "keep the caller's session keyring instead of a new one"},
        {"config", 'f', true, "read this file instead of <bundle>/config.json (crun)", "FILE"},
        {"pidfd-socket", 0, true, "unix socket that receives a pidfd of the container process", "PATH"},
        {"no-subreaper", 0, false, "run: do not become a subreaper (create: accepted, no effect, as crun)"},
    };
}

runtime::CreateOptions create_options(const ParsedArgs& a) {
    runtime::CreateOptions o;
    o.id = a.positionals().at(0);
    o.bundle = a.value("bundle").value_or(".");
    o.pid_file = a.value("pid-file").value_or("");
    o.console_socket = a.value("console-socket").value_or("");
    o.preserve_fds = int_flag(a, "preserve-fds", 0);
    o.no_pivot = a.has("no-pivot");
    o.no_new_keyring = a.has("no-new-keyring");
    o.config_file = a.value("config").value_or("");
    o.pidfd_socket = a.value("pidfd-socket").value_or("");
    o.no_subreaper = a.has("no-subreaper");
    return o;
}

namespace {
int run_create(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "create [flags] <container-id>");
    runtime::CreateOptions o = create_options(a);
    o.no_subreaper = false;  // create never waits for the container: crun accepts the flag and ignores it
    runtime::create_container(ctx.global, o);
    return 0;
}
}  // namespace

Command create_command() {
    return {"create", "create a container from a bundle and leave it waiting for start",
            "create [flags] <container-id>",
            "Reads <bundle>/config.json, builds the container (namespaces, rootfs, process set-up) and\n"
            "leaves its process waiting; `ocirt start` runs the program.",
            create_flags(), false, run_create};
}

}  // namespace ocirt::cli
