#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "ocirt/cli/command.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {
namespace {

/// Pads columns like Go's tabwriter (min width 12, padding 3), as runc's list does.
std::string table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width;
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size(); ++i) {
            if (width.size() <= i) width.push_back(12);
            width[i] = std::max(width[i], r[i].size() + 3);
        }
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) line += i + 1 == r.size() ? r[i] : fmt::format("{:<{}}", r[i], width[i]);
        out += line + "\n";
    }
    return out;
}

int run_list(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 0, "list [flags]");
    const std::string format = a.value("format").value_or("table");
    if (format != "table" && format != "json") fail("--format: expected table or json, got \"{}\"", format);
    const auto states = runtime::list_containers(ctx.global);
    if (a.has("quiet")) {
        for (const auto& s : states) fmt::print("{}\n", s.id);
        return 0;
    }
    if (format == "json") {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& s : states) arr.push_back(spec::state_to_json(s));
        fmt::print("{}\n", arr.dump());
        return 0;
    }
    std::vector<std::vector<std::string>> rows{{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const auto& s : states)
        rows.push_back({s.id, std::to_string(s.pid), spec::status_name(s.status), s.bundle, s.created, s.owner});
    fmt::print("{}", table(rows));
    return 0;
}
}  // namespace

Command list_command() {
    return {"list", "list the containers under --root", "list [flags]",
            "Lists every container: a table (ID PID STATUS BUNDLE CREATED OWNER), JSON, or IDs only.",
            {{"format", 'f', true, "table or json", "FORMAT"}, {"quiet", 'q', false, "print only the IDs"}}, false,
            run_list};
}

}  // namespace ocirt::cli
