#include <array>

#include "named_values.hpp"
#include "ocirt/process/process_extras.hpp"
#include "ocirt/sys/scheduling.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::process {
namespace {

constexpr std::array<NamedValue, 3> kClasses{{
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
}};

}  // namespace

std::vector<std::string> io_priority_classes() { return names_of(kClasses); }

void check_io_priority(const spec::IoPriority& p) {
    if (!find_named(kClasses, p.io_class)) fail("/process/ioPriority/class: unknown class \"{}\"", p.io_class);
    if (p.priority < 0 || p.priority > 7) fail("/process/ioPriority/priority: {} is not in 0..7", p.priority);
}

void apply_io_priority(const spec::IoPriority& p) {
    const int io_class = static_cast<int>(find_named(kClasses, p.io_class)->value);
    with_context("/process/ioPriority", [&] { sys::set_io_priority(io_class, p.priority); });
}

}  // namespace ocirt::process
