#include <algorithm>
#include <cstdlib>

#include "ocirt/runtime/container.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/spawn.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::runtime {
namespace {

std::string find_ps() {
    const char* path = std::getenv("PATH");
    for (const auto& d : util::split(path ? path : "/usr/bin:/bin", ':'))
        if (!d.empty() && sys::is_executable(d + "/ps")) return d + "/ps";
    fail("ps: no ps program in PATH");
}

}  // namespace

std::string container_ps_table(const GlobalOptions& g, const std::string& id, const std::vector<std::string>& ps_args) {
    return with_context("ps " + id, [&] {
        const std::vector<int> pids = container_pids(g, id);
        const std::string ps = find_ps();
        std::vector<std::string> argv{"ps"};
        if (ps_args.empty())
            argv.emplace_back("-ef");
        else
            argv.insert(argv.end(), ps_args.begin(), ps_args.end());
        const char* path = std::getenv("PATH");
        const auto r = sys::spawn_and_wait(ps, argv, {std::string("PATH=") + (path ? path : "/usr/bin:/bin")}, "", 30);
        if (r.exit_code != 0) fail("ps {}: {}", util::join(argv, " "), util::trim(r.output));
        const auto lines = util::split(r.output, '\n');
        if (lines.empty()) fail("ps printed nothing");
        // As runc: the column titled PID says which lines belong to the container.
        size_t column = SIZE_MAX;
        std::vector<std::string> header;
        for (const auto& w : util::split(lines[0], ' '))
            if (!w.empty()) header.push_back(w);
        for (size_t i = 0; i < header.size(); ++i)
            if (header[i] == "PID") column = i;
        if (column == SIZE_MAX) fail("couldn't find PID field in ps output");
        std::string out = lines[0] + "\n";
        for (size_t i = 1; i < lines.size(); ++i) {
            std::vector<std::string> fields;
            for (const auto& w : util::split(lines[i], ' '))
                if (!w.empty()) fields.push_back(w);
            if (fields.size() <= column) continue;
            const auto pid = util::parse_int(fields[column]);
            if (pid && std::find(pids.begin(), pids.end(), *pid) != pids.end()) out += lines[i] + "\n";
        }
        return out;
    });
}

}  // namespace ocirt::runtime
