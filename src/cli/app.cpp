#include "ocirt/cli/app.hpp"

#include <seccomp.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "ocirt/cli/command.hpp"
#include "version.hpp"
#include "ocirt/runtime/init_stage.hpp"
#include "ocirt/runtime/rootless.hpp"
#include "ocirt/spec/state.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cli {
namespace {

constexpr const char* kVersion = "0.1.0";

std::vector<Command> command_table() {
    return {create_command(), start_command(), run_command(),  state_command(), kill_command(),
            delete_command(), list_command(),  exec_command(), spec_command(), validate_command(), features_command(),
            pause_command(),  resume_command(), update_command(), events_command(), ps_command(),
            checkpoint_command(), restore_command()};
}

std::vector<FlagSpec> global_flags() {
    return {
        {"root", 0, true, "directory for container state (default: /run/ocirt; rootless: $XDG_RUNTIME_DIR/ocirt)", "DIR"},
        {"log", 0, true, "write log records to FILE (default: stderr)", "FILE"},
        {"log-format", 0, true, "text or json", "FORMAT"},
        {"debug", 0, false, "log debug records too"},
        {"trace", 0, true, "append a JSON line per startup phase to FILE (also OCIRT_TRACE; docs/trace.md)", "FILE"},
        {"systemd-cgroup", 0, false, "cgroupsPath is in systemd's slice:prefix:name form"},
        {"cgroup-manager", 0, true, "cgroupfs (default), systemd (= --systemd-cgroup) or disabled (no cgroup; crun)",
         "MANAGER"},
        {"rootless", 0, true, "true, false or auto (default: rootless when not root or in a user namespace without host root)", "VALUE"},
        {"version", 'v', false, "print the version"},
        {"help", 'h', false, "print this help"},
    };
}

/// runc's layout, which clients parse: the first line "<name> version X", then "key: value"
/// lines (runc also prints "go: ...", which has no counterpart here).
std::string version_text() {
    const scmp_version* v = seccomp_version();
    return fmt::format("ocirt version {}\ncommit: {}\nspec: {}\nlibseccomp: {}.{}.{}\n", kVersion, kGitCommit,
                       spec::kOciVersion, v->major, v->minor, v->micro);
}

/// runc's --rootless: strconv.ParseBool's words, or "auto" (also the empty value).
runtime::Rootless parse_rootless(const std::string& text) {
    if (text.empty() || text == "auto") return runtime::Rootless::auto_detect;
    for (const char* t : {"1", "t", "T", "true", "TRUE", "True"})
        if (text == t) return runtime::Rootless::yes;
    for (const char* f : {"0", "f", "F", "false", "FALSE", "False"})
        if (text == f) return runtime::Rootless::no;
    fail("--rootless: expected true, false or auto, got \"{}\"", text);
}

/// --trace FILE or OCIRT_TRACE=FILE (docs/trace.md). The flag was asked for on this command
/// line: a file that cannot be opened fails the command, as --log does. The variable is
/// inherited by every ocirt an engine starts: it only warns, since a diagnostic must not stop
/// containers.
void open_trace(const ParsedArgs& global) {
    if (const auto path = global.value("trace")) {
        with_context("--trace", [&] { sys::trace::open_file(*path); });
        return;
    }
    const char* env = std::getenv("OCIRT_TRACE");
    if (env == nullptr || *env == '\0') return;
    try {
        sys::trace::open_file(env);
    } catch (const Error& e) {
        log::warn("OCIRT_TRACE: {}; not tracing", e.what());
    }
}

/// The global cgroup flags: --systemd-cgroup, and crun's --cgroup-manager.
void set_cgroup_manager(const ParsedArgs& global, runtime::GlobalOptions& g) {
    g.systemd_cgroup = global.has("systemd-cgroup");
    const auto manager = global.value("cgroup-manager");
    if (!manager || *manager == "cgroupfs") return;
    if (*manager == "systemd")
        g.systemd_cgroup = true;
    else if (*manager == "disabled")
        g.no_cgroup = true;
    else
        fail("--cgroup-manager: expected cgroupfs, systemd or disabled, got \"{}\"", *manager);
    if (g.no_cgroup && g.systemd_cgroup) fail("--cgroup-manager=disabled: conflicts with --systemd-cgroup");
}

std::string main_help(const std::vector<Command>& cmds) {
    std::string out = "ocirt: an OCI runtime (runtime-spec " + std::string(spec::kOciVersion) +
                      ")\n\nUsage: ocirt [global flags] <command> [flags] [arguments]\n\nCommands:\n";
    for (const auto& c : cmds) out += fmt::format("   {:<10} {}\n", c.name, c.summary);
    out += "\nGlobal flags:\n" + flags_help(global_flags());
    out += "\nRun `ocirt <command> --help` for a command's flags.\n";
    return out;
}

std::string command_help(const Command& c) {
    std::string out = fmt::format("Usage: ocirt {}\n\n{}\n", c.usage, c.description);
    if (!c.flags.empty()) out += "\nFlags:\n" + flags_help(c.flags);
    return out;
}

bool wants_help(const std::vector<std::string>& args, size_t from, const Command& c) {
    for (size_t i = from; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") return true;
        if (a.empty() || a[0] != '-') {
            if (c.stop_at_positional) return false;
            continue;
        }
    }
    return false;
}

void report(const Error& e) {
    const std::string msg = e.what();
    if (log::to_file()) log::error("{}", msg);
    if (!log::to_file() && log::format() == log::Format::json)
        log::error("{}", msg);
    else
        std::fprintf(stderr, "ocirt: %s\n", msg.c_str());
}

int dispatch(const std::vector<std::string>& args) {
    const auto cmds = command_table();
    const ParsedArgs global = parse_args(global_flags(), args, 1, true);
    const std::string log_format = global.value("log-format").value_or("text");
    if (log_format != "text" && log_format != "json") {
        log::configure("", log::Format::text, false);
        fail("--log-format: expected text or json, got \"{}\"", log_format);
    }
    log::configure(global.value("log").value_or(""), log_format == "json" ? log::Format::json : log::Format::text,
                   global.has("debug"));
    if (global.has("version")) {
        fmt::print("{}", version_text());
        return 0;
    }
    if (global.positionals().empty() || global.has("help") || global.positionals()[0] == "help") {
        fmt::print("{}", main_help(cmds));
        return global.positionals().empty() && !global.has("help") ? 1 : 0;
    }
    // Find where the command name sits in argv, after the global flags.
    const std::string& name = global.positionals()[0];
    size_t cmd_index = 1;
    for (size_t i = 1; i < args.size(); ++i)
        if (args[i] == name) {
            cmd_index = i;
            break;
        }
    for (const auto& c : cmds) {
        if (c.name != name) continue;
        if (wants_help(args, cmd_index + 1, c)) {
            fmt::print("{}", command_help(c));
            return 0;
        }
        Context ctx;
        ctx.global.rootless = parse_rootless(global.value("rootless").value_or("auto"));
        ctx.global.root = global.value("root").value_or(runtime::default_state_root());
        set_cgroup_manager(global, ctx.global);
        open_trace(global);
        // The whole command, named after it ("create", "start"...): its parts are spans inside.
        sys::trace::Span span(c.name.c_str());
        const ParsedArgs parsed = parse_args(c.flags, args, cmd_index + 1, c.stop_at_positional);
        return c.run(ctx, parsed);
    }
    fail("unknown command \"{}\" (see ocirt --help)", name);
}

}  // namespace

int run_app(int argc, char** argv) {
    // The init stage speaks only to its parent over the sync socket.
    if (argc == 3 && std::string(argv[1]) == "init") {
        const auto fd = util::parse_int(argv[2]);
        if (fd && *fd > 2) runtime::init_main(static_cast<int>(*fd));
        std::fprintf(stderr, "ocirt: init is internal to ocirt\n");
        return 1;
    }
    const std::vector<std::string> args(argv, argv + argc);
    try {
        return dispatch(args);
    } catch (const StatusError& e) {
        report(e);
        return e.status();
    } catch (const Error& e) {
        report(e);
    } catch (const std::exception& e) {
        report(Error(0, e.what()));
    }
    return 1;
}

}  // namespace ocirt::cli
