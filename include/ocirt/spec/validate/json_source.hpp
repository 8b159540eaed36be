#pragma once
/// A strict RFC 8259 JSON parser that builds an nlohmann::json value and remembers where every
/// value (and every object key) sits in the text, so diagnostics can name line and column.
/// It never throws on bad input: the first syntax error is returned with its offset. Nesting
/// depth is bounded, strings must be valid UTF-8, lone surrogates are rejected.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocirt/spec/validate/path.hpp"

namespace ocirt::spec::validate {

/// The deepest nesting of arrays and objects accepted anywhere ocirt reads JSON (validate,
/// create, exec --process, the state file). Real configs reach about 6.
inline constexpr std::size_t kMaxJsonDepth = 128;

/// Limits that keep parsing of hostile input bounded in time and stack.
struct ParseLimits {
    std::size_t max_depth = kMaxJsonDepth;       ///< deepest nesting of arrays and objects
    std::size_t max_size = std::size_t{1} << 30;  ///< largest accepted text in bytes
    bool record_source = true;                   ///< build ParsedJson::source (off: the value only, faster)
};

/// Where one value sits in the source text; children mirror the value's structure.
struct SourceNode {
    static constexpr std::uint32_t kNoKey = 0xffffffffu;

    std::uint32_t begin = 0;           ///< offset of the value's first byte
    std::uint32_t end = 0;             ///< offset one past the value's last byte
    std::uint32_t key_begin = kNoKey;  ///< offset of the member's key (object members only)
    const std::string* key = nullptr;  ///< the member's key, owned by the parsed value
    std::vector<SourceNode> children;  ///< object members in source order, or array elements
};

/// A key that appeared twice in one object; the parsed value keeps the last occurrence.
struct DuplicateKey {
    std::string object;                  ///< JSON pointer of the object holding the key
    std::string key;                     ///< the repeated key
    std::uint32_t key_offset = 0;        ///< offset of the second (or later) occurrence of the key
    std::uint32_t first_key_offset = 0;  ///< offset of its first occurrence
};

/// The outcome of parse_json(): the value and its source map, or the first syntax error.
struct ParsedJson {
    nlohmann::json value;
    SourceNode source;
    std::vector<DuplicateKey> duplicates;
    bool ok = false;
    std::size_t error_offset = 0;  ///< where the syntax error was found (when !ok)
    std::string error;             ///< what was wrong, e.g. "expected ',' or '}' after an object member"
};

/// Parses `text` as one JSON document.
ParsedJson parse_json(std::string_view text, const ParseLimits& limits = {});

/// The source node for `path` below `root`, or nullptr. For repeated keys the last one wins,
/// matching the parsed value.
const SourceNode* find_source(const SourceNode& root, std::span<const PathElem> path);

/// A 1-based line and column; columns count Unicode code points, a tab counts as one.
struct TextPosition {
    std::uint32_t line = 1;
    std::uint32_t column = 1;
};

/// Maps byte offsets of a text to lines and columns.
class LineIndex {
public:
    /// Indexes `text`, which must outlive the index.
    explicit LineIndex(std::string_view text);
    /// The line and column of `offset` (clamped to the end of the text). O(log lines) plus
    /// the length of the line up to `offset`.
    TextPosition at(std::size_t offset) const;
    /// Only the line of `offset`: O(log lines).
    std::uint32_t line_of(std::size_t offset) const;

private:
    std::string_view text_;
    std::vector<std::size_t> starts_;
};

}  // namespace ocirt::spec::validate
