#include "ocirt/security/process_attrs.hpp"

#include <sys/resource.h>

#include <map>
#include <utility>

#include "ocirt/sys/identity.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::security {
namespace {

constexpr uint32_t kDefaultUmask = 0022;

const std::map<std::string, int>& rlimit_table() {
    static const std::map<std::string, int> table = {
        {"RLIMIT_AS", RLIMIT_AS},
        {"RLIMIT_CORE", RLIMIT_CORE},
        {"RLIMIT_CPU", RLIMIT_CPU},
        {"RLIMIT_DATA", RLIMIT_DATA},
        {"RLIMIT_FSIZE", RLIMIT_FSIZE},
        {"RLIMIT_LOCKS", RLIMIT_LOCKS},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
        {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
        {"RLIMIT_NICE", RLIMIT_NICE},
        {"RLIMIT_NOFILE", RLIMIT_NOFILE},
        {"RLIMIT_NPROC", RLIMIT_NPROC},
        {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
        {"RLIMIT_RTTIME", RLIMIT_RTTIME},
        {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
        {"RLIMIT_STACK", RLIMIT_STACK},
    };
    return table;
}

}  // namespace

std::optional<int> rlimit_from_name(const std::string& name) {
    const auto& t = rlimit_table();
    if (auto it = t.find(name); it != t.end()) return it->second;
    return std::nullopt;
}

void check_rlimits(const std::vector<spec::Rlimit>& rlimits) {
    std::map<int, size_t> seen;  // resource -> index of its first entry
    for (size_t i = 0; i < rlimits.size(); ++i) {
        const spec::Rlimit& r = rlimits[i];
        const auto resource = rlimit_from_name(r.type);
        if (!resource) fail("/process/rlimits/{}/type: unknown rlimit \"{}\"", i, r.type);
        if (auto [it, fresh] = seen.emplace(*resource, i); !fresh)
            fail("/process/rlimits/{}/type: \"{}\" is already set by /process/rlimits/{}", i, r.type, it->second);
        if (r.soft > r.hard)
            fail("/process/rlimits/{}: soft limit {} of {} is above its hard limit {}", i, r.soft, r.type, r.hard);
    }
}

void apply_rlimits(const std::vector<spec::Rlimit>& rlimits) {
    check_rlimits(rlimits);
    for (size_t i = 0; i < rlimits.size(); ++i) {
        const spec::Rlimit& r = rlimits[i];
        with_context(fmt::format("/process/rlimits/{} ({})", i, r.type),
                     [&] { sys::set_rlimit(*rlimit_from_name(r.type), r.soft, r.hard); });
    }
}

void apply_umask(std::optional<uint32_t> umask) {
    const uint32_t mask = umask.value_or(kDefaultUmask);
    if (mask > 0777) fail("/process/user/umask: {:#o} is not a file mode mask (at most 0777)", mask);
    sys::set_umask(static_cast<mode_t>(mask));
}

void apply_oom_score_adj(std::optional<int32_t> value) {
    if (!value) return;
    if (*value < -1000 || *value > 1000) fail("/process/oomScoreAdj: {} is outside -1000..1000", *value);
    with_context("/process/oomScoreAdj", [&] { sys::set_oom_score_adj(*value); });
}

void apply_no_new_privileges(bool on) {
    if (on) with_context("/process/noNewPrivileges", [] { sys::set_no_new_privs(); });
}

namespace {

void apply_user(const spec::User& user, bool setgroups_allowed) {
    // Why this order: setgroups and setresgid need CAP_SETGID in the effective set, and
    // setresuid to a non-zero uid empties the effective set. So groups and gid come first and
    // the uid last; after it, nothing here could be changed any more.
    with_context("/process/user/additionalGids", [&] {
        if (setgroups_allowed) {
            // Also with an empty list: the process must not keep the runtime's groups.
            sys::set_groups(std::vector<gid_t>(user.additional_gids.begin(), user.additional_gids.end()));
        } else if (!user.additional_gids.empty()) {
            fail("cannot set supplementary groups: setgroups is denied in this user namespace");
        }
    });
    with_context("/process/user/gid", [&] { sys::set_res_gid(user.gid, user.gid, user.gid); });
    with_context("/process/user/uid", [&] { sys::set_res_uid(user.uid, user.uid, user.uid); });
}

}  // namespace

void apply_user(const spec::User& user) { apply_user(user, sys::setgroups_allowed()); }

void apply_limits(const spec::Process& process) {
    apply_rlimits(process.rlimits);
    apply_oom_score_adj(process.oom_score_adj);
    apply_umask(process.user.umask);
}

IdentityPlan plan_identity(const spec::Process& process, UnknownCapability policy) {
    IdentityPlan plan;
    plan.user = process.user;
    plan.setgroups_allowed = sys::setgroups_allowed();
    plan.no_new_privileges = process.no_new_privileges;
    plan.caps = plan_capabilities(process.capabilities.value_or(spec::Capabilities{}), policy);
    plan.policy = policy;
    return plan;
}

void finalize_identity(const IdentityPlan& plan, const std::vector<int>& keep) {
    // 1. The bounding set first: dropping from it needs CAP_SETPCAP, which we hold now as
    //    root of the container and may not hold once the capability sets are applied.
    drop_bounding_set(plan.caps);

    // 2. When every uid leaves 0 the kernel empties the permitted, effective and ambient sets
    //    unless KEEPCAPS is set; the configured sets could then never be applied to a
    //    non-root user.
    sys::set_keep_caps(true);

    // 3. Groups, gid, uid (apply_user explains their order). Effective is now empty for a
    //    non-root user, permitted kept.
    apply_user(plan.user, plan.setgroups_allowed);

    // 4. KEEPCAPS back off, so a later uid change by the program follows the normal rules
    //    (execve clears it too, but nothing between here and execve should rely on that).
    sys::set_keep_caps(false);

    // 5. Now the sets: effective can be re-raised from the kept permitted set. They come after
    //    the uid change because that change cleared effective.
    apply_capability_sets(plan.caps, plan.policy, keep);

    // 6. no_new_privs last, as runc does before seccomp and execve. It does not limit the
    //    calls above, but once set it cannot be undone.
    apply_no_new_privileges(plan.no_new_privileges);
}

void finalize_identity(const spec::Process& process, UnknownCapability policy) {
    finalize_identity(plan_identity(process, policy));
}

}  // namespace ocirt::security
