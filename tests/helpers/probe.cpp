// probe: a small static program the integration tests place at /probe inside a
// container. It reports, as JSON on stdout, what a process sees from inside.
//
//   probe [report]          everything below, one JSON object
//   probe stat PATH...      lstat of each path (type, mode, device numbers, link)
//   probe write PATH        try to create and write PATH; exit 0 if it worked
//   probe sleep SECONDS     sleep, then exit 0
//   probe exit CODE         exit with CODE
//   probe signals           print {"ready":true}, wait for one signal, report it
//   probe personality V...  call personality(V) for each V (0x hex or decimal); print
//                           {"V": errno or 0, ...}
//   probe thread-mkdir PATH mkdir PATH from a second thread; print {"errno": N}
//   probe loopback          is "lo" up, and does a TCP connect to 127.0.0.1 work; print
//                           {"lo_up": B, "connect_errno": N}
//
// It is linked statically and uses no NSS (no getpwnam), so it needs nothing
// else in the rootfs. Output is written with stdio and flushed before exit.

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <pthread.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

extern char** environ;

namespace {

/// Minimal JSON writer: the caller emits keys and values in order; commas are automatic.
class Json {
public:
    void begin_object() { value_prefix(); std::fputc('{', stdout); first_ = true; }
    void end_object() { std::fputc('}', stdout); first_ = false; }
    void begin_array() { value_prefix(); std::fputc('[', stdout); first_ = true; }
    void end_array() { std::fputc(']', stdout); first_ = false; }

    void key(std::string_view k) {
        if (!first_) std::fputc(',', stdout);
        write_string(k);
        std::fputc(':', stdout);
        after_key_ = true;
    }
    void string(std::string_view s) { value_prefix(); write_string(s); }
    void number(long long n) { value_prefix(); std::printf("%lld", n); }
    void unsigned_number(unsigned long long n) { value_prefix(); std::printf("%llu", n); }
    void boolean(bool b) { value_prefix(); std::fputs(b ? "true" : "false", stdout); }
    void null() { value_prefix(); std::fputs("null", stdout); }

    void field(std::string_view k, std::string_view v) { key(k); string(v); }
    void field(std::string_view k, long long v) { key(k); number(v); }
    void field_bool(std::string_view k, bool v) { key(k); boolean(v); }

private:
    void value_prefix() {
        if (after_key_) {
            after_key_ = false;
        } else if (!first_) {
            std::fputc(',', stdout);
        }
        first_ = false;
    }

    static void write_string(std::string_view s) {
        std::fputc('"', stdout);
        for (unsigned char c : s) {
            switch (c) {
            case '"': std::fputs("\\\"", stdout); break;
            case '\\': std::fputs("\\\\", stdout); break;
            case '\n': std::fputs("\\n", stdout); break;
            case '\t': std::fputs("\\t", stdout); break;
            default:
                if (c < 0x20 || c >= 0x7f) {
                    std::printf("\\u%04x", c);
                } else {
                    std::fputc(c, stdout);
                }
            }
        }
        std::fputc('"', stdout);
    }

    bool first_ = true;
    bool after_key_ = false;
};

/// Reads a whole (small) file; returns false if it cannot be opened.
bool read_file(const char* path, std::string& out) {
    out.clear();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return true;
}

/// readlink() into a std::string; empty on failure.
std::string read_link(const char* path) {
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n < 0) return {};
    return std::string(buf, static_cast<size_t>(n));
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(sep, start);
        if (end == std::string_view::npos) end = s.size();
        parts.emplace_back(s.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

/// Undoes the octal escapes (\040 etc.) the kernel uses in mountinfo fields.
std::string unescape_mountinfo(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            const char a = s[i + 1], b = s[i + 2], c = s[i + 3];
            if (a >= '0' && a <= '7' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
                out.push_back(static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0')));
                i += 3;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

void emit_string_array(Json& j, const std::vector<std::string>& items) {
    j.begin_array();
    for (const auto& item : items) j.string(item);
    j.end_array();
}

void emit_identity(Json& j) {
    j.field("pid", getpid());
    j.field("ppid", getppid());
    j.field("uid", getuid());
    j.field("gid", getgid());
    j.field("euid", geteuid());
    j.field("egid", getegid());

    std::vector<gid_t> groups(static_cast<size_t>(NGROUPS_MAX));
    int n = getgroups(static_cast<int>(groups.size()), groups.data());
    j.key("groups");
    j.begin_array();
    for (int i = 0; i < n; ++i) j.number(groups[static_cast<size_t>(i)]);
    j.end_array();

    // umask() can only be read by setting it; put it straight back.
    mode_t mask = umask(0);
    umask(mask);
    j.field("umask", static_cast<long long>(mask));

    char cwd[4096];
    j.field("cwd", getcwd(cwd, sizeof cwd) ? cwd : "");

    struct utsname uts {};
    uname(&uts);
    j.field("hostname", uts.nodename);
    j.field("domainname", uts.domainname);
}

void emit_namespaces(Json& j) {
    static const char* const kTypes[] = {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
                                         "time", "time_for_children", "user", "uts"};
    j.key("namespaces");
    j.begin_object();
    for (const char* type : kTypes) {
        std::string path = std::string("/proc/self/ns/") + type;
        std::string target = read_link(path.c_str());
        j.key(type);
        if (target.empty()) j.null(); else j.string(target);
    }
    j.end_object();
}

/// Copies selected "Key:\tvalue" lines of /proc/self/status.
void emit_status(Json& j) {
    static const char* const kKeys[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
                                        "NoNewPrivs", "Seccomp", "Umask"};
    std::string status;
    read_file("/proc/self/status", status);
    j.key("status");
    j.begin_object();
    for (const auto& line : split(status, '\n')) {
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (const char* wanted : kKeys) {
            if (name == wanted) {
                size_t v = line.find_first_not_of(" \t", colon + 1);
                j.field(name, v == std::string::npos ? "" : line.substr(v));
            }
        }
    }
    j.end_object();
}

void emit_rlimits(Json& j) {
    struct Limit { const char* name; int resource; };
    static const Limit kLimits[] = {
        {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
        {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
        {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
        {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
        {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
        {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
    };
    j.key("rlimits");
    j.begin_object();
    for (const auto& limit : kLimits) {
        struct rlimit rl {};
        j.key(limit.name);
        if (getrlimit(static_cast<__rlimit_resource>(limit.resource), &rl) != 0) {
            j.null();
            continue;
        }
        // RLIM_INFINITY is reported as -1 so the JSON stays within 64-bit signed range.
        j.begin_object();
        j.field("soft", rl.rlim_cur == RLIM_INFINITY ? -1LL : static_cast<long long>(rl.rlim_cur));
        j.field("hard", rl.rlim_max == RLIM_INFINITY ? -1LL : static_cast<long long>(rl.rlim_max));
        j.end_object();
    }
    j.end_object();
}

void emit_environment(Json& j) {
    j.key("env");
    j.begin_array();
    for (char** e = environ; e && *e; ++e) j.string(*e);
    j.end_array();
}

/// Lists /proc/self/fd with link targets, leaving out the directory's own fd.
void emit_fds(Json& j) {
    j.key("fds");
    j.begin_object();
    DIR* dir = opendir("/proc/self/fd");
    if (dir) {
        const int own = dirfd(dir);
        while (const dirent* entry = readdir(dir)) {
            if (entry->d_name[0] == '.') continue;
            const int fd = std::atoi(entry->d_name);
            if (fd == own) continue;
            std::string link = std::string("/proc/self/fd/") + entry->d_name;
            j.field(entry->d_name, read_link(link.c_str()));
        }
        closedir(dir);
    }
    j.end_object();
}

void emit_tty(Json& j) {
    j.key("tty");
    j.begin_object();
    j.field_bool("stdin", isatty(0) == 1);
    j.field_bool("stdout", isatty(1) == 1);
    j.field_bool("stderr", isatty(2) == 1);
    struct winsize ws {};
    if (ioctl(0, TIOCGWINSZ, &ws) == 0) {
        j.key("winsize");
        j.begin_object();
        j.field("rows", ws.ws_row);
        j.field("cols", ws.ws_col);
        j.end_object();
    }
    if (isatty(0) == 1) {
        const char* name = ttyname(0);
        j.field("name", name ? name : "");
    }
    j.end_object();
}

/// One entry per line of /proc/self/mountinfo (see proc(5) for the fields).
void emit_mounts(Json& j) {
    std::string info;
    read_file("/proc/self/mountinfo", info);
    j.key("mounts");
    j.begin_array();
    for (const auto& line : split(info, '\n')) {
        if (line.empty()) continue;
        auto fields = split(line, ' ');
        size_t dash = 0;
        while (dash < fields.size() && fields[dash] != "-") ++dash;
        if (fields.size() < 10 || dash + 3 >= fields.size()) continue;
        j.begin_object();
        j.field("id", std::atoll(fields[0].c_str()));
        j.field("parent", std::atoll(fields[1].c_str()));
        j.field("device", fields[2]);
        j.field("root", unescape_mountinfo(fields[3]));
        j.field("mount_point", unescape_mountinfo(fields[4]));
        j.key("options");
        emit_string_array(j, split(fields[5], ','));
        j.key("optional");
        emit_string_array(j, std::vector<std::string>(fields.begin() + 6,
                                                      fields.begin() + static_cast<long>(dash)));
        j.field("fstype", fields[dash + 1]);
        j.field("source", unescape_mountinfo(fields[dash + 2]));
        j.key("super_options");
        emit_string_array(j, split(fields[dash + 3], ','));
        j.end_object();
    }
    j.end_array();
}

/// Files whose text the tests compare as a whole.
void emit_files(Json& j) {
    static const char* const kFiles[] = {"/proc/self/uid_map", "/proc/self/gid_map",
                                         "/proc/self/setgroups", "/proc/self/timens_offsets",
                                         "/proc/self/oom_score_adj", "/proc/self/cgroup"};
    j.key("files");
    j.begin_object();
    for (const char* path : kFiles) {
        std::string text;
        j.key(path);
        if (read_file(path, text)) j.string(text); else j.null();
    }
    j.end_object();
}

void emit_clocks(Json& j) {
    struct Clock { const char* name; clockid_t id; };
    static const Clock kClocks[] = {{"monotonic", CLOCK_MONOTONIC}, {"boottime", CLOCK_BOOTTIME},
                                    {"realtime", CLOCK_REALTIME}};
    j.key("clocks");
    j.begin_object();
    for (const auto& clock : kClocks) {
        struct timespec ts {};
        clock_gettime(clock.id, &ts);
        j.field(clock.name, static_cast<long long>(ts.tv_sec));
    }
    j.end_object();
}

/// The serial number of the session keyring, or -errno (e.g. -ENOKEY) if there is none.
long long session_keyring() {
    constexpr long kKeyctlGetKeyringId = 0;  // KEYCTL_GET_KEYRING_ID
    constexpr long kSpecSessionKeyring = -3;  // KEY_SPEC_SESSION_KEYRING
    long id = syscall(SYS_keyctl, kKeyctlGetKeyringId, kSpecSessionKeyring, 0L);
    return id >= 0 ? id : -errno;
}

int cmd_report() {
    std::string oom;
    read_file("/proc/self/oom_score_adj", oom);

    Json j;
    j.begin_object();
    emit_identity(j);
    j.field("oom_score_adj", std::atoll(oom.c_str()));
    j.field("session_keyring", session_keyring());
    emit_namespaces(j);
    emit_status(j);
    emit_rlimits(j);
    emit_environment(j);
    emit_fds(j);
    emit_tty(j);
    emit_mounts(j);
    emit_files(j);
    emit_clocks(j);
    j.end_object();
    std::fputc('\n', stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

const char* file_type(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return "reg";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "lnk";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "sock";
    default: return "unknown";
    }
}

int cmd_stat(int argc, char** argv) {
    Json j;
    j.begin_object();
    for (int i = 0; i < argc; ++i) {
        j.key(argv[i]);
        struct stat st {};
        if (lstat(argv[i], &st) != 0) {
            j.begin_object();
            j.field("errno", errno);
            j.end_object();
            continue;
        }
        j.begin_object();
        j.field("type", file_type(st.st_mode));
        j.field("mode", static_cast<long long>(st.st_mode & 07777));
        j.field("uid", st.st_uid);
        j.field("gid", st.st_gid);
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            j.field("major", major(st.st_rdev));
            j.field("minor", minor(st.st_rdev));
        }
        if (S_ISLNK(st.st_mode)) j.field("link", read_link(argv[i]));
        j.end_object();
    }
    j.end_object();
    std::fputc('\n', stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

int cmd_write(const char* path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = 0;
    if (fd < 0) {
        err = errno;
    } else {
        static const char kText[] = "written by probe\n";
        if (write(fd, kText, sizeof kText - 1) < 0) err = errno;
        if (close(fd) != 0 && err == 0) err = errno;
    }
    Json j;
    j.begin_object();
    j.field_bool("ok", err == 0);
    j.field("errno", err);
    j.field("error", err ? std::strerror(err) : "");
    j.end_object();
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return err == 0 ? 0 : 1;
}

int cmd_sleep(const char* seconds) {
    struct timespec left {std::atol(seconds), 0};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
    return 0;
}

/// Allocates and touches `mib` MiB of anonymous memory, one MiB at a time, printing the count
/// after each; then sleeps. Under a memory limit the OOM killer ends it part way.
int cmd_alloc(const char* mib) {
    const long total = std::atol(mib);
    for (long i = 1; i <= total; ++i) {
        // Through a volatile pointer, so the compiler cannot drop the unused allocation.
        volatile char* block = static_cast<char*>(std::malloc(1 << 20));
        if (block == nullptr) return 3;
        for (long off = 0; off < (1 << 20); off += 4096) block[off] = 1;
        std::printf("allocated %ld\n", i);
        std::fflush(stdout);
    }
    struct timespec left {3600, 0};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
    return 0;
}

/// Reports whether the loopback interface is up and a TCP connection to a listener on
/// 127.0.0.1 (an ephemeral port) succeeds: what a new network namespace needs to be usable.
int cmd_loopback() {
    bool up = false;
    const int probe_fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr {};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (probe_fd >= 0 && ::ioctl(probe_fd, SIOCGIFFLAGS, &ifr) == 0) up = (ifr.ifr_flags & IFF_UP) != 0;
    if (probe_fd >= 0) ::close(probe_fd);

    int err = 0;
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener < 0 || client < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
        ::listen(listener, 1) < 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) < 0 ||
        ::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        err = errno;
    Json j;
    j.begin_object();
    j.field_bool("lo_up", up);
    j.field("connect_errno", err);
    j.end_object();
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return 0;
}

/// Blocks every catchable signal, says so, then reports the first one that arrives.
/// Blocking (rather than installing handlers) also works as PID 1, where the
/// kernel drops signals that have no handler.
int cmd_signals() {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, nullptr);
    std::puts("{\"ready\":true}");
    std::fflush(stdout);

    siginfo_t info {};
    int sig;
    do {
        sig = sigwaitinfo(&all, &info);
    } while (sig < 0 && errno == EINTR);

    Json j;
    j.begin_object();
    j.field("signal", sig);
    j.field("name", sigabbrev_np(sig) ? sigabbrev_np(sig) : "");
    j.field("sender_pid", info.si_pid);
    j.end_object();
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return 0;
}

/// `probe sched`: the execution settings of this process, read the way tools read them:
/// /proc/self/personality, uname, ioprio_get, /proc/self/stat policy/priority/nice,
/// /proc/self/status Cpus_allowed_list and get_mempolicy.
int cmd_sched() {
    Json j;
    j.begin_object();
    std::string text;
    read_file("/proc/self/personality", text);
    j.field("personality", text.substr(0, text.find('\n')));
    struct utsname u {};
    uname(&u);
    j.field("machine", u.machine);
    const long io = syscall(SYS_ioprio_get, 1, 0);
    j.field("ioprio_class", io < 0 ? -1 : io >> 13);
    j.field("ioprio_level", io < 0 ? -1 : io & 0x1fff);
    read_file("/proc/self/stat", text);
    // Fields after the ")" that ends the command name: 3 is state; 18 priority, 19 nice, 41 policy.
    const auto fields = split(text.substr(text.rfind(')') + 2), ' ');
    j.field("priority", fields.size() > 16 ? std::atoll(fields[15].c_str()) : -1);
    j.field("nice", fields.size() > 16 ? std::atoll(fields[16].c_str()) : -1);
    j.field("policy", fields.size() > 38 ? std::atoll(fields[38].c_str()) : -1);
    read_file("/proc/self/status", text);
    std::string cpus;
    for (const auto& line : split(text, '\n'))
        if (line.rfind("Cpus_allowed_list:", 0) == 0) cpus = line.substr(line.find(':') + 1);
    while (!cpus.empty() && (cpus.front() == ' ' || cpus.front() == '\t')) cpus.erase(0, 1);
    j.field("cpus_allowed", cpus);
    int mode = -1;
    unsigned long nodes[16] = {};
    if (syscall(SYS_get_mempolicy, &mode, nodes, 16 * 8 * sizeof(unsigned long), nullptr, 0) < 0) mode = -1;
    j.field("mempolicy_mode", mode);
    j.field("mempolicy_nodes", static_cast<long long>(nodes[0]));
    // The policy as /proc shows it: the second field of the first mapping ("bind:0").
    std::string numa;
    if (read_file("/proc/self/numa_maps", text)) {
        const auto first = split(text.substr(0, text.find('\n')), ' ');
        if (first.size() > 1) numa = first[1];
    }
    j.field("numa_policy", numa);
    j.end_object();
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return 0;
}

int cmd_personality(int argc, char** argv) {
    std::string out = "{";
    for (int i = 0; i < argc; ++i) {
        const unsigned long v = std::strtoul(argv[i], nullptr, 0);
        errno = 0;
        const long r = ::syscall(SYS_personality, v);
        const int err = r < 0 ? errno : 0;
        if (i > 0) out += ", ";
        out += "\"" + std::string(argv[i]) + "\": " + std::to_string(err);
    }
    std::printf("%s}\n", out.c_str());
    std::fflush(stdout);
    return 0;
}

int cmd_thread_mkdir(const char* path) {
    struct Job {
        const char* path;
        int err;
    } job{path, 0};
    pthread_t t;
    auto body = [](void* arg) -> void* {
        auto* j = static_cast<Job*>(arg);
        j->err = ::mkdir(j->path, 0755) < 0 ? errno : 0;
        return nullptr;
    };
    if (pthread_create(&t, nullptr, body, &job) != 0) return 3;
    pthread_join(t, nullptr);
    std::printf("{\"errno\": %d}\n", job.err);
    std::fflush(stdout);
    return 0;
}

/// faccessat(X_OK, AT_EACCESS): glibc tries faccessat2 first and emulates it on ENOSYS only.
int cmd_access(const char* path) {
    const int err = ::faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0 ? errno : 0;
    std::printf("{\"errno\": %d}\n", err);
    std::fflush(stdout);
    return 0;
}

int usage() {
    std::fputs("usage: probe [report | stat PATH... | write PATH | sleep SECONDS | exit CODE | signals | sched |"
               " personality V... | thread-mkdir PATH | alloc MIB | loopback | access PATH]\n",
               stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return cmd_report();
    const std::string_view cmd = argv[1];
    if (cmd == "report" && argc == 2) return cmd_report();
    if (cmd == "stat" && argc >= 3) return cmd_stat(argc - 2, argv + 2);
    if (cmd == "write" && argc == 3) return cmd_write(argv[2]);
    if (cmd == "sleep" && argc == 3) return cmd_sleep(argv[2]);
    if (cmd == "exit" && argc == 3) return std::atoi(argv[2]);
    if (cmd == "signals" && argc == 2) return cmd_signals();
    if (cmd == "sched" && argc == 2) return cmd_sched();
    if (cmd == "personality" && argc >= 3) return cmd_personality(argc - 2, argv + 2);
    if (cmd == "thread-mkdir" && argc == 3) return cmd_thread_mkdir(argv[2]);
    if (cmd == "alloc" && argc == 3) return cmd_alloc(argv[2]);
    if (cmd == "loopback" && argc == 2) return cmd_loopback();
    if (cmd == "access" && argc == 3) return cmd_access(argv[2]);
    return usage();
}
