#include "ocirt/checkpoint/criu.hpp"

#include <cstdlib>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/sys/spawn.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::checkpoint {

std::optional<std::string> find_criu() {
    const char* path = std::getenv("PATH");
    for (const auto& dir : util::split(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ':')) {
        if (dir.empty()) continue;
        const std::string candidate = dir + "/criu";
        if (sys::is_executable(candidate)) return candidate;
    }
    return std::nullopt;
}

std::string first_error_line(const std::string& log_text) {
    std::string last, last_error;
    for (const auto& raw : util::split(log_text, '\n')) {
        std::string line = util::trim(raw);
        // CRIU's "(00.041715) " timestamp says nothing to the user.
        if (line.size() > 2 && line[0] == '(' && line.find(") ") != std::string::npos) line = line.substr(line.find(") ") + 2);
        if (line.empty()) continue;
        last = line;
        // The first error is the cause; the last one is CRIU's "Dumping FAILED." summary.
        if (line.find("Error") != std::string::npos && last_error.empty()) last_error = line;
    }
    const std::string& pick = last_error.empty() ? last : last_error;
    // One line, bounded: the log's own line may be long.
    return pick.size() > 300 ? pick.substr(0, 300) + "..." : pick;
}

CriuCheck check_criu() {
    CriuCheck c;
    const auto criu = find_criu();
    if (!criu) {
        c.reason = "criu not found on PATH";
        return c;
    }
    const auto env = sys::own_environment();
    try {
        const auto v = sys::spawn_and_wait(*criu, {*criu, "--version"}, env, "", 10);
        for (const auto& line : util::split(v.output, '\n'))
            if (util::starts_with(line, "Version:")) c.version = util::trim(line.substr(8));
        const auto r = sys::spawn_and_wait(*criu, {*criu, "check"}, env, "", 30);
        if (r.exit_code == 0) {
            c.usable = true;
        } else {
            const std::string err = first_error_line(r.output);
            c.reason = "criu check failed" + (err.empty() ? std::string() : ": " + err);
        }
    } catch (const Error& e) {
        c.reason = e.what();
    }
    return c;
}

void run_criu(const std::vector<std::string>& args, const std::string& log_path, sys::ToolLaunch launch) {
    const auto criu = find_criu();
    if (!criu) fail("criu not found on PATH; checkpoint and restore need CRIU (apt-get install criu)");
    launch.path = *criu;
    launch.argv = {*criu};
    launch.argv.insert(launch.argv.end(), args.begin(), args.end());
    if (launch.env.empty()) launch.env = sys::own_environment();
    const sys::ExitStatus st = sys::run_tool(launch);
    if (st.exited && st.code == 0) return;
    std::string detail;
    try {
        detail = first_error_line(sys::read_file(log_path, 64u << 20));
    } catch (const Error&) {
    }
    const std::string verb = args.empty() ? "" : args[0];
    const std::string how = st.exited ? "exit " + std::to_string(st.code) : "signal " + std::to_string(st.signal);
    fail("criu {} failed ({}){}; log: {}", verb, how, detail.empty() ? "" : ": " + detail, log_path);
}

}  // namespace ocirt::checkpoint
