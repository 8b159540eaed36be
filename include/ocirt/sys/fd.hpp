#pragma once
/// Fd: the one owner of a file descriptor. Move-only; closes on destruction.

#include <utility>
#include <vector>

namespace ocirt::sys {

/// An owned file descriptor (-1 when empty).
class Fd {
public:
    Fd() = default;
    /// Takes ownership of `fd`.
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~Fd() { reset(); }

    /// The raw descriptor, still owned.
    int get() const noexcept { return fd_; }
    /// True if a descriptor is held.
    bool valid() const noexcept { return fd_ >= 0; }
    explicit operator bool() const noexcept { return valid(); }
    /// Gives up ownership and returns the descriptor.
    int release() noexcept { return std::exchange(fd_, -1); }
    /// Closes the held descriptor and takes `fd` instead.
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

/// Duplicates `fd` with O_CLOEXEC.
Fd dup_cloexec(int fd);
/// Duplicates `fd` onto the lowest free fd >= `min_fd`, with O_CLOEXEC.
Fd dup_above(int fd, int min_fd);
/// Duplicates `fd` onto `target` (dup3; no O_CLOEXEC on target).
void dup_to(int fd, int target);
/// Sets or clears FD_CLOEXEC.
void set_cloexec(int fd, bool on);
/// Marks every fd >= `first` close-on-exec (close_range CLOEXEC, with a /proc fallback).
void cloexec_from(int first);
/// Returns the open fds of this process (from /proc/self/fd).
std::vector<int> open_fds();

}  // namespace ocirt::sys
