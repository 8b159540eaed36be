#include "ocirt/sys/trace.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "ocirt/util/error.hpp"
#include "ocirt/util/trace_record.hpp"

namespace ocirt::sys::trace {

namespace detail {
int g_fd = -1;
}  // namespace detail

namespace {

/// Owns the fd for the life of the process (the records of unwinding spans still need it).
Fd& owned() {
    static Fd f;
    return f;
}

const char* g_stage = "runtime";
int64_t g_offset_us = 0;

}  // namespace

void open_file(const std::string& path) {
    const int f = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
    if (f < 0) throw_errno("open {}", path);
    adopt(Fd(f), "runtime");
}

void adopt(Fd fd, const char* stage) noexcept {
    owned() = std::move(fd);
    detail::g_fd = owned().get();
    g_stage = stage;
}

int fd() noexcept { return detail::g_fd; }

void keep_above(int min_fd) {
    if (detail::g_fd < 0 || detail::g_fd >= min_fd) return;
    Fd moved = dup_above(detail::g_fd, min_fd);
    adopt(std::move(moved), g_stage);
}

void stop() noexcept {
    detail::g_fd = -1;
    // Not closed: that would be a syscall; the fd is close-on-exec and goes with the execve.
    (void)owned().release();
}

void set_clock_offset_us(int64_t offset_us) noexcept { g_offset_us = offset_us; }

int64_t now_us() noexcept {
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000 - g_offset_us;
}

void write_record(const char* phase, int64_t start_us, int64_t end_us, bool failed) noexcept {
    const int f = detail::g_fd;
    if (f < 0) return;
    const int saved_errno = errno;  // a span may end between a failed call and its errno check
    util::TraceRecord r;
    r.stage = g_stage;
    r.phase = phase;
    r.pid = ::getpid();
    r.start_us = start_us;
    r.end_us = end_us;
    r.failed = failed;
    char buf[util::kTraceRecordMax];
    const std::size_t n = util::format_trace_record(r, buf);
    // One write() per record: with O_APPEND the kernel places it whole at the end of the file,
    // so lines from the command and its init stage never mix. A short or failed write is
    // dropped; tracing never makes a command fail once it has started.
    while (::write(f, buf, n) < 0 && errno == EINTR) {
    }
    errno = saved_errno;
}

}  // namespace ocirt::sys::trace
