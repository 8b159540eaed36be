#pragma once
/// The per-phase startup trace (docs/trace.md): `Span s("mounts");` writes one JSON line with
/// the phase's CLOCK_MONOTONIC start and end when the scope ends, if tracing is on.
///
/// Off (the default) a Span costs one load and one branch: no clock read, no syscall. On, each
/// record is one write() to a file opened with O_APPEND, which the command (stage "runtime")
/// and its init stage (stage "init", the same open file passed in the bootstrap) share, so their
/// lines never interleave.

#include <cstdint>
#include <exception>
#include <string>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys::trace {

namespace detail {
/// The trace file's fd; -1 while tracing is off. The one value a Span tests.
extern int g_fd;
}  // namespace detail

/// True while records are written.
inline bool enabled() noexcept { return detail::g_fd >= 0; }

/// Opens `path` for appending (created 0644 if missing, close-on-exec) and turns tracing on
/// for this process as stage "runtime". Throws the open's error.
void open_file(const std::string& path);
/// Turns tracing on with an fd received from the parent (the init stage), naming the stage.
void adopt(Fd fd, const char* stage) noexcept;
/// The trace fd to pass on (-1 when off); still owned here.
int fd() noexcept;
/// Moves the trace fd to a number >= `min_fd` if it is below: the fds the container keeps
/// (3 .. min_fd-1) must be the caller's, never the trace file.
void keep_above(int min_fd);
/// Stops writing, without a syscall (the fd is close-on-exec): the init stage calls it before
/// it loads the seccomp filter, after which it may make no call of its own (docs/security.md).
void stop() noexcept;
/// Subtracted from every later clock reading: a process in a new time namespace sees
/// CLOCK_MONOTONIC moved by the namespace's offset, and its records must not.
void set_clock_offset_us(int64_t offset_us) noexcept;
/// CLOCK_MONOTONIC in microseconds, less the offset.
int64_t now_us() noexcept;
/// Writes one record (one write(); errors are ignored: a trace is diagnostic).
void write_record(const char* phase, int64_t start_us, int64_t end_us, bool failed) noexcept;

/// A traced phase: from construction to the end of the scope. `phase` must outlive the span
/// (a string literal). A span left by an exception is written with "failed": true.
class Span {
public:
    explicit Span(const char* phase) noexcept : phase_(phase) {
        if (enabled()) {
            start_ = now_us();
            unwinding_ = std::uncaught_exceptions();
        }
    }
    ~Span() { end(); }
    /// Ends the phase before the scope does (written once).
    void end() noexcept {
        if (start_ >= 0 && enabled()) write_record(phase_, start_, now_us(), std::uncaught_exceptions() > unwinding_);
        start_ = -1;
    }
    Span(const Span&) = delete;
    Span& operator=(const Span&) = delete;

private:
    const char* phase_;
    int64_t start_ = -1;
    int unwinding_ = 0;
};

}  // namespace ocirt::sys::trace
