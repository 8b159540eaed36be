// Reading config.json from disk: size limit, JSON syntax errors with line and column, and a
// nesting limit enforced while parsing so that no deep tree is ever built.

#include <sys/stat.h>

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ocirt/spec/config.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::spec {
namespace {

constexpr size_t kMaxConfigBytes = 16u << 20;
// Containers (objects and arrays) nested deeper than this are refused. Real configs reach
// about 6; the limit keeps the recursive model builder far from the stack's end.
constexpr int kMaxDepth = 64;

/// Thrown out of the parser callback; caught below and turned into an ocirt::Error.
struct TooDeep {};

/// 1-based line and column of the byte at `offset` (0-based) in `text`.
std::pair<size_t, size_t> line_column(std::string_view text, size_t offset) {
    if (offset > text.size()) offset = text.size();
    size_t line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return {line, offset - line_start + 1};
}

/// The reason part of a nlohmann parse_error message, without its id and position prefix.
std::string parse_error_reason(const std::string& what) {
    // "[json.exception.parse_error.101] parse error at line 2, column 10: syntax error ..."
    std::string_view w = what;
    if (const auto bracket = w.find("] "); bracket != std::string_view::npos) w.remove_prefix(bracket + 2);
    if (w.starts_with("parse error")) {
        if (const auto colon = w.find(": "); colon != std::string_view::npos) w.remove_prefix(colon + 2);
    }
    return std::string(w);
}

}  // namespace

nlohmann::json read_config_json(const std::string& path) {
    // Checked up front for a clear message; read_file's own limit still guards a file that
    // grows in between, or one that stat cannot size (a pipe).
    if (const auto st = sys::stat_path(path); st && S_ISREG(st->st_mode) &&
                                              static_cast<size_t>(st->st_size) > kMaxConfigBytes)
        fail("{}: config.json is larger than 16 MiB ({} bytes)", path, st->st_size);
    const std::string text = sys::read_file(path, kMaxConfigBytes);

    const nlohmann::json::parser_callback_t limit_depth =
        [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
            // At a start event `depth` counts the containers around the one being opened.
            if ((event == nlohmann::json::parse_event_t::object_start ||
                 event == nlohmann::json::parse_event_t::array_start) &&
                depth >= kMaxDepth)
                throw TooDeep{};
            return true;
        };
    try {
        return nlohmann::json::parse(text, limit_depth);
    } catch (const TooDeep&) {
        fail("{}: JSON nested deeper than {} levels", path, kMaxDepth);
    } catch (const nlohmann::json::parse_error& e) {
        // e.byte is the 1-based count of bytes read when the error was found: the offending
        // byte is the last one read.
        const auto [line, column] = line_column(text, e.byte == 0 ? 0 : e.byte - 1);
        fail("{}: invalid JSON at line {}, column {}: {}", path, line, column, parse_error_reason(e.what()));
    } catch (const nlohmann::json::exception& e) {
        fail("{}: invalid JSON: {}", path, parse_error_reason(e.what()));
    }
}

}  // namespace ocirt::spec
