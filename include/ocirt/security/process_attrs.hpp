#pragma once
/// The identity and limits of the container process, applied inside the init stage: rlimits,
/// umask, oom_score_adj, user and groups, and finalize_identity, which drops privileges in the
/// one order that works (the order of runc's finalizeNamespace).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/security/capabilities.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::security {

/// The RLIMIT_* number for "RLIMIT_NOFILE" etc.; nullopt if not a Linux rlimit name.
std::optional<int> rlimit_from_name(const std::string& name);
/// Validates rlimits up front (in the parent): known type, no type twice, soft <= hard. Errors
/// name the JSON path: `/process/rlimits/2/type: unknown rlimit "RLIMIT_FOO"`.
void check_rlimits(const std::vector<spec::Rlimit>& rlimits);
/// Checks as check_rlimits does, then sets each limit on this process.
void apply_rlimits(const std::vector<spec::Rlimit>& rlimits);
/// Sets the umask; absent means 0022, as runc does.
void apply_umask(std::optional<uint32_t> umask);
/// Writes /proc/self/oom_score_adj if set (-1000..1000); absent leaves it unchanged.
void apply_oom_score_adj(std::optional<int32_t> value);
/// Sets PR_SET_NO_NEW_PRIVS if `on`.
void apply_no_new_privileges(bool on);
/// Switches to the user: supplementary groups (additionalGids, an empty list clears the host's),
/// then the gid, then the uid.
void apply_user(const spec::User& user);

/// rlimits, oom_score_adj and umask of `process`. Call it before finalize_identity: raising a
/// hard limit and lowering oom_score_adj need CAP_SYS_RESOURCE, which finalize_identity drops.
void apply_limits(const spec::Process& process);

/// What finalize_identity will do, worked out while this process may still read files and
/// holds every capability: the user, whether setgroups is allowed, the capability plan.
struct IdentityPlan {
    spec::User user;
    bool setgroups_allowed = true;
    bool no_new_privileges = false;
    CapabilityPlan caps;
    UnknownCapability policy = UnknownCapability::fail;
};
/// Plans the identity of `process` (reads /proc/self/setgroups and this process's capabilities).
IdentityPlan plan_identity(const spec::Process& process, UnknownCapability policy);

/// Drops privileges to what `plan` says, in runc's order: bounding set, PR_SET_KEEPCAPS 1,
/// groups/gid/uid, PR_SET_KEEPCAPS 0, effective/permitted/inheritable/ambient (plus `keep` in
/// permitted, for a step that still needs it), then no_new_privileges.
void finalize_identity(const IdentityPlan& plan, const std::vector<int>& keep = {});
/// finalize_identity(plan_identity(process, policy)). Absent capabilities mean every set empty.
void finalize_identity(const spec::Process& process, UnknownCapability policy = UnknownCapability::fail);

}  // namespace ocirt::security
