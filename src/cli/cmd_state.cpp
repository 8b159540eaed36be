#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "ocirt/cli/command.hpp"

namespace ocirt::cli {
namespace {
int run_state(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "state <container-id>");
    const auto s = runtime::container_state(ctx.global, a.positionals()[0]);
    fmt::print("{}\n", spec::state_to_json(s).dump(2));
    return 0;
}
}  // namespace

Command state_command() {
    return {"state", "print the state of a container as JSON", "state <container-id>",
            "Prints the OCI state document (ociVersion, id, status, pid, bundle, annotations) plus\n"
            "runc's rootfs, created and owner fields.",
            {}, false, run_state};
}

}  // namespace ocirt::cli
