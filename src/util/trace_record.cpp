#include "ocirt/util/trace_record.hpp"

#include <fmt/format.h>

namespace ocirt::util {
namespace {

constexpr std::size_t kNameMax = 64;

/// Copies a name keeping it a plain JSON string: only [A-Za-z0-9_], anything else becomes '_'.
std::size_t safe_name(const char* in, char* out) {
    std::size_t n = 0;
    for (; in != nullptr && in[n] != '\0' && n < kNameMax; ++n) {
        const char c = in[n];
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out[n] = plain ? c : '_';
    }
    out[n] = '\0';
    return n;
}

}  // namespace

std::size_t format_trace_record(const TraceRecord& r, char* buf) {
    char stage[kNameMax + 1];
    char phase[kNameMax + 1];
    safe_name(r.stage, stage);
    safe_name(r.phase, phase);
    // The widest line: two 64-character names, a pid and two 19-digit times, about 230 bytes.
    const auto res = fmt::format_to_n(buf, kTraceRecordMax - 1,
                                      R"({{"stage":"{}","phase":"{}","pid":{},"start_us":{},"end_us":{}{}}})", stage,
                                      phase, r.pid, r.start_us, r.end_us, r.failed ? R"(,"failed":true)" : "");
    std::size_t n = res.size < kTraceRecordMax - 1 ? res.size : kTraceRecordMax - 1;
    buf[n++] = '\n';
    return n;
}

}  // namespace ocirt::util
