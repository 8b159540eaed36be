#include "ocirt/cgroup/cgroup_dir.hpp"

#include <fcntl.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup {

bool CgroupDir::has(const std::string& name) const { return sys::stat_path(file(name)).has_value(); }

void CgroupDir::write(const std::string& name, const std::string& value, const std::string& field) const {
    with_context(field, [&] {
        if (!has(name)) fail("{} does not exist (the kernel or the cgroup's enabled controllers lack it)", file(name));
        sys::write_existing_file(file(name), value);
    });
}

std::string CgroupDir::read(const std::string& name) const {
    std::string s = sys::read_file(file(name), 1u << 20);
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

std::optional<std::string> CgroupDir::try_read(const std::string& name) const {
    // One open, no stat first (`list` reads the freezer state of every container).
    const std::string path = file(name);
    const sys::Fd fd = sys::try_open_at(AT_FDCWD, path, O_RDONLY);
    if (!fd) return std::nullopt;
    std::string s;
    try {
        s = with_context(path, [&] { return sys::read_fd(fd.get(), 1u << 20); });
    } catch (const Error& e) {
        if (e.code() == ENODEV) return std::nullopt;  // the cgroup was removed after the open
        throw;
    }
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

std::optional<std::string> CgroupDir::try_read_value(const std::string& name) const {
    std::optional<std::string> s;
    try {
        s = sys::try_read_single_record(file(name));
    } catch (const Error& e) {
        if (e.code() == ENODEV) return std::nullopt;  // the cgroup was removed after the open
        throw;
    }
    if (s) while (!s->empty() && s->back() == '\n') s->pop_back();
    return s;
}

std::map<std::string, uint64_t> CgroupDir::read_keyed(const std::string& name) const {
    const auto text = try_read(name);
    return text ? parse_keyed(*text) : std::map<std::string, uint64_t>{};
}

std::map<std::string, uint64_t> parse_keyed(const std::string& text) {
    std::map<std::string, uint64_t> out;
    for (const auto& line : util::split(text, '\n')) {
        const auto sp = line.find(' ');
        if (sp == std::string::npos) continue;
        if (auto v = util::parse_uint(util::trim(line.substr(sp + 1)))) out[line.substr(0, sp)] = *v;
    }
    return out;
}

}  // namespace ocirt::cgroup
