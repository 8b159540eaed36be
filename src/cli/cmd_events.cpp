#include <cstdio>

#include <fmt/format.h>

#include "ocirt/cli/command.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cli {
namespace {

/// A Go-style duration as runc's --interval takes it: a number and ms, s, m or h ("5s").
int parse_interval_ms(const std::string& text) {
    size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    const auto n = util::parse_uint(text.substr(0, i));
    const std::string unit = text.substr(i);
    uint64_t scale = 0;
    if (unit == "ms") scale = 1;
    if (unit == "s") scale = 1000;
    if (unit == "m") scale = 60 * 1000;
    if (unit == "h") scale = 3600 * 1000;
    if (!n || scale == 0 || *n == 0 || *n * scale > (1u << 30))
        fail("--interval: expected a positive duration such as 500ms, 5s or 1m, got \"{}\"", text);
    return static_cast<int>(*n * scale);
}

int run_events(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "events [flags] <container-id>");
    const std::string& id = a.positionals()[0];
    const int interval = parse_interval_ms(a.value("interval").value_or("5s"));
    if (a.has("stats")) {
        fmt::print("{}\n", runtime::container_stats_event(ctx.global, id));
        return 0;
    }
    runtime::watch_container_events(ctx.global, id, interval, [](const std::string& line) {
        fmt::print("{}\n", line);
        std::fflush(stdout);
    });
    return 0;
}

}  // namespace

Command events_command() {
    return {"events", "print a container's resource statistics and OOM events", "events [flags] <container-id>",
            "Prints one JSON object a line: {\"type\":\"stats\",\"id\":...,\"data\":{...}} every --interval\n"
            "and {\"type\":\"oom\",\"id\":...} when the container's cgroup has an OOM kill, until the\n"
            "container stops. With --stats, prints one stats object and exits.",
            {{"stats", 0, false, "print the statistics once and exit"},
             {"interval", 0, true, "time between stats records (default 5s)", "DURATION"}},
            false, run_events};
}

}  // namespace ocirt::cli
