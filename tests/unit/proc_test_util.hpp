#pragma once
// Helpers for the process-attribute, spawn, hook and console tests: a temp dir, running a check
// in a forked child (for anything that changes the process irreversibly), /proc/self/status.

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace proc_test {

/// Exit code a child uses to say "cannot test here" (meson's skip code).
constexpr int kSkip = 77;

/// A fresh directory under $TMPDIR (or /tmp), removed with its content at the end.
struct ScratchDir {
    std::string path;
    ScratchDir() {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/ocirt-proc-XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ~ScratchDir() {
        const std::string cmd = "rm -rf '" + path + "'";
        if (std::system(cmd.c_str()) != 0) {
        }
    }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

/// Writes an executable file.
inline void write_script(const std::string& path, const std::string& text) {
    {
        std::ofstream f(path);
        f << text;
    }
    ::chmod(path.c_str(), 0755);
}

/// Reads a whole file ("" if missing).
inline std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

/// Runs `fn` in a forked child and returns its exit code (fn's return value; 99 if it threw,
/// 128+N if it died of signal N). The child never returns into Catch.
inline int in_child(const std::function<int()>& fn) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int rc = 99;
        try {
            rc = fn();
        } catch (...) {
            rc = 99;
        }
        ::_exit(rc);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

/// The value of a "Name:\tvalue" line of /proc/self/status ("" if absent).
inline std::string status_field(const std::string& name) {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.compare(0, name.size() + 1, name + ":") == 0) {
            std::string v = line.substr(name.size() + 1);
            const auto b = v.find_first_not_of(" \t");
            return b == std::string::npos ? "" : v.substr(b);
        }
    }
    return "";
}

/// A capability mask line of /proc/self/status (CapEff, CapPrm, CapInh, CapBnd, CapAmb).
inline uint64_t cap_mask(const std::string& name) { return std::stoull(status_field(name), nullptr, 16); }

/// The bit of capability `cap` in a mask.
constexpr uint64_t bit(int cap) { return uint64_t{1} << cap; }

/// True if this process has `cap` in its effective set (root in a container may lack some).
inline bool has_cap(int cap) { return (cap_mask("CapEff") & bit(cap)) != 0; }

}  // namespace proc_test
