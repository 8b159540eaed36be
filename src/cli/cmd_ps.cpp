#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "ocirt/cli/command.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {
namespace {

int run_ps(const Context& ctx, const ParsedArgs& a) {
    if (a.positionals().empty()) fail("\"ps\" requires at least 1 argument (usage: ocirt ps [flags] <container-id> [ps options])");
    const std::string& id = a.positionals()[0];
    const std::string format = a.value("format").value_or("table");
    if (format == "json") {
        if (a.positionals().size() > 1) fail("ps: ps options cannot be combined with --format json");
        fmt::print("{}\n", nlohmann::json(runtime::container_pids(ctx.global, id)).dump());
        return 0;
    }
    if (format != "table") fail("--format: expected table or json, got \"{}\"", format);
    const std::vector<std::string> ps_args(a.positionals().begin() + 1, a.positionals().end());
    fmt::print("{}", runtime::container_ps_table(ctx.global, id, ps_args));
    return 0;
}

}  // namespace

Command ps_command() {
    return {"ps", "list the processes of a container", "ps [flags] <container-id> [ps options]",
            "Lists the processes in the container's cgroup: as a JSON array of host PIDs with\n"
            "--format json, or as ps(1) prints them (default options -ef), keeping the lines\n"
            "whose PID column belongs to the container.",
            {{"format", 'f', true, "table or json", "FORMAT"}}, true, run_ps};
}

}  // namespace ocirt::cli
