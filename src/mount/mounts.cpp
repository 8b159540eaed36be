#include "ocirt/mount/mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "ocirt/mount/devices.hpp"
#include "ocirt/mount/options.hpp"
#include "ocirt/mount/tmpfs.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/mount.hpp"
#include "ocirt/sys/mount_api.hpp"
#include "ocirt/sys/safe_path.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::mount {
namespace {

constexpr unsigned long kPropagationMask = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
// Flags that a bind remount can change; a bind mount's own flags ride on the remount.
constexpr unsigned long kRemountable = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
                                       MS_RELATIME | MS_STRICTATIME | MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | 256;

bool is_bind(const spec::Mount& m, const MountOptions& o) { return o.bind || (m.type && *m.type == "bind"); }

std::string mount_type(const spec::Mount& m) {
    if (!m.type) return {};
    // runc on a cgroup v2 host mounts cgroup2 for "cgroup" (a v1 or hybrid host: mount_cgroup_v1).
    if (*m.type == "cgroup") return "cgroup2";
    return *m.type;
}

// The flags of the mount holding `path`, as MS_* bits, for re-adding locked flags on remount.
unsigned long existing_flags(const std::string& path) {
    struct statvfs sv {};
    if (::statvfs(path.c_str(), &sv) < 0) return 0;
    unsigned long f = 0;
    if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

std::string resolve_source(const spec::Mount& m, const RootfsContext& ctx) {
    std::string src = m.source.value_or("");
    if (!src.empty() && src[0] != '/' && ctx.bundle.size() > 0) src = ctx.bundle + "/" + src;
    return src;
}

void apply_propagation(const std::string& target, const MountOptions& o, const std::string& what) {
    for (unsigned long p : o.propagation) sys::mount_fs("", target, "", p, "", what + " (propagation)");
}

/// "rro", "rnosuid"...: applied to the whole mounted tree once it is in place.
void apply_recursive_attributes(int rootfd, const spec::Mount& m, const MountOptions& o, const std::string& what) {
    if (o.recursive_set == 0 && o.recursive_clear == 0) return;
    sys::Fd target = sys::open_in_root(rootfd, m.destination, O_PATH);
    sys::MountAttributes attr;
    attr.set = o.recursive_set;
    attr.clear = o.recursive_clear;
    sys::set_mount_attributes(target.get(), true, attr, what + " (recursive attributes)");
}

/// Binds `source` (recursively) on `destination` in the rootfs and makes it read-only, keeping
/// `flags` (nosuid, nodev...) and the flags the source's mount has locked.
void bind_readonly(const std::string& source, int rootfd, const std::string& destination, unsigned long flags,
                   const std::string& what) {
    sys::Fd target = sys::open_in_root(rootfd, destination, O_PATH);
    sys::mount_fs(source, sys::proc_fd_path(target.get()), "", MS_BIND | MS_REC, "", what);
    // Re-open: the fd still points at the covered directory, not the new mount.
    target = sys::open_in_root(rootfd, destination, O_PATH);
    const std::string mounted = sys::proc_fd_path(target.get());
    sys::mount_fs("", mounted, "", MS_REMOUNT | MS_BIND | MS_RDONLY | (flags & kRemountable) | existing_flags(mounted), "",
                  what + " (remount)");
}

/// Remounts the bind mount at `mounted` with the remountable part of `flags`.
void remount_bind(const std::string& mounted, unsigned long flags, const std::string& what) {
    const unsigned long f = MS_REMOUNT | MS_BIND | (flags & kRemountable);
    try {
        sys::mount_fs("", mounted, "", f, "", what + " (remount)");
    } catch (const Error& e) {
        if (e.code() != EPERM) throw;
        // In a user namespace the source's nosuid/nodev/noexec/ro are locked: keep them.
        sys::mount_fs("", mounted, "", f | existing_flags(mounted), "", what + " (remount)");
    }
}

/// A "cgroup" mount on a legacy or hybrid host, as runc's mountCgroupV1: a tmpfs on the
/// destination holding, for each v1 hierarchy, the container's own cgroup of it (read-only when
/// the mount is). The container's directory is bound, private (no propagation from the host's
/// hierarchy, as a fresh mount has none). runc and crun mount the hierarchy afresh when the
/// container has a cgroup namespace: the same root, files, options and superblock, but the
/// kernel walks every cgroup of the hierarchy on each such mount (cgroup_lock_and_drain_offline),
/// so the cost grows with the containers on the host (docs/cgroup-v1.md). Only in a cgroup
/// namespace joined by path, whose root is not the container's cgroup, is the hierarchy mounted
/// afresh (bound where the kernel refuses that). Co-mounted controllers get a symlink each
/// (cpu -> cpu,cpuacct), as on the host.
void mount_cgroup_v1(int rootfd, const spec::Mount& m, const MountOptions& o, const RootfsContext& ctx,
                     const std::string& what, const std::string& mount_label) {
    constexpr unsigned long kDefault = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    sys::Fd target = sys::ensure_dir_in_root(rootfd, m.destination, 0755);
    sys::mount_fs("tmpfs", sys::proc_fd_path(target.get()), "tmpfs", kDefault,
                  with_mount_label("tmpfs", "mode=755", mount_label), what + " (tmpfs)");
    target = sys::open_in_root(rootfd, m.destination, O_PATH | O_DIRECTORY);
    apply_propagation(sys::proc_fd_path(target.get()), o, what);
    const unsigned long readonly = o.flags & MS_RDONLY;
    for (const auto& h : ctx.cgroup_v1) {
        const std::string dest = m.destination + "/" + h.name;
        const std::string hwhat = fmt::format("{} ({} hierarchy)", what, h.subsystems);
        sys::Fd dir = sys::ensure_dir_in_root(rootfd, dest, 0755);
        if (ctx.cgroup_namespace_joined) {
            try {
                sys::mount_fs("cgroup", sys::proc_fd_path(dir.get()), "cgroup", kDefault | readonly, h.subsystems, hwhat);
                continue;
            } catch (const Error& e) {
                // EPERM: the user namespace does not own the cgroup namespace; EBUSY: the
                // options do not match the host's hierarchy. Bind the directory instead.
                if (e.code() != EPERM && e.code() != EBUSY) throw;
            }
        }
        sys::mount_fs(h.dir, sys::proc_fd_path(dir.get()), "", MS_BIND | MS_REC, "", hwhat + " (bind of " + h.dir + ")");
        dir = sys::open_in_root(rootfd, dest, O_PATH);
        const std::string mounted = sys::proc_fd_path(dir.get());
        remount_bind(mounted, o.flags, hwhat);
        sys::mount_fs("", mounted, "", MS_PRIVATE | MS_REC, "", hwhat + " (private)");
        apply_propagation(mounted, o, hwhat);
    }
    for (const auto& h : ctx.cgroup_v1)
        if (h.name.find(',') != std::string::npos)
            for (const auto& part : util::split(h.name, ','))
                if (!part.empty()) sys::symlink_at(h.name, target.get(), part);
    apply_recursive_attributes(rootfd, m, o, what);
}

void mount_one(int rootfd, const spec::Mount& m, size_t index, const RootfsContext& ctx, const std::string& mount_label) {
    const MountOptions o = parse_mount_options(m.options);
    const bool bind = is_bind(m, o);
    const std::string what = fmt::format("mounts[{}] ({} on {})", index, m.source.value_or(m.type.value_or("none")), m.destination);
    const std::string source = bind ? resolve_source(m, ctx) : m.source.value_or("");

    // A tmpfs takes its mode (and with tmpcopyup its content) from the directory it covers:
    // open that before the mount hides it, and before a missing one is created.
    const sys::Fd covered = !bind && mount_type(m) == "tmpfs" ? open_covered_dir(rootfd, m.destination) : sys::Fd();
    // A bind mount of a file needs a file to mount over; everything else a directory.
    bool file_target = false;
    if (bind) {
        auto st = sys::stat_path(source);
        if (!st) throw_error_code(ENOENT, "{}: source {}", what, source);
        file_target = !S_ISDIR(st->st_mode);
    }
    sys::Fd target = file_target ? sys::ensure_file_in_root(rootfd, m.destination, 0644)
                                 : sys::ensure_dir_in_root(rootfd, m.destination, 0755);
    const std::string target_path = sys::proc_fd_path(target.get());

    if (bind) {
        if (auto tree = ctx.idmapped.find(index); tree != ctx.idmapped.end())
            sys::attach_mount(tree->second.get(), target.get(), what);
        else
            sys::mount_fs(source, target_path, "", MS_BIND | (o.recursive_bind ? MS_REC : 0), "", what);
        // Re-open: the fd still points at the covered directory, not the new mount.
        target = sys::open_in_root(rootfd, m.destination, O_PATH);
        const std::string mounted = sys::proc_fd_path(target.get());
        if ((o.flags & kRemountable) != 0 || !o.data.empty()) remount_bind(mounted, o.flags, what);
        apply_propagation(mounted, o, what);
        apply_recursive_attributes(rootfd, m, o, what);
        return;
    }

    if (m.type && *m.type == "cgroup" && !ctx.cgroup_v1.empty())
        return mount_cgroup_v1(rootfd, m, o, ctx, what, mount_label);
    const std::string type = mount_type(m);
    if (type.empty()) fail("{}: /mounts/{}/type is required for a non-bind mount", what, index);
    // procfs and sysfs decide what every later /proc and /sys lookup sees: mounted where a
    // symlink in the rootfs points they would sit elsewhere and leave the path to the image
    // (runc CVE-2019-19921 class). Refuse rather than follow.
    if (type == "proc" || type == "sysfs") {
        sys::Fd last = sys::open_in_root(rootfd, m.destination, O_PATH | O_NOFOLLOW);
        if (last && S_ISLNK(sys::stat_fd(last.get()).st_mode))
            fail("/mounts/{}/destination: {} is a symlink in the rootfs; {} must be mounted on a real directory", index,
                 m.destination, type);
    }
    const unsigned long flags = o.flags & ~(kPropagationMask | MS_REMOUNT);
    std::string data = o.data;
    if (type == "tmpfs") data = tmpfs_data(covered.get(), data);
    try {
        // tmpcopyup fills the tmpfs first: a read-only one becomes read-only after the copy.
        sys::mount_fs(source.empty() ? type : source, target_path, type, o.tmpcopyup ? flags & ~MS_RDONLY : flags,
                      with_mount_label(type, data, mount_label), what);
    } catch (const Error& e) {
        // sysfs needs a network namespace owned by the container's user namespace; without one,
        // bind the host's /sys read-only as runc does.
        if (type == "sysfs" && e.code() == EPERM && ctx.in_user_namespace && !ctx.new_network_namespace)
            bind_readonly("/sys", rootfd, m.destination, flags, what + " (bind of /sys)");
        // devpts refuses a gid= (or uid=) the user namespace does not map (gid=5 under a
        // rootless single-id map): mount it without them, as crun does.
        else if (type == "devpts" && e.code() == EINVAL && ctx.in_user_namespace && has_id_option(data))
            sys::mount_fs(source.empty() ? type : source, target_path, type, flags,
                          with_mount_label(type, without_id_options(data), mount_label), what + " (without uid=/gid=)");
        // mqueue needs an ipc namespace owned by the container's user namespace: bind the host's.
        else if (type == "mqueue" && e.code() == EPERM && ctx.in_user_namespace)
            bind_readonly("/dev/mqueue", rootfd, m.destination, flags & ~MS_RDONLY, what + " (bind of /dev/mqueue)");
        // cgroup2 needs a cgroup namespace owned by the container's user namespace, and fails
        // with EBUSY on some stacked /sys binds: bind the container's own cgroup directory
        // from the runtime's hierarchy instead, read-only, as runc and crun do.
        else if (type == "cgroup2" && (e.code() == EPERM || e.code() == EBUSY) && !ctx.cgroup_dir.empty())
            bind_readonly(ctx.cgroup_dir, rootfd, m.destination, flags,
                          fmt::format("{} (bind of the container's cgroup {})", what, ctx.cgroup_dir));
        else
            throw;
    }
    if (o.tmpcopyup) copy_up(covered.get(), rootfd, m.destination, (flags & MS_RDONLY) != 0, what);
    if (!o.propagation.empty()) {
        target = sys::open_in_root(rootfd, m.destination, O_PATH);
        apply_propagation(sys::proc_fd_path(target.get()), o, what);
    }
    apply_recursive_attributes(rootfd, m, o, what);
}

// The mount point holding `path` (longest mount point prefix in /proc/self/mountinfo).
std::string mount_point_of(const std::string& path) {
    std::string best = "/";
    for (const auto& line : util::split(sys::read_file("/proc/self/mountinfo", 8u << 20), '\n')) {
        const auto f = util::split(line, ' ');
        if (f.size() < 5) continue;
        const std::string& mp = f[4];
        const bool prefix = path == mp || (util::starts_with(path, mp) && (mp == "/" || path[mp.size()] == '/'));
        if (prefix && mp.size() > best.size()) best = mp;
    }
    return best;
}

/// Creates process.cwd if it is missing, as runc and crun do. Called once "/" is the container's
/// root: every lookup resolves inside it, so a symlink on the way cannot lead to the host. A cwd
/// that exists or cannot be looked up is left to the chdir, which reports the problem.
void create_cwd(const spec::Config& config) {
    if (!config.process || config.process->cwd.empty()) return;
    const std::string& cwd = config.process->cwd;
    sys::Fd root = sys::open_at(AT_FDCWD, "/", O_PATH | O_DIRECTORY);
    try {
        if (sys::open_in_root(root.get(), cwd, O_PATH)) return;
    } catch (const Error&) {
        return;
    }
    with_context("/process/cwd " + cwd, [&] { sys::ensure_dir_in_root(root.get(), cwd, 0755); });
}

}  // namespace

void check_mounts(const spec::Config& config) {
    for (size_t i = 0; i < config.mounts.size(); ++i) {
        const auto& m = config.mounts[i];
        const MountOptions o = parse_mount_options(m.options);
        if (o.tmpcopyup && (is_bind(m, o) || mount_type(m) != "tmpfs"))
            fail("/mounts/{}/options: \"tmpcopyup\" applies to tmpfs mounts only", i);
        if (m.destination.empty()) fail("/mounts/{}/destination: must not be empty", i);
        if (!is_bind(m, o) && !m.type) fail("/mounts/{}/type: required for a mount that is not a bind mount", i);
    }
    check_idmapped_mounts(config);
    if (config.linux_) check_devices(config.linux_->devices);
}

void check_without_own_mount_namespace(const spec::Config& config, bool joined) {
    const char* why = joined ? "the mount namespace is joined by path (/linux/namespaces), and ocirt mounts nothing in "
                               "a namespace it shares with others"
                             : "the container has no mount namespace of its own (/linux/namespaces) and would share "
                               "the runtime's, where ocirt mounts nothing";
    if (!config.mounts.empty()) fail("/mounts: {}", why);
    if (config.root && config.root->readonly) fail("/root/readonly: {}", why);
    if (!config.linux_) return;
    const spec::Linux& l = *config.linux_;
    if (!l.masked_paths.empty()) fail("/linux/maskedPaths: {}", why);
    if (!l.readonly_paths.empty()) fail("/linux/readonlyPaths: {}", why);
    if (!l.devices.empty()) fail("/linux/devices: {}", why);
    if (l.rootfs_propagation) fail("/linux/rootfsPropagation: {}", why);
}

void prepare_rootfs(const spec::Config& config, const RootfsContext& ctx) {
    if (!ctx.own_mount_namespace) return;
    // Nothing mounted below may propagate back to the host: make "/" a slave (runc's default)
    // or what rootfsPropagation asks for, recursively, before the first mount.
    unsigned long root_prop = MS_SLAVE | MS_REC;
    if (config.linux_ && config.linux_->rootfs_propagation) {
        root_prop = parse_propagation(*config.linux_->rootfs_propagation);
        if (root_prop == 0) fail("/linux/rootfsPropagation: unknown value \"{}\"", *config.linux_->rootfs_propagation);
        root_prop |= MS_REC;
    }
    // An unbindable mount cannot be the source of a bind mount: neither the rootfs nor any
    // bind source below "/" could be bound. Keep "/" private while the rootfs is built;
    // apply_rootfs_propagation makes the new "/" unbindable once the masks are in place.
    if (root_prop & MS_UNBINDABLE) root_prop = MS_PRIVATE | MS_REC;
    sys::mount_fs("", "/", "", root_prop, "", "/ (propagation)");
    // pivot_root refuses a new root whose parent mount is shared.
    if (root_prop & MS_SHARED) sys::mount_fs("", mount_point_of(ctx.rootfs), "", MS_PRIVATE, "", "rootfs parent (private)");
    // The rootfs must be a mount point for pivot_root.
    sys::mount_fs(ctx.rootfs, ctx.rootfs, "", MS_BIND | MS_REC, "", "rootfs " + ctx.rootfs);

    sys::Fd rootfd = sys::open_at(AT_FDCWD, ctx.rootfs, O_PATH | O_DIRECTORY);
    bool dev_is_bound = false;
    const std::string mount_label = config.linux_ ? config.linux_->mount_label.value_or("") : "";
    sys::trace::Span mounts_span("mounts");
    for (size_t i = 0; i < config.mounts.size(); ++i) {
        const auto& m = config.mounts[i];
        mount_one(rootfd.get(), m, i, ctx, mount_label);
        const auto parts = sys::path_components(m.destination);
        if (parts.size() == 1 && parts[0] == "dev" && is_bind(m, parse_mount_options(m.options))) dev_is_bound = true;
    }
    mounts_span.end();
    // A /dev bound from the host already has its nodes; otherwise make runc's default set.
    sys::trace::Span devices_span("devices");
    const spec::Linux empty;
    const spec::Linux& lnx = config.linux_ ? *config.linux_ : empty;
    create_devices(rootfd.get(), lnx.devices, ctx.in_user_namespace, dev_is_bound);
    if (!dev_is_bound) create_dev_symlinks(rootfd.get());
}

void enter_rootfs(const spec::Config& config, const RootfsContext& ctx, bool no_pivot) {
    if (!ctx.own_mount_namespace) {
        // Only chroot: pivot_root would move the root of every process of a shared mount
        // namespace, and MS_MOVE would change the mount tree the others see.
        sys::change_dir(ctx.rootfs);
        sys::change_root(".");
        sys::change_dir("/");
        create_cwd(config);
        return;
    }
    sys::Fd old_root = sys::open_at(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY);
    sys::change_dir(ctx.rootfs);
    if (no_pivot) {
        sys::mount_fs(ctx.rootfs, "/", "", MS_MOVE, "", "rootfs (move to /)");
        sys::change_root(".");
    } else {
        // pivot_root(".", ".") stacks the old root on top of the new one; unmounting it then
        // needs no directory for it inside the rootfs. Step into the old root by its fd: a
        // path like "." could name the new root below it, and the propagation change below
        // would then hit the container's own mounts.
        sys::pivot_root(".", ".");
        sys::change_dir_fd(old_root.get());
        // The old root may hold shared mounts: stop its unmount from propagating to the host.
        sys::mount_fs("", ".", "", MS_SLAVE | MS_REC, "", "old root (propagation)");
        sys::unmount(".", MNT_DETACH);
    }
    old_root.reset();
    sys::change_dir("/");
    create_cwd(config);  // before root.readonly
    if (config.root && config.root->readonly) {
        const unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
        try {
            sys::mount_fs("", "/", "", flags, "", "/ (read-only)");
        } catch (const Error& e) {
            if (e.code() != EPERM) throw;
            sys::mount_fs("", "/", "", flags | existing_flags("/"), "", "/ (read-only)");
        }
    }
}

void apply_rootfs_propagation(const spec::Config& config) {
    if (!config.linux_ || !config.linux_->rootfs_propagation) return;
    const unsigned long p = parse_propagation(*config.linux_->rootfs_propagation);
    sys::mount_fs("", "/", "", p | MS_REC, "", "/ (rootfsPropagation)");
}

void enter_container_root(int rootfd) {
    sys::change_dir_fd(rootfd);
    sys::change_root(".");
    sys::change_dir("/");
}

void bind_console(const RootfsContext& ctx, int slave_fd) {
    if (!ctx.own_mount_namespace) return;  // the pty is the process's stdio, without /dev/console
    sys::Fd root = sys::open_at(AT_FDCWD, ctx.rootfs, O_PATH | O_DIRECTORY);
    sys::Fd target = sys::ensure_file_in_root(root.get(), "/dev/console", 0600);
    sys::mount_fs(sys::proc_fd_path(slave_fd), sys::proc_fd_path(target.get()), "", MS_BIND, "", "/dev/console");
}

}  // namespace ocirt::mount
