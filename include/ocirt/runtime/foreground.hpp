#pragma once
/// Waiting in the foreground for a container's (or exec'd) process, as `run` and `exec` do:
/// signals forwarded to it, its terminal proxied to ours, its exit status returned.

#include <sys/types.h>

#include <vector>

#include "ocirt/sys/fd.hpp"
#include "ocirt/sys/process.hpp"

namespace ocirt::runtime {

/// The signals a foreground ocirt blocks (before it starts anything, so none is lost) and then
/// forwards or handles.
std::vector<int> foreground_signals();

/// Waits until `pid` (our child: we are its subreaper) exits; forwards signals read from
/// `sigfd`, proxies `console_master` (if valid) to our stdin/stdout, reaps other orphans.
sys::ExitStatus wait_foreground(pid_t pid, int sigfd, sys::Fd console_master);

}  // namespace ocirt::runtime
