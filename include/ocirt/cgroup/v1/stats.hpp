#pragma once
/// A v1 cgroup's statistics in the shape of cgroup::Stats, so `events --stats` prints the same
/// JSON on every host: cpuacct.usage/stat and cpu.stat, memory.*_in_bytes and memory.stat,
/// pids.*, blkio.throttle.io_service_*, hugetlb.*, cpuset.effective_*.

#include "ocirt/cgroup/stats.hpp"
#include "ocirt/cgroup/v1/resources.hpp"

namespace ocirt::cgroup::v1 {

/// Reads the statistics of the cgroup's v1 directories.
Stats read_stats(const Dirs& dirs);
/// Parses blkio.throttle.io_service_bytes / io_serviced ("8:0 Read 4096" lines) into io.stat's
/// shape (rbytes/wbytes or rios/wios, by `read_key`/`write_key`), merging into `out`.
void parse_blkio_stat(const std::string& text, const char* read_key, const char* write_key, std::vector<IoStatEntry>& out);

}  // namespace ocirt::cgroup::v1
