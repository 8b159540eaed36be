#include "ocirt/cli/command.hpp"

namespace ocirt::cli {
namespace {
int run_start(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "start <container-id>");
    runtime::start_container(ctx.global, a.positionals()[0]);
    return 0;
}
}  // namespace

Command start_command() {
    return {"start", "run the program of a created container", "start <container-id>",
            "Lets the waiting container process exec its program, then runs the poststart hooks.", {}, false,
            run_start};
}

}  // namespace ocirt::cli
