#include "ocirt/sys/identity.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "ocirt/sys/fd.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/procfs.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::sys {
namespace {

// Older <linux/prctl.h> may lack the ambient constants (Linux 4.3).
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

int checked_prctl(const char* what, int option, unsigned long a2 = 0, unsigned long a3 = 0, unsigned long a4 = 0,
                  unsigned long a5 = 0) {
    const int r = ::prctl(option, a2, a3, a4, a5);
    if (r < 0) throw_errno("prctl({})", what);
    return r;
}

rlim_t to_rlim(uint64_t v) { return v == UINT64_MAX ? RLIM_INFINITY : static_cast<rlim_t>(v); }
uint64_t from_rlim(rlim_t v) { return v == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(v); }

}  // namespace

void set_res_uid(uid_t real, uid_t effective, uid_t saved) {
    if (::setresuid(real, effective, saved) < 0) throw_errno("setresuid({}, {}, {})", real, effective, saved);
}

void set_res_gid(gid_t real, gid_t effective, gid_t saved) {
    if (::setresgid(real, effective, saved) < 0) throw_errno("setresgid({}, {}, {})", real, effective, saved);
}

void set_groups(const std::vector<gid_t>& groups) {
    if (::setgroups(groups.size(), groups.empty() ? nullptr : groups.data()) < 0)
        throw_errno("setgroups ({} groups)", groups.size());
}

std::vector<gid_t> get_groups() {
    const int n = ::getgroups(0, nullptr);
    if (n < 0) throw_errno("getgroups");
    std::vector<gid_t> groups(static_cast<size_t>(n));
    const int m = ::getgroups(n, groups.data());
    if (m < 0) throw_errno("getgroups");
    groups.resize(static_cast<size_t>(m));
    return groups;
}

bool setgroups_allowed() {
    Fd fd = try_open_at(AT_FDCWD, "/proc/self/setgroups", O_RDONLY);
    if (!fd) return true;  // kernels before 3.19 have no such switch
    const std::string v = with_context("/proc/self/setgroups", [&] { return read_fd(fd.get(), 64); });
    return util::trim(v) != "deny";
}

mode_t set_umask(mode_t mask) { return ::umask(mask); }

void set_rlimit(int resource, uint64_t soft, uint64_t hard) {
    const rlimit lim{to_rlim(soft), to_rlim(hard)};
    if (::prlimit(0, static_cast<__rlimit_resource>(resource), &lim, nullptr) < 0)
        throw_errno("setrlimit({}, soft {}, hard {})", resource, soft, hard);
}

std::pair<uint64_t, uint64_t> get_rlimit(int resource) {
    rlimit lim{};
    if (::prlimit(0, static_cast<__rlimit_resource>(resource), nullptr, &lim) < 0) throw_errno("getrlimit({})", resource);
    return {from_rlim(lim.rlim_cur), from_rlim(lim.rlim_max)};
}

void set_oom_score_adj(int value) {
    // Through a verified procfs: a fake /proc in the rootfs must not turn this into a no-op.
    const ProcFs proc = ProcFs::open("/proc");
    with_context(fmt::format("set oom_score_adj to {}", value),
                 [&] { proc.write_entry("self/oom_score_adj", std::to_string(value)); });
}

int get_oom_score_adj() {
    const std::string v = read_file("/proc/self/oom_score_adj", 64);
    const auto n = util::parse_int(util::trim(v));
    if (!n || *n < INT_MIN || *n > INT_MAX) fail("/proc/self/oom_score_adj: unexpected content {:?}", v);
    return static_cast<int>(*n);
}

void set_no_new_privs() { checked_prctl("PR_SET_NO_NEW_PRIVS", PR_SET_NO_NEW_PRIVS, 1); }

bool get_no_new_privs() { return checked_prctl("PR_GET_NO_NEW_PRIVS", PR_GET_NO_NEW_PRIVS) == 1; }

void set_keep_caps(bool on) { checked_prctl("PR_SET_KEEPCAPS", PR_SET_KEEPCAPS, on ? 1 : 0); }

bool get_keep_caps() { return checked_prctl("PR_GET_KEEPCAPS", PR_GET_KEEPCAPS) == 1; }

bool drop_bounding_cap(int cap) {
    if (::prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(cap), 0, 0, 0) == 0) return true;
    if (errno == EINVAL) return false;
    throw_errno("prctl(PR_CAPBSET_DROP, {})", cap);
}

bool bounding_has_cap(int cap) {
    const int r = ::prctl(PR_CAPBSET_READ, static_cast<unsigned long>(cap), 0, 0, 0);
    if (r >= 0) return r == 1;
    if (errno == EINVAL) return false;
    throw_errno("prctl(PR_CAPBSET_READ, {})", cap);
}

void clear_ambient_caps() {
    checked_prctl("PR_CAP_AMBIENT_CLEAR_ALL", PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
}

void raise_ambient_cap(int cap) {
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, static_cast<unsigned long>(cap), 0, 0) < 0)
        throw_errno("prctl(PR_CAP_AMBIENT_RAISE, {})", cap);
}

bool ambient_has_cap(int cap) {
    const int r = ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, static_cast<unsigned long>(cap), 0, 0);
    if (r < 0) throw_errno("prctl(PR_CAP_AMBIENT_IS_SET, {})", cap);
    return r == 1;
}

void set_dumpable(bool on) { checked_prctl("PR_SET_DUMPABLE", PR_SET_DUMPABLE, on ? 1 : 0); }

bool get_dumpable() { return checked_prctl("PR_GET_DUMPABLE", PR_GET_DUMPABLE) == 1; }

void set_hostname(const std::string& name) {
    if (::sethostname(name.data(), name.size()) < 0) throw_errno("sethostname {:?}", name);
}

void set_domainname(const std::string& name) {
    if (::setdomainname(name.data(), name.size()) < 0) throw_errno("setdomainname {:?}", name);
}

}  // namespace ocirt::sys
