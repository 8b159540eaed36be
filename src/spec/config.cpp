// Reading config.json from disk: size limit, then the validator's strict parser (syntax errors
// with line and column, the one nesting limit, repeated keys refused).

// Reading config.json from disk: size limit, JSON syntax errors with line and column, and a
// nesting limit enforced while parsing so that no deep tree is ever built.

#include <sys/stat.h>

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ocirt/spec/config.hpp"
#include "ocirt/spec/config_file.hpp"
#include "ocirt/spec/validate/json_source.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::spec {

std::string read_config_text(const std::string& path) {
    // Checked up front for a clear message; read_file's own limit still guards a file that
    // grows in between, or one that stat cannot size (a pipe).
    if (const auto st = sys::stat_path(path); st && S_ISREG(st->st_mode) &&
                                              static_cast<size_t>(st->st_size) > kMaxConfigBytes)
        fail("{}: config.json is larger than 16 MiB ({} bytes)", path, st->st_size);
    return sys::read_file(path, kMaxConfigBytes);
}

nlohmann::json parse_config_text(std::string_view text, std::string_view name) {
    // The validator's parser, so that every reader of a config agrees with `ocirt validate`
    // on nesting (kMaxJsonDepth), strictness and repeated keys.
    validate::ParseLimits limits;
    limits.record_source = false;
    validate::ParsedJson parsed = validate::parse_json(text, limits);
    if (!parsed.ok) {
        const auto pos = validate::LineIndex(text).at(parsed.error_offset);
        fail("{}:{}:{}: invalid JSON: {}", name, pos.line, pos.column, parsed.error);
    }
    if (!parsed.duplicates.empty()) {
        const auto& dup = parsed.duplicates.front();
        const validate::LineIndex lines(text);
        fail("{}:{}: {}{}duplicate key \"{}\" (lines {} and {})", name, lines.line_of(dup.key_offset), dup.object,
             dup.object.empty() ? "" : ": ", dup.key, lines.line_of(dup.first_key_offset), lines.line_of(dup.key_offset));
    }
    return std::move(parsed.value);
}

nlohmann::json read_config_json(const std::string& path) { return parse_config_text(read_config_text(path), path); }

}  // namespace ocirt::spec
