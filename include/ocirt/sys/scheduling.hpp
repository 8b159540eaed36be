#pragma once
/// CPU and I/O scheduling of the calling process: sched_setattr, sched_setaffinity, ioprio_set.

#include <cstdint>
#include <vector>

namespace ocirt::sys {

/// struct sched_attr's fields (sched_setattr(2)); policy is a SCHED_* value.
struct SchedulerAttr {
    uint32_t policy = 0;
    uint64_t flags = 0;
    int32_t nice = 0;
    uint32_t priority = 0;
    uint64_t runtime = 0;
    uint64_t deadline = 0;
    uint64_t period = 0;
};

/// sched_setattr(0, attr, 0).
void set_scheduler(const SchedulerAttr& attr);
/// sched_setaffinity(0, cpus).
void set_cpu_affinity(const std::vector<unsigned>& cpus);
/// ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(io_class, level)).
void set_io_priority(int io_class, int level);

}  // namespace ocirt::sys
