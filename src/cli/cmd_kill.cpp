#include <signal.h>

#include "ocirt/cli/command.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {
namespace {
int run_kill(const Context& ctx, const ParsedArgs& a) {
    const size_t n = a.positionals().size();
    if (n < 1 || n > 2) fail("\"kill\" requires 1 or 2 arguments (usage: ocirt kill [--all] <container-id> [signal])");
    int sig = SIGTERM;
    if (n == 2) {
        // 0 sends nothing: kill(2)'s check that the process exists and may be signalled (runc).
        const std::string& name = a.positionals()[1];
        const auto parsed = name == "0" ? std::optional<int>(0) : sys::parse_signal(name);
        if (!parsed) fail("unknown signal \"{}\"", name);
        sig = *parsed;
    }
    runtime::kill_container(ctx.global, a.positionals()[0], sig, a.has("all"));
    return 0;
}
}  // namespace

Command kill_command() {
    return {"kill", "send a signal to a container's process", "kill [--all] <container-id> [signal]",
            "Sends SIGTERM, or the given signal (a name such as TERM, SIGKILL or a number), to the\n"
            "container's process; with --all to every process of the container. Signal 0 sends\n"
            "nothing and only checks that the process is there.",
            {{"all", 'a', false, "send the signal to every process of the container"}}, false, run_kill};
}

}  // namespace ocirt::cli
