#pragma once
/// The bpf() system call, only as far as cgroup device programs need it: load a program,
/// attach it to a cgroup, list and detach what is attached there.

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// BPF_PROG_LOAD of a program of `type` under `license`; the verifier's log is in the error.
Fd bpf_prog_load(bpf_prog_type type, const std::vector<bpf_insn>& insns, const std::string& license);
/// BPF_PROG_ATTACH of `prog_fd` to the cgroup `cgroup_fd` (flags: BPF_F_ALLOW_MULTI ...).
void bpf_prog_attach(int cgroup_fd, int prog_fd, bpf_attach_type type, uint32_t flags);
/// BPF_PROG_DETACH of one program from a cgroup.
void bpf_prog_detach(int cgroup_fd, int prog_fd, bpf_attach_type type);
/// BPF_PROG_QUERY: the ids of the programs attached to the cgroup itself (not inherited).
std::vector<uint32_t> bpf_prog_query(int cgroup_fd, bpf_attach_type type);
/// BPF_PROG_GET_FD_BY_ID; an empty Fd if the program is gone (ENOENT).
Fd bpf_prog_fd_by_id(uint32_t id);

}  // namespace ocirt::sys
