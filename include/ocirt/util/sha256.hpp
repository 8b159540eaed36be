#pragma once
/// SHA-256 (FIPS 180-4), for content keys that must not collide even when an attacker writes
/// the input (the seccomp filter cache is keyed by a hash of a config section).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ocirt::util {

/// The 32-byte SHA-256 digest of `data`.
std::array<uint8_t, 32> sha256(std::string_view data);
/// The digest as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);
/// Bytes as lowercase hex.
std::string to_hex(std::string_view bytes);
/// Hex (either case) back to bytes into `out`; false if `hex` is not an even run of hex digits.
bool from_hex(std::string_view hex, std::string& out);

}  // namespace ocirt::util
