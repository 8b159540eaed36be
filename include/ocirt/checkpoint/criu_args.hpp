#pragma once
/// runc's checkpoint/restore flags and the `criu dump` / `criu restore` command lines they map
/// to, with the container's external resources declared (pure: no system access).

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace ocirt::checkpoint {

/// The flags `checkpoint` and `restore` share with runc (each applies where runc applies it).
struct CriuOptions {
    std::string image_path;           ///< --image-path (absolute)
    std::string work_path;            ///< --work-path (absolute; the image path when not given)
    std::string parent_path;          ///< --parent-path: a previous (pre-)dump, relative to image_path or absolute
    bool leave_running = false;       ///< --leave-running
    bool tcp_established = false;     ///< --tcp-established
    bool ext_unix_sk = false;         ///< --ext-unix-sk
    bool shell_job = false;           ///< --shell-job
    bool lazy_pages = false;          ///< --lazy-pages
    bool file_locks = false;          ///< --file-locks
    bool pre_dump = false;            ///< --pre-dump
    bool auto_dedup = false;          ///< --auto-dedup
    int status_fd = -1;               ///< --status-fd
    std::string page_server;          ///< --page-server ADDRESS:PORT
    std::string manage_cgroups_mode;  ///< --manage-cgroups-mode: soft (default), full, strict, ignore
    std::vector<std::string> empty_ns;  ///< --empty-ns: "network"
};

/// Checks the values runc checks (cgroups mode, empty-ns types, page server form); throws
/// naming the flag.
void check_options(const CriuOptions& o);

/// One `--external` key and value: a mount point (or file key) and its cookie or source.
using External = std::pair<std::string, std::string>;

/// What the dump of one container declares.
struct DumpPlan {
    pid_t pid = 0;                     ///< the container process
    std::string root;                  ///< the container's rootfs on the host
    std::string freeze_cgroup;         ///< the cgroup directory CRIU freezes the tree through; may be empty
    std::vector<External> mounts;      ///< mnt[KEY]:COOKIE for bind mounts and masked files
    std::vector<std::string> files;    ///< file[mnt_id:inode] keys of stdio outside the container
};

/// What the restore of one container declares.
struct RestorePlan {
    std::string root;                  ///< where the rootfs is bind-mounted for CRIU
    std::string pid_file;              ///< CRIU writes the restored root task's PID there
    std::string cgroup_root;           ///< the container's new cgroup (in the hierarchy); may be empty
    std::vector<External> mounts;      ///< mnt[COOKIE]:SOURCE
    std::vector<std::pair<int, std::string>> inherit_fds;  ///< fd[N]:KEY
};

/// The log file name CRIU writes in the work directory.
inline constexpr const char* kDumpLog = "dump.log";
/// The log file name of a restore.
inline constexpr const char* kRestoreLog = "restore.log";

/// `criu dump` (or `pre-dump`) arguments after the program name.
std::vector<std::string> dump_args(const CriuOptions& o, const DumpPlan& p);
/// `criu restore` arguments after the program name.
std::vector<std::string> restore_args(const CriuOptions& o, const RestorePlan& p);

}  // namespace ocirt::checkpoint
