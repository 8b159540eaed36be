#pragma once
/// Validation of config.json (and state documents) against the bundled runtime-spec 1.3.0
/// schema plus the semantic rules, with every problem located by JSON pointer and line:column:
///
///     config.json:14:17: /process/user/uid: expected integer ≥ 0, got "root"
///
/// Nothing here throws for bad input: malformed JSON is one diagnostic like any other.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ocirt/spec/validate/json_source.hpp"

namespace ocirt::spec::validate {

/// The runtime-spec version the bundled schema describes.
inline constexpr std::string_view kRuntimeSpecVersion = "1.3.0";

/// How serious a diagnostic is; only errors make a document invalid.
enum class Severity { error, warning };

/// One problem, located in the source text.
struct Diagnostic {
    Severity severity = Severity::error;
    std::uint32_t line = 1;    ///< 1-based
    std::uint32_t column = 1;  ///< 1-based, in code points
    std::string pointer;       ///< JSON pointer of the value ("" for the whole document)
    std::string message;       ///< what is wrong, e.g. "expected integer ≥ 0, got \"root\""
};

/// The outcome of validating one document.
struct Report {
    std::string file;                     ///< display name, e.g. "config.json"
    std::vector<Diagnostic> diagnostics;  ///< sorted by position; when capped, a last summary line
    std::size_t not_shown = 0;            ///< problems beyond the cap, counted in the summary line
    /// True if there are no errors (warnings allowed).
    bool valid() const;
    /// Number of diagnostics with Severity::error.
    std::size_t error_count() const;
};

/// Limits for one validation.
struct ValidationLimits {
    std::size_t max_diagnostics = 100;       ///< further problems are summarised in one last line
    std::size_t max_depth = kMaxJsonDepth;  ///< deepest JSON nesting accepted
};

/// Validates the text of a config.json: JSON syntax, the bundled schema, the semantic checks.
Report validate_config_text(std::string_view text, std::string_view display_name, const ValidationLimits& limits = {});

/// The same, and when the config is valid (warnings allowed) moves the parsed document into
/// `document`, so that create builds its model from the one parse that was validated.
Report validate_config_text(std::string_view text, std::string_view display_name, nlohmann::json& document,
                            const ValidationLimits& limits = {});

/// Validates the text of a state document (the output of `ocirt state`) against state-schema.json.
Report validate_state_text(std::string_view text, std::string_view display_name, const ValidationLimits& limits = {});

/// For create and run: validates the text of a config.json and, if it has errors, throws an
/// ocirt::Error whose message lists every diagnostic in format_text() form, one per line.
/// Returns the warnings of a valid config, for the caller to log.
std::vector<Diagnostic> require_valid_config(std::string_view text, std::string_view display_name);

/// One line per diagnostic ("file:line:col: [warning: ]pointer: message"), then, if the document
/// is valid, "file: valid (runtime-spec 1.3.0)". Every line ends in '\n'.
std::string format_text(const Report& report);

/// A JSON array with one object per diagnostic: file, line, column, pointer, severity, message.
std::string format_json(const Report& report);

}  // namespace ocirt::spec::validate
