#pragma once
/// String and number parsing helpers shared by every layer. No syscalls.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocirt::util {

/// Splits `s` at every `sep`; empty fields are kept.
std::vector<std::string> split(std::string_view s, char sep);
/// Joins parts with `sep`.
std::string join(const std::vector<std::string>& parts, std::string_view sep);
/// True if `s` starts with `prefix`.
bool starts_with(std::string_view s, std::string_view prefix);
/// Parses a whole base-10 signed integer; nullopt on junk or overflow.
std::optional<int64_t> parse_int(std::string_view s);
/// Parses a whole base-10 unsigned integer; nullopt on junk or overflow.
std::optional<uint64_t> parse_uint(std::string_view s);
/// Removes leading and trailing white space.
std::string trim(std::string_view s);

}  // namespace ocirt::util
