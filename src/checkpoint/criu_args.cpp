#include "ocirt/checkpoint/criu_args.hpp"

#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::checkpoint {
namespace {

/// Options both directions map the same way.
void add_common(std::vector<std::string>& a, const CriuOptions& o) {
    a.insert(a.end(), {"--images-dir", o.image_path, "--work-dir", o.work_path.empty() ? o.image_path : o.work_path});
    // --manage-cgroups takes an optional argument: CRIU reads it only when attached with "=".
    a.insert(a.end(), {"-v4", "--manage-cgroups=" + (o.manage_cgroups_mode.empty() ? std::string("soft") : o.manage_cgroups_mode)});
    if (o.tcp_established) a.push_back("--tcp-established");
    if (o.ext_unix_sk) a.push_back("--ext-unix-sk");
    if (o.shell_job) a.push_back("--shell-job");
    if (o.file_locks) a.push_back("--file-locks");
    if (o.lazy_pages) a.push_back("--lazy-pages");
    if (o.auto_dedup) a.push_back("--auto-dedup");
    if (o.status_fd >= 0) a.insert(a.end(), {"--status-fd", std::to_string(o.status_fd)});
    for (const auto& ns : o.empty_ns)
        if (ns == "network") a.insert(a.end(), {"--empty-ns", "net"});
}

}  // namespace

void check_options(const CriuOptions& o) {
    const std::string& m = o.manage_cgroups_mode;
    if (!m.empty() && m != "soft" && m != "full" && m != "strict" && m != "ignore")
        fail("--manage-cgroups-mode: expected soft, full, strict or ignore, got \"{}\"", m);
    for (const auto& ns : o.empty_ns)
        if (ns != "network") fail("--empty-ns: only network is supported, got \"{}\"", ns);
    if (!o.page_server.empty()) {
        const auto colon = o.page_server.rfind(':');
        if (colon == std::string::npos || colon == 0 || !util::parse_int(o.page_server.substr(colon + 1)))
            fail("--page-server: expected ADDRESS:PORT, got \"{}\"", o.page_server);
    }
    if (o.image_path.empty()) fail("--image-path: must not be empty");
}

std::vector<std::string> dump_args(const CriuOptions& o, const DumpPlan& p) {
    std::vector<std::string> a{o.pre_dump ? "pre-dump" : "dump", "--tree", std::to_string(p.pid), "--root", p.root,
                               "--log-file", kDumpLog};
    add_common(a, o);
    // A pre-dump always leaves the tree running; CRIU refuses the flag there.
    if (o.leave_running && !o.pre_dump) a.push_back("--leave-running");
    if (!o.parent_path.empty()) a.insert(a.end(), {"--prev-images-dir", o.parent_path});
    if (!o.page_server.empty()) {
        const auto colon = o.page_server.rfind(':');
        a.insert(a.end(), {"--page-server", "--address", o.page_server.substr(0, colon), "--port",
                           o.page_server.substr(colon + 1)});
    }
    if (!p.freeze_cgroup.empty()) a.insert(a.end(), {"--freeze-cgroup", p.freeze_cgroup});
    for (const auto& [key, cookie] : p.mounts) a.insert(a.end(), {"--external", "mnt[" + key + "]:" + cookie});
    for (const auto& key : p.files) a.insert(a.end(), {"--external", key});
    return a;
}

std::vector<std::string> restore_args(const CriuOptions& o, const RestorePlan& p) {
    // Detached, and the restored root task a sibling of CRIU: ocirt's child, as runc has it.
    std::vector<std::string> a{"restore", "--restore-detached", "--restore-sibling", "--root", p.root,
                               "--log-file", kRestoreLog, "--pidfile", p.pid_file, "--evasive-devices"};
    add_common(a, o);
    if (!p.cgroup_root.empty()) a.insert(a.end(), {"--cgroup-root", p.cgroup_root});
    for (const auto& [cookie, source] : p.mounts) a.insert(a.end(), {"--external", "mnt[" + cookie + "]:" + source});
    for (const auto& [fd, key] : p.inherit_fds) a.insert(a.end(), {"--inherit-fd", "fd[" + std::to_string(fd) + "]:" + key});
    return a;
}

}  // namespace ocirt::checkpoint
