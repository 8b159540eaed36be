#pragma once
/// One line of the startup trace (docs/trace.md): a JSON object on one line, formatted into a
/// caller's buffer without allocating, so that the init stage can write it in one write().

#include <cstddef>
#include <cstdint>

namespace ocirt::util {

/// One finished phase.
struct TraceRecord {
    const char* stage = "runtime";  ///< "runtime" (the ocirt command) or "init" (the init stage)
    const char* phase = "";         ///< short name: [a-z0-9_] (anything else is written as '_')
    long pid = 0;                   ///< the writer's pid as it sees itself
    int64_t start_us = 0;           ///< CLOCK_MONOTONIC, microseconds
    int64_t end_us = 0;
    bool failed = false;            ///< the phase ended by an error (an exception unwound it)
};

/// The longest line format_trace_record writes, newline included.
inline constexpr std::size_t kTraceRecordMax = 256;

/// Writes `r` as one JSON line ending in '\n' into `buf` (at least kTraceRecordMax bytes) and
/// returns its length. Names longer than 64 characters are cut.
std::size_t format_trace_record(const TraceRecord& r, char* buf);

}  // namespace ocirt::util
