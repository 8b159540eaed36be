#pragma once
/// One cgroup directory and its interface files. Every write names the config field it applies,
/// so a kernel refusal reads "/linux/resources/memory/limit: write "1" to .../memory.max: ...".

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace ocirt::cgroup {

/// A cgroup v2 directory (the kernel's, or a temp dir with the same file names in unit tests).
class CgroupDir {
public:
    /// The cgroup at directory `path`.
    explicit CgroupDir(std::string path) : path_(std::move(path)) {}
    /// The directory.
    const std::string& path() const { return path_; }
    /// <path>/<file>.
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    /// True if the interface file exists (its controller is enabled, the kernel has it).
    bool has(const std::string& name) const;
    /// Writes `value` to an existing interface file; errors carry `field` as context. A missing
    /// file is an error naming the file ("the kernel or the enabled controllers lack it").
    void write(const std::string& name, const std::string& value, const std::string& field) const;
    /// Reads an interface file, without the trailing newline.
    std::string read(const std::string& name) const;
    /// Reads an interface file; nullopt if it does not exist, or if the cgroup was removed between
    /// the open and the read (the kernel then answers ENODEV: systemd removes a scope's cgroup
    /// once its last process is gone, while delete is reading it).
    std::optional<std::string> try_read(const std::string& name) const;
    /// Like try_read, for a file that holds one value (cgroup.freeze, freezer.self_freezing):
    /// one read (sys::try_read_single_record).
    std::optional<std::string> try_read_value(const std::string& name) const;
    /// Reads a flat keyed file ("key value" lines, as memory.events or cpu.stat); {} if absent.
    std::map<std::string, uint64_t> read_keyed(const std::string& name) const;

private:
    std::string path_;
};

/// Removes the cgroups below `dir`, deepest first, as runc's RemovePath does: the kernel refuses
/// (EBUSY) to remove a cgroup that has children, and they exist whenever exec --cgroup joined a
/// sub-cgroup a user made or the container made its own (systemd or a nested engine with a
/// cgroup namespace). Errors are left to the caller's rmdir of `dir` to report.
void remove_child_cgroups(const std::string& dir);
/// Parses "key value" lines; lines that do not parse are skipped.
std::map<std::string, uint64_t> parse_keyed(const std::string& text);

}  // namespace ocirt::cgroup
