#pragma once
/// The compiled-filter cache: a large profile (Docker's default, ~400 rules) costs its libseccomp
/// compile once per host, not once per container. Entries live in the directory the caller names
/// (runtime: `<state root>.cache/seccomp/`),
/// one file per key, written atomically; each carries its key and a SHA-256 of the program, is
/// bounded in size and is owned by us and not writable by others, or it is ignored and rebuilt.

#include <optional>
#include <string>

#include "ocirt/spec/config.hpp"

namespace ocirt::seccomp {

/// The canonical text of `s`: every field, length-prefixed, in a fixed order (two sections that
/// differ in any field give different texts).
std::string canonical_text(const spec::Seccomp& s);
/// The cache key: SHA-256 (hex) of the canonical text, the native architecture, the libseccomp
/// version and API level, and the cache format.
std::string cache_key(const spec::Seccomp& s);

/// A directory of compiled filters.
class FilterCache {
public:
    /// A cache in `dir` (created 0700 on the first store).
    explicit FilterCache(std::string dir) : dir_(std::move(dir)) {}
    /// The program stored under `key`, if an intact entry exists; a damaged, foreign or
    /// oversized entry counts as absent.
    std::optional<std::string> load(const std::string& key) const;
    /// Stores `program` under `key` (sys::replace_file: temp file, rename; no fsync, since a torn
    /// entry fails its digest and is rebuilt).
    void store(const std::string& key, const std::string& program) const;
    /// The file of `key`.
    std::string path_of(const std::string& key) const { return dir_ + "/" + key + ".bpf"; }

private:
    std::string dir_;
};

/// Wraps a program with the entry header (magic, key, program digest); exposed for tests.
std::string encode_entry(const std::string& key, const std::string& program);
/// The program in `entry` if its header matches `key` and its digest; nullopt otherwise.
std::optional<std::string> decode_entry(const std::string& key, const std::string& entry);

}  // namespace ocirt::seccomp
