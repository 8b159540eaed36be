#include "ocirt/process/process_extras.hpp"
#include "ocirt/sys/scheduling.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::process {
namespace {

constexpr unsigned kMaxCpu = 1023;  // CPU_SETSIZE - 1

unsigned parse_cpu(const std::string& s, const std::string& field) {
    const auto n = util::parse_int(s);
    if (!n || *n < 0 || *n > kMaxCpu) fail("{}: \"{}\" is not a CPU number in 0..{}", field, s, kMaxCpu);
    return static_cast<unsigned>(*n);
}

}  // namespace

std::vector<unsigned> parse_cpu_list(const std::string& list, const std::string& field) {
    std::vector<unsigned> cpus;
    for (const auto& item : util::split(list, ',')) {
        const auto dash = item.find('-');
        if (dash == std::string::npos) {
            cpus.push_back(parse_cpu(item, field));
            continue;
        }
        const unsigned from = parse_cpu(item.substr(0, dash), field);
        const unsigned to = parse_cpu(item.substr(dash + 1), field);
        if (from > to) fail("{}: range \"{}\" runs backwards", field, item);
        for (unsigned c = from; c <= to; ++c) cpus.push_back(c);
    }
    if (cpus.empty()) fail("{}: no CPU listed", field);
    return cpus;
}

void check_cpu_affinity(const spec::ExecCpuAffinity& a) {
    if (a.initial) parse_cpu_list(*a.initial, "/process/execCPUAffinity/initial");
    if (a.final_) parse_cpu_list(*a.final_, "/process/execCPUAffinity/final");
}

void apply_initial_cpu_affinity(const spec::ExecCpuAffinity& a) {
    if (!a.initial) return;
    const std::string field = "/process/execCPUAffinity/initial";
    with_context(field, [&] { sys::set_cpu_affinity(parse_cpu_list(*a.initial, field)); });
}

void apply_final_cpu_affinity(const spec::ExecCpuAffinity& a) {
    if (!a.final_) return;
    const std::string field = "/process/execCPUAffinity/final";
    with_context(field, [&] { sys::set_cpu_affinity(parse_cpu_list(*a.final_, field)); });
}

}  // namespace ocirt::process
