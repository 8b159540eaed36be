#pragma once
/// Reading a config document from disk: the size limit and the one strict parser that
/// `validate`, `create`, `run` and `exec --process` share (spec/config.cpp).

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace ocirt::spec {

/// The largest config.json ocirt reads.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{16} << 20;
/// Reads `path`, refusing files larger than kMaxConfigBytes.
std::string read_config_text(const std::string& path);
/// Parses a config document strictly (as `ocirt validate` does: at most kMaxJsonDepth levels,
/// no repeated key); errors start with `name:line:column:`.
nlohmann::json parse_config_text(std::string_view text, std::string_view name);

}  // namespace ocirt::spec
