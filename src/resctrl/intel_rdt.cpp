#include "ocirt/resctrl/intel_rdt.hpp"

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::resctrl {
namespace {

bool safe_name(const std::string& n) { return !n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos; }

std::string group_dir(const spec::IntelRdt& rdt, const std::string& id) {
    return find_resctrl_mount() + "/" + rdt.clos_id.value_or(id);
}

/// True if every line of `want` appears in `have` (the kernel prints schemata normalised and
/// with all resources, so equality is too strict).
bool schemata_contains(const std::string& have, const std::string& want) {
    const auto lines = util::split(have, '\n');
    for (const auto& w : util::split(want, '\n')) {
        if (util::trim(w).empty()) continue;
        bool found = false;
        for (const auto& h : lines) found = found || util::trim(h) == util::trim(w);
        if (!found) return false;
    }
    return true;
}

}  // namespace

std::string find_resctrl_mount() {
    for (const auto& line : util::split(sys::read_file("/proc/self/mountinfo", 8u << 20), '\n')) {
        const auto sep = line.find(" - ");
        if (sep == std::string::npos) continue;
        const auto tail = util::split(line.substr(sep + 3), ' ');
        const auto head = util::split(line.substr(0, sep), ' ');
        if (!tail.empty() && tail[0] == "resctrl" && head.size() > 4) return head[4];
    }
    return {};
}

std::string schemata_text(const spec::IntelRdt& rdt) {
    std::string text;
    if (rdt.l3_cache_schema)
        for (const auto& l : util::split(*rdt.l3_cache_schema, '\n'))
            // A memory-bandwidth line of l3CacheSchema gives way to memBwSchema (config-linux.md).
            if (!(rdt.mem_bw_schema && util::starts_with(l, "MB:")) && !l.empty()) text += l + "\n";
    if (rdt.mem_bw_schema) text += *rdt.mem_bw_schema + "\n";
    for (const auto& l : rdt.schemata) text += l + "\n";
    return text;
}

void check_intel_rdt(const spec::IntelRdt& rdt) {
    if (rdt.clos_id && !safe_name(*rdt.clos_id)) fail("/linux/intelRdt/closID: \"{}\" is not a plain name", *rdt.clos_id);
    if (rdt.mem_bw_schema && !util::starts_with(*rdt.mem_bw_schema, "MB:"))
        fail("/linux/intelRdt/memBwSchema: must start with \"MB:\"");
    if (rdt.mem_bw_schema && rdt.mem_bw_schema->find('\n') != std::string::npos)
        fail("/linux/intelRdt/memBwSchema: must be one line");
    if (find_resctrl_mount().empty())
        fail("/linux/intelRdt: this host has no resctrl filesystem mounted (/sys/fs/resctrl); Intel RDT cannot be "
             "applied");
}

void join_intel_rdt(const spec::IntelRdt& rdt, const std::string& id, int pid) {
    const std::string dir = group_dir(rdt, id);
    const std::string schemata = schemata_text(rdt);
    const bool exists = sys::exists(dir);
    if (rdt.clos_id && schemata.empty() && !exists)
        fail("/linux/intelRdt/closID: no resctrl group {} to join", *rdt.clos_id);
    if (rdt.clos_id && exists && !schemata.empty() &&
        !schemata_contains(sys::read_file(dir + "/schemata", 1u << 20), schemata))
        fail("/linux/intelRdt/closID: the existing group {} has a different schemata", *rdt.clos_id);
    if (!exists) sys::make_dir(dir, 0755, true);
    if (!exists && !schemata.empty())
        with_context("/linux/intelRdt schemata", [&] { sys::write_file(dir + "/schemata", schemata); });
    std::string tasks = dir + "/tasks";
    if (rdt.enable_monitoring.value_or(false)) {
        const std::string mon = dir + "/mon_groups/" + id;
        sys::make_dir(mon, 0755, true);
        tasks = mon + "/tasks";
    }
    with_context("/linux/intelRdt", [&] { sys::write_file(tasks, std::to_string(pid)); });
}

void update_intel_rdt(const spec::IntelRdt& rdt, const std::string& id, int pid) {
    check_intel_rdt(rdt);
    const std::string dir = group_dir(rdt, id);
    if (!sys::exists(dir)) return join_intel_rdt(rdt, id, pid);
    with_context("/linux/intelRdt schemata", [&] { sys::write_file(dir + "/schemata", schemata_text(rdt)); });
}

void leave_intel_rdt(const spec::IntelRdt& rdt, const std::string& id) {
    const std::string root = find_resctrl_mount();
    if (root.empty()) return;
    const std::string dir = root + "/" + rdt.clos_id.value_or(id);
    std::vector<std::string> ours;
    if (rdt.enable_monitoring.value_or(false)) ours.push_back(dir + "/mon_groups/" + id);
    if (!rdt.clos_id) ours.push_back(dir);
    for (const auto& d : ours)
        if (const int err = sys::remove_empty_dir(d); err != 0)
            log::warn("/linux/intelRdt: {}", Error(err, "remove " + d).what());
}

}  // namespace ocirt::resctrl
