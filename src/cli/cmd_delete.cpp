#include "ocirt/cli/command.hpp"

namespace ocirt::cli {
namespace {
int run_delete(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "delete [--force] <container-id>");
    runtime::delete_container(ctx.global, a.positionals()[0], a.has("force"));
    return 0;
}
}  // namespace

Command delete_command() {
    return {"delete", "delete a container", "delete [--force] <container-id>",
            "Removes a stopped (or created) container: runs its poststop hooks and removes its state.\n"
            "--force kills a running container first, and succeeds if the container does not exist.",
            {{"force", 'f', false, "kill the container if it is running"}}, false, run_delete};
}

}  // namespace ocirt::cli
