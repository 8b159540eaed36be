#pragma once
/// Instance locations inside a JSON document: a path of keys and indices, rendered as a JSON
/// pointer (RFC 6901) only when a diagnostic needs one.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ocirt::spec::validate {

/// One step of a path: an object key or an array index. Keys are views; they point into the
/// validated document (or at string literals), which outlive the path.
struct PathElem {
    std::string_view key;
    std::size_t index = 0;
    bool is_index = false;

    /// A step into an object member.
    static PathElem member(std::string_view k) { return PathElem{k, 0, false}; }
    /// A step into an array element.
    static PathElem element(std::size_t i) { return PathElem{{}, i, true}; }
};

/// A path from the document root.
using InstancePath = std::vector<PathElem>;

/// Renders a path as a JSON pointer: "" for the root, "/process/args/0", "~0"/"~1" escapes.
std::string to_json_pointer(std::span<const PathElem> path);

/// Appends one pointer token, escaped, to `out` (without the leading '/').
void append_pointer_token(std::string& out, std::string_view token);

}  // namespace ocirt::spec::validate
