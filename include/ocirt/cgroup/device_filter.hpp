#pragma once
/// The device rule list compiled to a BPF_PROG_TYPE_CGROUP_DEVICE program, and installing it on
/// a cgroup (replacing, never stacking, the programs attached there before).

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "ocirt/cgroup/device_rules.hpp"

namespace ocirt::cgroup {

/// The program: rules are tried last to first, the first that matches returns its verdict
/// (1 allow, 0 deny); nothing matching returns 0. An allow rule matches when it grants every
/// bit of the requested access, a deny rule when it covers any of them.
std::vector<bpf_insn> compile_device_filter(const std::vector<DeviceRule>& rules);
/// Loads the program for `rules` and attaches it to the cgroup at `dir` (BPF_F_ALLOW_MULTI),
/// then detaches whatever was attached to that cgroup before.
void install_device_filter(const std::string& dir, const std::vector<DeviceRule>& rules);

}  // namespace ocirt::cgroup
