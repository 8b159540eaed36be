#include "ocirt/checkpoint/externals.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::checkpoint {
namespace {

/// runc's rule (libcontainer's configs: Device "bind"): a bind or rbind option.
bool is_bind(const spec::Mount& m) {
    if (m.type && *m.type == "bind") return true;
    return std::any_of(m.options.begin(), m.options.end(), [](const std::string& o) { return o == "bind" || o == "rbind"; });
}

std::string proc_path(pid_t pid, const std::string& rest) { return "/proc/" + std::to_string(pid) + rest; }

/// The mount IDs of the container's mount namespace, from /proc/PID/mountinfo's first field.
std::set<std::string> container_mount_ids(pid_t pid) {
    std::set<std::string> ids;
    for (const auto& line : util::split(sys::read_file(proc_path(pid, "/mountinfo")), '\n')) {
        const auto space = line.find(' ');
        if (space != std::string::npos) ids.insert(line.substr(0, space));
    }
    return ids;
}

/// The mnt_id line of /proc/PID/fdinfo/N.
std::string fd_mount_id(pid_t pid, int fd) {
    for (const auto& line : util::split(sys::read_file(proc_path(pid, "/fdinfo/" + std::to_string(fd))), '\n'))
        if (util::starts_with(line, "mnt_id:")) return util::trim(line.substr(7));
    return "";
}

bool is_anonymous(const std::string& link) {
    return util::starts_with(link, "pipe:") || util::starts_with(link, "socket:") || util::starts_with(link, "anon_inode:");
}

}  // namespace

std::vector<External> dump_mounts(const spec::Config& c, pid_t pid) {
    std::vector<External> out;
    for (const auto& m : c.mounts)
        if (is_bind(m)) out.emplace_back(m.destination, m.destination);
    if (!c.linux_) return out;
    for (const auto& path : c.linux_->masked_paths) {
        const auto st = sys::stat_path(proc_path(pid, "/root" + path), false);
        if (st && !S_ISDIR(st->st_mode)) out.emplace_back(path, "/dev/null");
    }
    return out;
}

std::vector<External> restore_mounts(const spec::Config& c, const std::string& bundle) {
    std::vector<External> out;
    for (const auto& m : c.mounts) {
        if (!is_bind(m)) continue;
        std::string source = m.source.value_or("");
        if (source.empty()) fail("/mounts: the bind mount on {} has no source", m.destination);
        if (source[0] != '/') source = bundle + "/" + source;
        out.emplace_back(m.destination, source);
    }
    if (c.linux_ && !c.linux_->masked_paths.empty()) out.emplace_back("/dev/null", "/dev/null");
    return out;
}

std::string joined_network_namespace(const spec::Config& c) {
    if (!c.linux_) return "";
    for (const auto& ns : c.linux_->namespaces)
        if (ns.type == spec::NamespaceType::network && ns.path) return *ns.path;
    return "";
}

std::string dump_network_namespace(const spec::Config& c, pid_t pid) {
    if (joined_network_namespace(c).empty()) return "";
    const auto st = sys::stat_path(proc_path(pid, "/ns/net"));
    if (!st) fail("the container's network namespace (/proc/{}/ns/net) is gone", pid);
    return "net[" + std::to_string(st->st_ino) + "]:" + kExternalNetNs;
}

std::vector<StdioDescriptor> stdio_descriptors(pid_t pid) {
    const auto own = container_mount_ids(pid);
    std::vector<StdioDescriptor> out;
    for (int fd = 0; fd < 3; ++fd) {
        const std::string path = proc_path(pid, "/fd/" + std::to_string(fd));
        StdioDescriptor d;
        d.fd = fd;
        try {
            d.link = sys::read_link(path);
        } catch (const Error&) {
            out.push_back(d);  // closed
            continue;
        }
        if (!is_anonymous(d.link)) {
            const std::string mnt = fd_mount_id(pid, fd);
            const auto st = sys::stat_path(path);
            // Opened by whoever started the container, on a mount the container cannot see:
            // CRIU could not find its path, so it is declared and handed back at restore.
            const auto mnt_id = util::parse_uint(mnt);
            // CRIU's key spells both numbers in hex (files-reg.c: "file[%x:%" PRIx64 "]").
            if (st && mnt_id && !own.count(mnt))
                d.external_key = fmt::format("file[{:x}:{:x}]", *mnt_id, static_cast<uint64_t>(st->st_ino));
        }
        out.push_back(d);
    }
    return out;
}

void save_descriptors(const std::string& image_path, const std::vector<StdioDescriptor>& d) {
    nlohmann::json links = nlohmann::json::array();
    nlohmann::json externals = nlohmann::json::array();
    for (const auto& x : d) {
        links.push_back(x.link);
        if (!x.external_key.empty()) externals.push_back({{"fd", x.fd}, {"key", x.external_key}});
    }
    sys::replace_file(image_path + "/descriptors.json", links.dump(), 0600);
    sys::replace_file(image_path + "/ocirt-stdio.json", externals.dump(), 0600);
}

std::vector<StdioDescriptor> load_descriptors(const std::string& image_path) {
    std::vector<StdioDescriptor> out;
    try {
        const auto links = nlohmann::json::parse(sys::read_file(image_path + "/descriptors.json", 1 << 20));
        int fd = 0;
        for (const auto& l : links) out.push_back({fd++, l.is_string() ? l.get<std::string>() : "", ""});
        if (sys::exists(image_path + "/ocirt-stdio.json")) {
            const auto ext = nlohmann::json::parse(sys::read_file(image_path + "/ocirt-stdio.json", 1 << 20));
            for (const auto& e : ext) {
                const int fd_no = e.at("fd").get<int>();
                for (auto& d : out)
                    if (d.fd == fd_no) d.external_key = e.at("key").get<std::string>();
            }
        }
    } catch (const nlohmann::json::exception& e) {
        fail("{}/descriptors.json: {}", image_path, e.what());
    }
    return out;
}

std::vector<std::pair<int, std::string>> inherit_stdio(const std::vector<StdioDescriptor>& d) {
    std::vector<std::pair<int, std::string>> out;
    for (const auto& x : d) {
        if (!x.external_key.empty())
            out.emplace_back(x.fd, x.external_key);
        else if (util::starts_with(x.link, "pipe:"))
            out.emplace_back(x.fd, x.link);
    }
    return out;
}

}  // namespace ocirt::checkpoint
