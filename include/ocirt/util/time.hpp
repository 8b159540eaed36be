#pragma once
/// Wall-clock time formatting.

#include <string>

namespace ocirt::util {

/// The current UTC time as RFC 3339 with nanoseconds ("2026-11-22T15:04:05.123456789Z").
std::string now_rfc3339();

}  // namespace ocirt::util
