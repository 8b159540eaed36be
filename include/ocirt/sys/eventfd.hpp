#pragma once
/// eventfd(2): a counter the kernel (or another process) signals, read as one 8-byte value.

#include <cstdint>

#include "ocirt/sys/fd.hpp"

namespace ocirt::sys {

/// A new eventfd, close-on-exec and non-blocking, counting from 0.
Fd event_fd();
/// Takes the eventfd's count (resetting it to 0); 0 when nothing was signalled since.
uint64_t take_event_count(int fd);

}  // namespace ocirt::sys
