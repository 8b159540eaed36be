#include <cctype>

#include <nlohmann/json.hpp>

#include "ocirt/cgroup/manager.hpp"
#include "ocirt/runtime/container.hpp"
#include "ocirt/runtime/create_internal.hpp"
#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::runtime {
namespace {

template <typename T>
void overlay(std::optional<T>& into, const std::optional<T>& from) {
    if (from) into = from;
}

/// A byte count as runc's flags take it: a number with an optional k/m/g/t suffix (powers of
/// 1024, "b" or "ib" after it allowed), or -1.
int64_t parse_size(const std::string& flag, const std::string& text) {
    if (text == "-1") return -1;
    size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    const auto number = util::parse_int(text.substr(0, i));
    std::string unit = text.substr(i);
    for (auto& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();
    if (unit.size() > 1 && unit.back() == 'i') unit.pop_back();
    int shift = -1;
    if (unit.empty() || unit == "b") shift = 0;
    if (unit == "k") shift = 10;
    if (unit == "m") shift = 20;
    if (unit == "g") shift = 30;
    if (unit == "t") shift = 40;
    if (!number || shift < 0 || *number > (INT64_MAX >> shift)) fail("--{}: invalid size \"{}\"", flag, text);
    return *number << shift;
}

int64_t int_value(const std::string& flag, const std::string& text) {
    const auto v = util::parse_int(text);
    if (!v) fail("--{}: invalid number \"{}\"", flag, text);
    return *v;
}

uint64_t uint_value(const std::string& flag, const std::string& text) {
    const auto v = util::parse_uint(text);
    if (!v) fail("--{}: invalid number \"{}\"", flag, text);
    return *v;
}

/// What the caller asks to change: the --resources document, then the flags over it.
spec::Resources requested(const UpdateOptions& o) {
    spec::Resources r;
    if (o.resources_file) {
        const std::string text = with_context("--resources", [&] {
            return *o.resources_file == "-" ? sys::read_fd(0, 1u << 20) : sys::read_file(*o.resources_file, 1u << 20);
        });
        const auto j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded()) fail("--resources: not valid JSON");
        r = with_context("--resources", [&] { return spec::resources_from_json(j); });
    }
    for (const auto& [flag, value] : o.flags) {
        auto mem = [&]() -> spec::MemoryResources& { return r.memory ? *r.memory : r.memory.emplace(); };
        auto cpu = [&]() -> spec::CpuResources& { return r.cpu ? *r.cpu : r.cpu.emplace(); };
        if (flag == "memory") mem().limit = parse_size(flag, value);
        else if (flag == "memory-reservation") mem().reservation = parse_size(flag, value);
        else if (flag == "memory-swap") mem().swap = parse_size(flag, value);
        else if (flag == "cpu-period") cpu().period = uint_value(flag, value);
        else if (flag == "cpu-quota") cpu().quota = int_value(flag, value);
        else if (flag == "cpu-share" || flag == "cpu-shares") cpu().shares = uint_value(flag, value);
        else if (flag == "cpu-rt-period") cpu().realtime_period = uint_value(flag, value);
        else if (flag == "cpu-rt-runtime") cpu().realtime_runtime = int_value(flag, value);
        else if (flag == "cpuset-cpus") cpu().cpus = value;
        else if (flag == "cpuset-mems") cpu().mems = value;
        else if (flag == "pids-limit") {
            r.pids_limit = int_value(flag, value);
            r.has_pids = true;
        } else if (flag == "blkio-weight") {
            const uint64_t w = uint_value(flag, value);
            if (w > UINT16_MAX) fail("--blkio-weight: {} is out of range", w);
            (r.block_io ? *r.block_io : r.block_io.emplace()).weight = static_cast<uint16_t>(w);
        } else {
            fail("--{}: not an update flag", flag);
        }
    }
    return r;
}

/// `from` laid over `into`, group by group; returns the groups `from` touches, as merged.
spec::Resources merge(spec::Resources& into, const spec::Resources& from) {
    spec::Resources touched;
    if (from.memory) {
        auto& m = into.memory ? *into.memory : into.memory.emplace();
        const auto& f = *from.memory;
        overlay(m.limit, f.limit);
        overlay(m.reservation, f.reservation);
        overlay(m.swap, f.swap);
        overlay(m.kernel, f.kernel);
        overlay(m.kernel_tcp, f.kernel_tcp);
        overlay(m.swappiness, f.swappiness);
        overlay(m.disable_oom_killer, f.disable_oom_killer);
        overlay(m.use_hierarchy, f.use_hierarchy);
        touched.memory = m;
        touched.memory->check_before_update = f.check_before_update;
    }
    if (from.cpu) {
        auto& c = into.cpu ? *into.cpu : into.cpu.emplace();
        const auto& f = *from.cpu;
        overlay(c.shares, f.shares);
        overlay(c.quota, f.quota);
        overlay(c.burst, f.burst);
        overlay(c.period, f.period);
        overlay(c.realtime_runtime, f.realtime_runtime);
        overlay(c.realtime_period, f.realtime_period);
        overlay(c.cpus, f.cpus);
        overlay(c.mems, f.mems);
        overlay(c.idle, f.idle);
        touched.cpu = from.cpu;  // only what was asked: cpuset files stay as they are otherwise
        if (f.quota || f.period) {
            touched.cpu->quota = c.quota;
            touched.cpu->period = c.period;
        }
    }
    if (from.has_pids || from.pids_limit) {
        into.has_pids = touched.has_pids = true;
        into.pids_limit = touched.pids_limit = from.pids_limit;
    }
    if (from.block_io) {
        auto& b = into.block_io ? *into.block_io : into.block_io.emplace();
        overlay(b.weight, from.block_io->weight);
        touched.block_io = from.block_io;
        if (!from.block_io->weight_device.empty()) b.weight_device = from.block_io->weight_device;
        for (auto list : {&spec::BlockIoResources::throttle_read_bps_device, &spec::BlockIoResources::throttle_write_bps_device,
                           &spec::BlockIoResources::throttle_read_iops_device, &spec::BlockIoResources::throttle_write_iops_device})
            if (!((*from.block_io).*list).empty()) b.*list = (*from.block_io).*list;
    }
    if (!from.hugepage_limits.empty()) into.hugepage_limits = touched.hugepage_limits = from.hugepage_limits;
    for (const auto& [dev, limit] : from.rdma) into.rdma[dev] = touched.rdma[dev] = limit;
    for (const auto& [key, value] : from.unified) into.unified[key] = touched.unified[key] = value;
    if (!from.devices.empty()) into.devices = touched.devices = from.devices;
    if (from.network) into.network = touched.network = from.network;
    return touched;
}

}  // namespace

void update_container(const GlobalOptions& g, const UpdateOptions& o) {
    with_context("update " + o.id, [&] {
        ContainerDir dir = ContainerDir::open(g.root, o.id);
        const auto rec = dir.load();
        const spec::Status st = compute_status(dir, rec);
        if (st != spec::Status::running && st != spec::Status::created && st != spec::Status::paused)
            fail("container not running");
        if (rec->cgroup_path.empty()) fail("the container has no cgroup");
        const spec::Resources asked = requested(o);
        spec::Config cfg = saved_config(dir);
        if (!cfg.linux_) cfg.linux_ = spec::Linux{};
        spec::Resources& current = cfg.linux_->resources ? *cfg.linux_->resources : cfg.linux_->resources.emplace();
        const spec::Resources touched = merge(current, asked);
        cgroup::update_cgroup(cgroup::locate(rec->cgroup_path, rec->cgroup_created), touched, cfg);
        sys::write_file_atomic(dir.config_path(), spec::config_to_json(cfg).dump(), 0600);
    });
}

}  // namespace ocirt::runtime
