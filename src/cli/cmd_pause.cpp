#include "ocirt/cli/command.hpp"

namespace ocirt::cli {
namespace {
int run_pause(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "pause <container-id>");
    runtime::pause_container(ctx.global, a.positionals()[0]);
    return 0;
}
int run_resume(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "resume <container-id>");
    runtime::resume_container(ctx.global, a.positionals()[0]);
    return 0;
}
}  // namespace

Command pause_command() {
    return {"pause", "freeze every process of a container", "pause <container-id>",
            "Freezes all processes of a running (or created) container through its cgroup's\n"
            "cgroup.freeze; `state` then reports \"paused\". `resume` thaws them.",
            {}, false, run_pause};
}

Command resume_command() {
    return {"resume", "thaw a paused container", "resume <container-id>",
            "Thaws every process of a paused container; it is running (or created) again.", {}, false, run_resume};
}

}  // namespace ocirt::cli
