#pragma once
/// Checked wrappers for the calls that shape a process's identity and limits: user and group
/// ids, supplementary groups, umask, rlimits, oom_score_adj, the prctl switches for
/// capabilities and privileges, hostname and domainname. Each throws ocirt::Error on failure.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ocirt::sys {

/// setresuid(real, effective, saved).
void set_res_uid(uid_t real, uid_t effective, uid_t saved);
/// setresgid(real, effective, saved).
void set_res_gid(gid_t real, gid_t effective, gid_t saved);
/// setgroups(groups); an empty list clears the supplementary groups.
void set_groups(const std::vector<gid_t>& groups);
/// The supplementary groups of this process (getgroups).
std::vector<gid_t> get_groups();
/// False when /proc/self/setgroups says "deny" (a user namespace whose gid map was written
/// without CAP_SETGID in the parent namespace); setgroups then fails with EPERM.
bool setgroups_allowed();
/// Sets the file mode creation mask; returns the previous one. Cannot fail.
mode_t set_umask(mode_t mask);

/// prlimit on this process: sets soft and hard limit of `resource` (RLIMIT_*). The value
/// UINT64_MAX is RLIM_INFINITY.
void set_rlimit(int resource, uint64_t soft, uint64_t hard);
/// prlimit on this process: the current {soft, hard} of `resource`.
std::pair<uint64_t, uint64_t> get_rlimit(int resource);

/// Writes /proc/self/oom_score_adj.
void set_oom_score_adj(int value);
/// Reads /proc/self/oom_score_adj.
int get_oom_score_adj();

/// prctl(PR_SET_NO_NEW_PRIVS, 1): execve can no longer grant privileges. Irreversible.
void set_no_new_privs();
/// prctl(PR_GET_NO_NEW_PRIVS).
bool get_no_new_privs();
/// prctl(PR_SET_KEEPCAPS): keep the permitted set when all uids leave 0.
void set_keep_caps(bool on);
/// prctl(PR_GET_KEEPCAPS).
bool get_keep_caps();
/// prctl(PR_CAPBSET_DROP, cap). Returns false if the kernel does not know `cap` (EINVAL).
bool drop_bounding_cap(int cap);
/// prctl(PR_CAPBSET_READ, cap): whether `cap` is in the bounding set; false if unknown.
bool bounding_has_cap(int cap);
/// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL).
void clear_ambient_caps();
/// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap); the cap must be permitted and inheritable.
void raise_ambient_cap(int cap);
/// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap).
bool ambient_has_cap(int cap);
/// prctl(PR_SET_DUMPABLE).
void set_dumpable(bool on);
/// prctl(PR_GET_DUMPABLE).
bool get_dumpable();

/// sethostname (in the current UTS namespace).
void set_hostname(const std::string& name);
/// setdomainname (in the current UTS namespace).
void set_domainname(const std::string& name);

}  // namespace ocirt::sys
