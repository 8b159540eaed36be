#pragma once
/// Run a program to completion: fork + execve with an exact environment, stdin fed from a
/// string, stdout and stderr captured together (bounded), and an optional timeout after
/// which the program's process group is killed.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ocirt::sys {

/// How much of the combined stdout+stderr spawn_and_wait keeps; the rest is read and dropped.
constexpr size_t kSpawnOutputLimit = 64 * 1024;

/// The outcome of spawn_and_wait.
struct SpawnResult {
    int exit_code = -1;             ///< exit status when the program exited, else -1
    int signal = 0;                 ///< the signal that ended it, else 0
    bool timed_out = false;         ///< true if it was killed because the timeout passed
    std::string output;             ///< stdout and stderr interleaved, at most kSpawnOutputLimit bytes
    bool output_truncated = false;  ///< true if more output was produced than was kept
};

/// Runs `path` with `argv` (empty: {path}) and exactly `env`, writes `stdin_data` to its stdin
/// and then closes it, and waits. Every other fd is closed in the child, its signal mask and
/// dispositions are reset and it gets a process group of its own. With `timeout_seconds` the
/// group is sent SIGKILL once that many seconds have passed and the program reaped. Throws if
/// the program cannot be started (the errno of execve, e.g. ENOENT or EACCES).
SpawnResult spawn_and_wait(const std::string& path, const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, const std::string& stdin_data,
                           std::optional<int> timeout_seconds);

}  // namespace ocirt::sys
