#include "ocirt/process/process_extras.hpp"

namespace ocirt::process {

void check_process_extras(const spec::Config& c) {
    if (c.process) {
        if (c.process->scheduler) check_scheduler(*c.process->scheduler);
        if (c.process->io_priority) check_io_priority(*c.process->io_priority);
        if (c.process->exec_cpu_affinity) check_cpu_affinity(*c.process->exec_cpu_affinity);
    }
    if (c.linux_) {
        if (c.linux_->personality) check_personality(*c.linux_->personality);
        if (c.linux_->memory_policy) check_memory_policy(*c.linux_->memory_policy);
    }
}

}  // namespace ocirt::process
