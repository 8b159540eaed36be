#include "ocirt/seccomp/cache.hpp"

#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/sha256.hpp"

namespace ocirt::seccomp {
namespace {

// v2: programs carry the ENOSYS stub (enosys.hpp); v1 entries are not used.
constexpr const char* kMagic = "ocirt-seccomp-bpf v2\n";
constexpr size_t kMaxProgram = BPF_MAXINSNS * sizeof(sock_filter);
constexpr size_t kHeader = 21 + 64 + 1 + 64 + 1;  // magic, key, '\n', program digest, '\n'
constexpr size_t kMaxEntry = kHeader + kMaxProgram;

void put(std::string& out, const std::string& field, const std::string& value) {
    out += field;
    out += '=';
    out += std::to_string(value.size());
    out += ':';
    out += value;
    out += '\n';
}

void put(std::string& out, const std::string& field, std::optional<uint64_t> value) {
    put(out, field, value ? std::to_string(*value) : std::string("-"));
}

}  // namespace

std::string canonical_text(const spec::Seccomp& s) {
    std::string out;
    put(out, "defaultAction", s.default_action);
    put(out, "defaultErrnoRet", s.default_errno_ret);
    put(out, "architectures", std::to_string(s.architectures.size()));
    for (const auto& a : s.architectures) put(out, "arch", a);
    put(out, "flags", std::to_string(s.flags.size()));
    for (const auto& f : s.flags) put(out, "flag", f);
    put(out, "syscalls", std::to_string(s.syscalls.size()));
    for (const auto& c : s.syscalls) {
        put(out, "names", std::to_string(c.names.size()));
        for (const auto& n : c.names) put(out, "name", n);
        put(out, "action", c.action);
        put(out, "errnoRet", c.errno_ret);
        put(out, "args", std::to_string(c.args.size()));
        for (const auto& a : c.args) {
            put(out, "index", a.index);
            put(out, "value", a.value);
            put(out, "valueTwo", a.value_two);
            put(out, "op", a.op);
        }
    }
    // listenerPath and listenerMetadata do not change the program.
    return out;
}

std::string cache_key(const spec::Seccomp& s) {
    const scmp_version* v = seccomp_version();
    std::string text = kMagic;
    text += fmt::format("arch {:#x} libseccomp {}.{}.{} api {}\n", seccomp_arch_native(), v->major, v->minor, v->micro,
                        seccomp_api_get());
    text += canonical_text(s);
    return util::sha256_hex(text);
}

std::string encode_entry(const std::string& key, const std::string& program) {
    return std::string(kMagic) + key + "\n" + util::sha256_hex(program) + "\n" + program;
}

std::optional<std::string> decode_entry(const std::string& key, const std::string& entry) {
    if (entry.size() < kHeader || entry.size() > kMaxEntry) return std::nullopt;
    const std::string want = std::string(kMagic) + key + "\n";
    if (entry.compare(0, want.size(), want) != 0) return std::nullopt;
    std::string program = entry.substr(kHeader);
    if (program.empty() || program.size() % sizeof(sock_filter) != 0) return std::nullopt;
    if (entry.compare(want.size(), 65, util::sha256_hex(program) + "\n") != 0) return std::nullopt;
    return program;
}

std::optional<std::string> FilterCache::load(const std::string& key) const {
    const std::string path = path_of(key);
    try {
        sys::Fd fd = sys::try_open_at(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW);
        if (!fd) return std::nullopt;
        const struct stat st = sys::stat_fd(fd.get());
        // Only an entry this user wrote and nobody else can change is trusted.
        if (!S_ISREG(st.st_mode) || st.st_uid != sys::real_uid() || (st.st_mode & 022) != 0 ||
            static_cast<size_t>(st.st_size) > kMaxEntry) {
            log::warn("seccomp cache: ignoring {} (not a private regular file of the expected size)", path);
            return std::nullopt;
        }
        auto program = decode_entry(key, sys::read_fd(fd.get(), kMaxEntry));
        if (!program) log::warn("seccomp cache: ignoring {} (damaged or not for this key)", path);
        return program;
    } catch (const Error& e) {
        log::warn("seccomp cache: ignoring {}: {}", path, e.what());
        return std::nullopt;
    }
}

void FilterCache::store(const std::string& key, const std::string& program) const {
    sys::make_dirs(dir_, 0700);
    sys::replace_file(path_of(key), encode_entry(key, program), 0600);
}

}  // namespace ocirt::seccomp
