#include "ocirt/runtime/default_spec.hpp"

#include "ocirt/spec/state.hpp"

namespace ocirt::runtime {
namespace {
spec::Mount mount(const char* dest, const char* type, const char* source, std::vector<std::string> options) {
    spec::Mount m;
    m.destination = dest;
    m.type = type;
    m.source = source;
    m.options = std::move(options);
    return m;
}
}  // namespace

spec::Config default_config() {
    spec::Config c;
    c.oci_version = spec::kOciVersion;
    c.root = spec::Root{"rootfs", true};
    spec::Process p;
    p.terminal = true;
    p.args = {"sh"};
    p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
    p.cwd = "/";
    const std::vector<std::string> caps{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    p.capabilities = spec::Capabilities{caps, caps, std::nullopt, caps, std::nullopt};
    p.rlimits = {spec::Rlimit{"RLIMIT_NOFILE", 1024, 1024}};
    p.no_new_privileges = true;
    c.process = p;
    c.hostname = "ocirt";
    c.mounts = {
        mount("/proc", "proc", "proc", {}),
        mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
    };
    spec::Linux l;
    for (auto t : {spec::NamespaceType::pid, spec::NamespaceType::network, spec::NamespaceType::ipc,
                   spec::NamespaceType::uts, spec::NamespaceType::mount, spec::NamespaceType::cgroup})
        l.namespaces.push_back(spec::Namespace{t, std::nullopt});
    // runc's defaults: kernel interfaces a container has no business reading or changing.
    l.masked_paths = {"/proc/acpi",       "/proc/asound",     "/proc/kcore",       "/proc/keys",
                      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                      "/sys/firmware",    "/proc/scsi"};
    l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    // runc's default: no device but the default allow list (the cgroup device filter).
    spec::Resources r;
    r.devices.push_back(spec::DeviceCgroupRule{false, std::nullopt, std::nullopt, std::nullopt, std::string("rwm")});
    l.resources = r;
    c.linux_ = l;
    return c;
}

void make_rootless(spec::Config& c, uint32_t uid, uint32_t gid) {
    spec::Linux& l = *c.linux_;
    std::vector<spec::Namespace> kept;
    for (const auto& n : l.namespaces)
        if (n.type != spec::NamespaceType::network && n.type != spec::NamespaceType::user) kept.push_back(n);
    kept.push_back(spec::Namespace{spec::NamespaceType::user, std::nullopt});
    l.namespaces = kept;
    l.uid_mappings = {spec::IdMapping{0, uid, 1}};
    l.gid_mappings = {spec::IdMapping{0, gid, 1}};
    for (auto& m : c.mounts) {
        if (m.destination == "/sys") m = mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"});
        std::vector<std::string> options;
        for (const auto& o : m.options)
            if (o.rfind("uid=", 0) != 0 && o.rfind("gid=", 0) != 0) options.push_back(o);
        m.options = options;
    }
    l.resources.reset();
}

}  // namespace ocirt::runtime
