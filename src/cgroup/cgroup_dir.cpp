#include "ocirt/cgroup/cgroup_dir.hpp"

#include <fcntl.h>

#include <cerrno>
#include <optional>
#include <string>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::cgroup {

bool CgroupDir::has(const std::string& name) const { return sys::stat_path(file(name)).has_value(); }

void CgroupDir::write(const std::string& name, const std::string& value, const std::string& field) const {
    with_context(field, [&] {
        try {
            sys::write_existing_file(file(name), value);
        } catch (const Error& e) {
            // Looked at only on failure: a stat before every write was one syscall per file.
            if (e.code() == ENOENT && !has(name))
                fail("{} does not exist (the kernel or the cgroup's enabled controllers lack it)", file(name));
            throw;
        }
    });
}

std::string CgroupDir::read(const std::string& name) const {
    std::string s = sys::read_file(file(name), 1u << 20);
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

namespace {

/// `read()` without its trailing newlines; nullopt where it finds nothing, or where the cgroup
/// was removed between the open and the read (kernfs answers ENODEV).
template <typename Read>
std::optional<std::string> unless_removed(Read read) {
    std::optional<std::string> s;
    try {
        s = read();
    } catch (const Error& e) {
        if (e.code() == ENODEV) return std::nullopt;
        throw;
    }
    if (s) while (!s->empty() && s->back() == '\n') s->pop_back();
    return s;
}

}  // namespace

std::optional<std::string> CgroupDir::try_read(const std::string& name) const {
    // One open, no stat first (`list` reads the freezer state of every container).
    const std::string path = file(name);
    const sys::Fd fd = sys::try_open_at(AT_FDCWD, path, O_RDONLY);
    if (!fd) return std::nullopt;
    return unless_removed([&]() -> std::optional<std::string> {
        return with_context(path, [&] { return sys::read_fd(fd.get(), 1u << 20); });
    });
}

std::optional<std::string> CgroupDir::try_read_value(const std::string& name) const {
    return unless_removed([&] { return sys::try_read_single_record(file(name)); });
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
