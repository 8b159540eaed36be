#include "ocirt/sys/bpf.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {
namespace {

long bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

uint64_t ptr(const void* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

}  // namespace

Fd bpf_prog_load(bpf_prog_type type, const std::vector<bpf_insn>& insns, const std::string& license) {
    auto load = [&](std::vector<char>* log) {
        bpf_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.prog_type = type;
        attr.insns = ptr(insns.data());
        attr.insn_cnt = static_cast<uint32_t>(insns.size());
        attr.license = ptr(license.c_str());
        if (log != nullptr) {
            attr.log_buf = ptr(log->data());
            attr.log_size = static_cast<uint32_t>(log->size());
            attr.log_level = 1;
        }
        return bpf(BPF_PROG_LOAD, attr);
    };
    // Without a log first: the verifier's log of a long program costs milliseconds and, when it
    // outgrows the buffer, fails the load. Only a refused program is loaded again for its log.
    long fd = load(nullptr);
    if (fd >= 0) return Fd(static_cast<int>(fd));
    const int err = errno;
    std::vector<char> log(256 * 1024, '\0');
    fd = load(&log);
    if (fd >= 0) return Fd(static_cast<int>(fd));
    std::string text(log.data());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (const auto nl = text.rfind('\n'); nl != std::string::npos) text = text.substr(nl + 1);  // the verdict
    if (text.empty()) throw_error_code(err, "bpf: load a program");
    throw_error_code(err, "bpf: load a program (verifier: {})", text);
}

void bpf_prog_attach(int cgroup_fd, int prog_fd, bpf_attach_type type, uint32_t flags) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    attr.attach_type = type;
    attr.attach_flags = flags;
    if (bpf(BPF_PROG_ATTACH, attr) < 0) throw_errno("bpf: attach a program to a cgroup");
}

void bpf_prog_detach(int cgroup_fd, int prog_fd, bpf_attach_type type) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    attr.attach_type = type;
    if (bpf(BPF_PROG_DETACH, attr) < 0) throw_errno("bpf: detach a program from a cgroup");
}

std::vector<uint32_t> bpf_prog_query(int cgroup_fd, bpf_attach_type type) {
    std::vector<uint32_t> ids(64);
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.query.attach_type = type;
    attr.query.prog_ids = ptr(ids.data());
    attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
    if (bpf(BPF_PROG_QUERY, attr) < 0) throw_errno("bpf: query the programs of a cgroup");
    ids.resize(attr.query.prog_cnt);
    return ids;
}

Fd bpf_prog_fd_by_id(uint32_t id) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.prog_id = id;
    const long fd = bpf(BPF_PROG_GET_FD_BY_ID, attr);
    if (fd >= 0) return Fd(static_cast<int>(fd));
    if (errno == ENOENT) return Fd();
    throw_errno("bpf: open program {}", id);
}

}  // namespace ocirt::sys
