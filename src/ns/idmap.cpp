#include "ocirt/ns/idmap.hpp"

#include <fcntl.h>

#include <cstdlib>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/sys/spawn.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/passwd.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::ns {

std::vector<IdRange> parse_id_map(const std::string& text) {
    std::vector<IdRange> out;
    for (const auto& line : util::split(text, '\n')) {
        std::vector<std::string> f;
        for (const auto& w : util::split(line, ' '))
            if (!w.empty()) f.push_back(w);
        if (f.empty()) continue;
        if (f.size() != 3) fail("id map: malformed line \"{}\"", line);
        IdRange r;
        const auto a = util::parse_uint(f[0]), b = util::parse_uint(f[1]), c = util::parse_uint(f[2]);
        if (!a || !b || !c) fail("id map: malformed line \"{}\"", line);
        out.push_back(IdRange{*a, *b, *c});
    }
    return out;
}

bool is_initial_map(const std::vector<IdRange>& map) {
    return map.size() == 1 && map[0].inside == 0 && map[0].outside == 0 && map[0].count == 4294967295ULL;
}

std::vector<IdRange> own_uid_map() {
    try {
        return parse_id_map(sys::read_file("/proc/self/uid_map", 1u << 16));
    } catch (const Error&) {
        return {{0, 0, 4294967295ULL}};  // no uid_map: a kernel without user namespaces
    }
}

bool running_in_user_namespace() { return !is_initial_map(own_uid_map()); }

bool maps_outside_root(const std::vector<IdRange>& map) {
    for (const auto& r : map)
        if (r.outside == 0 && r.count > 0) return true;
    return false;
}

std::vector<SubRange> subordinate_ranges(const std::string& text, const std::string& name, uint32_t id) {
    std::vector<SubRange> out;
    for (const auto& line : util::split(text, '\n')) {
        const auto f = util::split(line, ':');
        if (f.size() != 3 || f[0].empty() || f[0][0] == '#') continue;
        if (f[0] != name && f[0] != std::to_string(id)) continue;
        const auto start = util::parse_uint(f[1]), count = util::parse_uint(f[2]);
        if (start && count && *count > 0) out.push_back(SubRange{*start, *count});
    }
    return out;
}

bool is_own_id_only(const std::vector<spec::IdMapping>& maps, uint32_t own_id) {
    return maps.size() == 1 && maps[0].host_id == own_id && maps[0].size == 1;
}

std::optional<spec::IdMapping> first_unallowed(const std::vector<spec::IdMapping>& maps,
                                               const std::vector<SubRange>& ranges, uint32_t own_id) {
    for (const auto& m : maps) {
        // shadow's newuidmap also lets a user map its own id alone.
        if (m.size == 1 && m.host_id == own_id) continue;
        bool inside = false;
        for (const auto& r : ranges)
            if (m.host_id >= r.start && uint64_t{m.host_id} + m.size <= r.start + r.count) inside = true;
        if (!inside) return m;
    }
    return std::nullopt;
}

namespace {

struct MapKind {
    const char* file;    ///< uid_map
    const char* field;   ///< uidMappings
    const char* helper;  ///< newuidmap
    const char* subids;  ///< /etc/subuid
};
constexpr MapKind kUid{"uid_map", "uidMappings", "newuidmap", "/etc/subuid"};
constexpr MapKind kGid{"gid_map", "gidMappings", "newgidmap", "/etc/subgid"};

void write_proc_file(int pid, const std::string& file, const std::string& text, const std::string& what) {
    const std::string path = fmt::format("/proc/{}/{}", pid, file);
    sys::Fd fd = sys::open_at(AT_FDCWD, path, O_WRONLY);
    with_context(fmt::format("write {} to {}", what, path), [&] { sys::write_all(fd.get(), text); });
}

void write_direct(int pid, const MapKind& k, const std::vector<spec::IdMapping>& maps) {
    std::string text;
    for (const auto& m : maps) text += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
    write_proc_file(pid, k.file, text, fmt::format("linux.{}", k.field));
}

/// runc's lookup of the helper: the first executable `name` on PATH.
std::optional<std::string> find_helper(const std::string& name) {
    const char* path = std::getenv("PATH");
    for (const auto& dir : util::split(path && *path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
        if (dir.empty()) continue;
        const std::string candidate = dir + "/" + name;
        if (sys::is_executable(candidate)) return candidate;
    }
    return std::nullopt;
}

std::string user_name(uint32_t uid) {
    try {
        return util::name_of_uid(sys::read_file("/etc/passwd", 4u << 20), uid).value_or("");
    } catch (const Error&) {
        return "";
    }
}

void write_with_helper(int pid, const MapKind& k, const std::vector<spec::IdMapping>& maps, uint32_t own_id) {
    const auto helper = find_helper(k.helper);
    if (!helper)
        fail("linux.{}: mapping more than the caller's own id needs the setuid helper {} (Debian's uidmap "
             "package), not found on PATH",
             k.field, k.helper);
    const uint32_t uid = sys::effective_uid();
    const std::string name = user_name(uid);
    const std::string subids = sys::exists(k.subids) ? sys::read_file(k.subids, 4u << 20) : std::string();
    const auto ranges = subordinate_ranges(subids, name, uid);
    if (const auto bad = first_unallowed(maps, ranges, own_id)) {
        const uint64_t last = uint64_t{bad->host_id} + bad->size - 1;
        fail("linux.{}: host ids {}-{} are not among the ranges {} grants to {} (uid {})", k.field, bad->host_id, last,
             k.subids, name.empty() ? "this user" : name, uid);
    }
    std::vector<std::string> argv{k.helper, std::to_string(pid)};
    for (const auto& m : maps) {
        argv.push_back(std::to_string(m.container_id));
        argv.push_back(std::to_string(m.host_id));
        argv.push_back(std::to_string(m.size));
    }
    const auto r = sys::spawn_and_wait(*helper, argv, {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, "", 30);
    if (r.exit_code == 0) return;
    std::string out = r.output;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (const auto nl = out.find('\n'); nl != std::string::npos) out = out.substr(0, nl);
    fail("linux.{}: {} failed ({}): {}", k.field, *helper,
         r.signal ? fmt::format("signal {}", r.signal) : fmt::format("exit {}", r.exit_code), out);
}

}  // namespace

void write_id_maps(int pid, const std::vector<spec::IdMapping>& uids, const std::vector<spec::IdMapping>& gids) {
    const uid_t euid = sys::effective_uid();
    const gid_t egid = sys::effective_gid();
    if (euid == 0) {
        if (!uids.empty()) write_direct(pid, kUid, uids);
        if (!gids.empty()) write_direct(pid, kGid, gids);
        return;
    }
    if (!uids.empty()) {
        if (is_own_id_only(uids, euid))
            write_direct(pid, kUid, uids);
        else
            write_with_helper(pid, kUid, uids, euid);
    }
    if (!gids.empty()) {
        if (is_own_id_only(gids, egid)) {
            // An unprivileged writer's gid_map is accepted only once setgroups is denied
            // (user_namespaces(7)); newgidmap's mappings leave it allowed.
            write_proc_file(pid, "setgroups", "deny", "setgroups");
            write_direct(pid, kGid, gids);
        } else {
            write_with_helper(pid, kGid, gids, egid);
        }
    }
}

}  // namespace ocirt::ns
