#include <sched.h>

#include <array>

#include "named_values.hpp"
#include "ocirt/process/process_extras.hpp"
#include "ocirt/sys/scheduling.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::process {
namespace {

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

// SCHED_ISO is reserved by the kernel but not implemented; the spec lists it, sched_setattr
// refuses it with EINVAL, which create reports.
constexpr std::array<NamedValue, 7> kPolicies{{
    {"SCHED_OTHER", SCHED_OTHER},
    {"SCHED_FIFO", SCHED_FIFO},
    {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},
    {"SCHED_ISO", 4},
    {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
}};

constexpr std::array<NamedValue, 7> kFlags{{
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},
    {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
}};

}  // namespace

std::vector<std::string> scheduler_policies() { return names_of(kPolicies); }
std::vector<std::string> scheduler_flags() { return names_of(kFlags); }

void check_scheduler(const spec::Scheduler& s) {
    const NamedValue* policy = find_named(kPolicies, s.policy);
    if (!policy) fail("/process/scheduler/policy: unknown policy \"{}\"", s.policy);
    for (size_t i = 0; i < s.flags.size(); ++i)
        if (!find_named(kFlags, s.flags[i])) fail("/process/scheduler/flags/{}: unknown flag \"{}\"", i, s.flags[i]);
    if (s.nice && (*s.nice < -20 || *s.nice > 19)) fail("/process/scheduler/nice: {} is not in -20..19", *s.nice);
    const bool realtime = policy->value == SCHED_FIFO || policy->value == SCHED_RR;
    if (s.priority && *s.priority != 0 && !realtime)
        fail("/process/scheduler/priority: only SCHED_FIFO and SCHED_RR take a priority");
    if (realtime && (!s.priority || *s.priority < 1 || *s.priority > 99))
        fail("/process/scheduler/priority: {} needs a priority in 1..99", s.policy);
    const bool deadline = policy->value == SCHED_DEADLINE;
    if (!deadline && (s.runtime || s.deadline || s.period))
        fail("/process/scheduler/runtime: runtime, deadline and period are for SCHED_DEADLINE only");
    if (deadline && (!s.runtime || !s.deadline))
        fail("/process/scheduler/deadline: SCHED_DEADLINE needs runtime and deadline");
}

void apply_scheduler(const spec::Scheduler& s) {
    sys::SchedulerAttr a;
    a.policy = static_cast<uint32_t>(find_named(kPolicies, s.policy)->value);
    for (const auto& f : s.flags) a.flags |= find_named(kFlags, f)->value;
    a.nice = s.nice.value_or(0);
    a.priority = static_cast<uint32_t>(s.priority.value_or(0));
    a.runtime = s.runtime.value_or(0);
    a.deadline = s.deadline.value_or(0);
    a.period = s.period.value_or(0);
    with_context("/process/scheduler", [&] { sys::set_scheduler(a); });
}

}  // namespace ocirt::process
