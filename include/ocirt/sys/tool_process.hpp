#pragma once
/// Run a helper tool (CRIU) that must see the caller's stdio and chosen fds, optionally from
/// inside a cgroup and a private mount namespace with one recursive bind mount made for it.

#include <string>
#include <utility>
#include <vector>

#include "ocirt/sys/process.hpp"

namespace ocirt::sys {

/// How run_tool starts the program.
struct ToolLaunch {
    std::string path;                         ///< the program
    std::vector<std::string> argv;            ///< argv[0] included
    std::vector<std::string> env;             ///< its exact environment
    std::vector<std::pair<int, int>> fds;     ///< {fd here, fd number in the child}, beside 0..2
    std::vector<int> cgroup_procs_fds;        ///< the child joins each of these cgroup.procs first
    std::string bind_source;                  ///< if set: new mount ns, / made rslave, then
    std::string bind_target;                  ///< bind_source rbind-mounted on bind_target
};

/// Forks, sets the child up as `l` says (stdio inherited, every other fd closed at exec, the
/// signal mask and dispositions reset), execs and waits. Throws naming the step that failed in
/// the child (join the cgroup, the mount namespace, the bind mount, exec).
ExitStatus run_tool(const ToolLaunch& l);

}  // namespace ocirt::sys
