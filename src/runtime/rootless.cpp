#include "ocirt/runtime/rootless.hpp"

#include <sys/stat.h>

#include <cstdlib>

#include "ocirt/ns/idmap.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {

bool is_rootless(Rootless flag) {
    if (flag != Rootless::auto_detect) return flag == Rootless::yes;
    if (sys::effective_uid() != 0) return true;
    const std::vector<ns::IdRange> map = ns::own_uid_map();
    return !ns::is_initial_map(map) && !ns::maps_outside_root(map);
}

std::string rootless_state_root() {
    const uid_t uid = sys::effective_uid();
    // A relative XDG_RUNTIME_DIR is ignored (the XDG base directory spec says so).
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && xdg[0] == '/') return std::string(xdg) + "/ocirt";
    const std::string run_user = fmt::format("/run/user/{}", uid);
    if (const auto st = sys::stat_path(run_user, false); st && S_ISDIR(st->st_mode) && st->st_uid == uid)
        return run_user + "/ocirt";
    return fmt::format("/tmp/ocirt-{}", uid);
}

std::string default_state_root() { return is_rootless(Rootless::auto_detect) ? rootless_state_root() : "/run/ocirt"; }

namespace {
std::string parent_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

/// Others may replace an entry of `st` when it is group/world-writable without the sticky bit.
bool others_may_rename_in(const struct stat& st) { return (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX); }
}  // namespace

void secure_state_root(const std::string& root) {
    const uid_t uid = sys::effective_uid();
    std::string clean = root;
    while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
    const std::string parent = parent_of(clean);
    const auto pst = sys::stat_path(parent);
    if (!pst) fail("state root {}: its parent {} does not exist", clean, parent);
    if (pst->st_uid != uid && pst->st_uid != 0)
        fail("state root {}: its parent {} belongs to uid {}, not to this user (uid {})", clean, parent, pst->st_uid, uid);
    if (others_may_rename_in(*pst))
        fail("state root {}: its parent {} is writable by other users without the sticky bit (mode {:o})", clean,
             parent, pst->st_mode & 07777);
    sys::make_dir(clean, 0700, true);
    const auto st = sys::stat_path(clean, false);
    if (!st || !S_ISDIR(st->st_mode)) fail("state root {}: not a directory", clean);
    if (st->st_uid != uid)
        fail("state root {}: belongs to uid {}, not to this user (uid {})", clean, st->st_uid, uid);
    if (st->st_mode & (S_IWGRP | S_IWOTH))
        fail("state root {}: writable by other users (mode {:o})", clean, st->st_mode & 07777);
}

void refuse_rootless_criu(const std::string& command) {
    if (!is_rootless(Rootless::auto_detect)) return;
    const uid_t uid = sys::effective_uid();
    fail("{}: running rootless (uid {}{}): CRIU needs root (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in the initial "
         "user namespace); checkpoint and restore are not supported rootless",
         command, uid, uid == 0 ? " in a user namespace that does not map host root" : "");
}

}  // namespace ocirt::runtime
