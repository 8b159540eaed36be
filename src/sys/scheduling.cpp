#include "ocirt/sys/scheduling.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {
namespace {

// The kernel's struct sched_attr (SCHED_ATTR_SIZE_VER1); glibc 2.36 does not declare it.
struct SchedAttrAbi {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
    uint32_t sched_util_min;
    uint32_t sched_util_max;
};

constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;

}  // namespace

void set_scheduler(const SchedulerAttr& a) {
    SchedAttrAbi abi{};
    abi.size = sizeof abi;
    abi.sched_policy = a.policy;
    abi.sched_flags = a.flags;
    abi.sched_nice = a.nice;
    abi.sched_priority = a.priority;
    abi.sched_runtime = a.runtime;
    abi.sched_deadline = a.deadline;
    abi.sched_period = a.period;
    if (::syscall(SYS_sched_setattr, 0, &abi, 0) < 0) throw_errno("sched_setattr");
}

void set_cpu_affinity(const std::vector<unsigned>& cpus) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (unsigned c : cpus) {
        if (c >= CPU_SETSIZE) throw_error_code(EINVAL, "CPU {} is beyond {}", c, CPU_SETSIZE - 1);
        CPU_SET(c, &set);
    }
    if (::sched_setaffinity(0, sizeof set, &set) < 0) throw_errno("sched_setaffinity");
}

void set_io_priority(int io_class, int level) {
    if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, (io_class << kIoprioClassShift) | level) < 0)
        throw_errno("ioprio_set");
}

}  // namespace ocirt::sys
