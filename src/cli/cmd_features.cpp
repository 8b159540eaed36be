#include "ocirt/cli/command.hpp"
#include "ocirt/runtime/features.hpp"

namespace ocirt::cli {
namespace {
int run_features(const Context&, const ParsedArgs& a) {
    require_positionals(a, 0, "features");
    std::fputs((runtime::features_document().dump(4) + "\n").c_str(), stdout);
    return 0;
}
}  // namespace

Command features_command() {
    return {"features", "print the features this build of ocirt supports", "features",
            "Prints the runtime-spec features document (JSON): the spec versions, hooks, mount options,\n"
            "namespaces, capabilities and Linux extensions that ocirt recognises and applies.",
            {},
            false, run_features};
}

}  // namespace ocirt::cli
