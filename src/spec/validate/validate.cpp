// The front of the validator: parse with positions, apply the schema and the semantic checks,
// turn every finding into a located diagnostic.

#include "ocirt/spec/validate/validate.hpp"

#include <algorithm>
#include <exception>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ocirt/spec/validate/embedded.hpp"
#include "ocirt/spec/validate/json_source.hpp"
#include "ocirt/spec/validate/regex.hpp"
#include "ocirt/spec/validate/semantic.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::spec::validate {

namespace {

constexpr std::size_t kShownChars = 48;  // longest value excerpt in a message, in code points

enum class Document { config, state };

// A diagnostic plus the byte offset it is sorted by.
struct Located {
    std::size_t offset;
    Diagnostic diagnostic;
};

// The value as written in the source, shortened: "\"root\"", "18446744073709551616", "an object".
std::string excerpt(std::string_view text, const SourceNode& node) {
    std::string_view raw = text.substr(node.begin, node.end - node.begin);
    if (!raw.empty() && raw[0] == '{') return "an object";
    if (!raw.empty() && raw[0] == '[') return "an array";
    std::size_t pos = 0, count = 0;
    while (pos < raw.size() && count < kShownChars) {
        decode_utf8(raw, pos);
        ++count;
    }
    if (pos >= raw.size()) return std::string(raw);
    return std::string(raw.substr(0, pos)) + (raw[0] == '"' ? "…\"" : "…");
}

class Collector {
public:
    Collector(std::string_view text, const ParsedJson& parsed, std::size_t max)
        : text_(text), parsed_(parsed), lines_(text), max_(max) {}

    void add(Severity severity, std::span<const PathElem> path, bool at_key, std::string message, std::string got = {},
             std::string hint = {}) {
        const SourceNode* node = find_source(parsed_.source, path);
        std::size_t offset = 0;
        if (node) offset = (at_key && node->key_begin != SourceNode::kNoKey) ? node->key_begin : node->begin;
        if (!got.empty() && node) message += ", got " + excerpt(text_, *node);
        if (!hint.empty()) message += "; " + hint;
        add_at(severity, offset, to_json_pointer(path), std::move(message));
    }

    void add_at(Severity severity, std::size_t offset, std::string pointer, std::string message) {
        TextPosition pos = lines_.at(offset);
        out_.push_back(Located{offset, Diagnostic{severity, pos.line, pos.column, std::move(pointer), std::move(message)}});
    }

    std::vector<Diagnostic> finish() {
        std::stable_sort(out_.begin(), out_.end(), [](const Located& a, const Located& b) { return a.offset < b.offset; });
        std::vector<Diagnostic> result;
        std::size_t total = out_.size();
        for (auto& d : out_) {
            if (result.size() >= max_) break;
            result.push_back(std::move(d.diagnostic));
        }
        if (total > max_) {
            Diagnostic more;
            TextPosition end = lines_.at(text_.size());
            more.line = end.line;
            more.column = end.column;
            more.message = fmt::format("too many problems: {} more not shown", total - max_);
            result.push_back(std::move(more));
        }
        return result;
    }

private:
    std::string_view text_;
    const ParsedJson& parsed_;
    LineIndex lines_;
    std::size_t max_;
    std::vector<Located> out_;
};

Report validate_document(Document kind, std::string_view text, std::string_view name, const ValidationLimits& limits) {
    Report report;
    report.file = std::string(name);
    // First pass without a source map: a valid config (what create and run see) never needs
    // one, and building it is a third of the parsing cost.
    ParseLimits parse_limits;
    parse_limits.max_depth = limits.max_depth;
    parse_limits.record_source = false;
    ParsedJson parsed = parse_json(text, parse_limits);
    const std::size_t max = std::max<std::size_t>(1, limits.max_diagnostics);
    if (!parsed.ok) {
        Collector collect(text, parsed, max);
        collect.add_at(Severity::error, parsed.error_offset, "", "invalid JSON: " + parsed.error);
        report.diagnostics = collect.finish();
        return report;
    }
    const auto& bundled = BundledSchemas::get();
    const Schema& schema = kind == Document::config ? bundled.config() : bundled.state();
    ValidateOptions options;
    options.max_errors = limits.max_diagnostics + 1;
    auto errors = schema.validate(parsed.value, options);
    std::vector<Finding> findings;
    if (kind == Document::config) findings = check_config_semantics(parsed.value, bundled.known_capabilities());
    if (errors.empty() && findings.empty() && parsed.duplicates.empty()) return report;

    // Something to report: parse again, this time recording where every value is. The paths
    // of the findings point into the first value, which stays alive; lookups compare keys.
    parse_limits.record_source = true;
    ParsedJson located = parse_json(text, parse_limits);
    Collector collect(text, located, max);
    for (const auto& dup : located.duplicates)
        collect.add_at(Severity::warning, dup.key_offset, dup.pointer, "duplicate key: the last value is used, earlier ones are ignored");
    for (const auto& e : errors) collect.add(Severity::error, e.path, e.at_key, e.message, e.value ? "yes" : "", e.hint);
    for (const auto& f : findings) collect.add(f.warning ? Severity::warning : Severity::error, f.path, f.at_key, f.message);
    report.diagnostics = collect.finish();
    return report;
}

Report guarded(Document kind, std::string_view text, std::string_view name, const ValidationLimits& limits) {
    try {
        return validate_document(kind, text, name, limits);
    } catch (const std::exception& e) {
        // Reached only through a bug or exhausted memory; bad input is always a diagnostic.
        Report report;
        report.file = std::string(name);
        report.diagnostics.push_back(Diagnostic{Severity::error, 1, 1, "", fmt::format("internal error while validating: {}", e.what())});
        return report;
    }
}

}  // namespace

bool Report::valid() const { return error_count() == 0; }

std::size_t Report::error_count() const {
    return static_cast<std::size_t>(
        std::count_if(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

Report validate_config_text(std::string_view text, std::string_view display_name, const ValidationLimits& limits) {
    return guarded(Document::config, text, display_name, limits);
}

Report validate_state_text(std::string_view text, std::string_view display_name, const ValidationLimits& limits) {
    return guarded(Document::state, text, display_name, limits);
}

std::vector<Diagnostic> require_valid_config(std::string_view text, std::string_view display_name) {
    Report report = validate_config_text(text, display_name);
    if (!report.valid()) {
        std::string listing = format_text(report);
        if (!listing.empty() && listing.back() == '\n') listing.pop_back();
        std::size_t errors = report.error_count();
        fail("{} is not a valid runtime-spec {} config ({} error{}):\n{}", display_name, kRuntimeSpecVersion, errors,
             errors == 1 ? "" : "s", listing);
    }
    return std::move(report.diagnostics);
}

std::string format_text(const Report& report) {
    std::string out;
    for (const auto& d : report.diagnostics) {
        out += fmt::format("{}:{}:{}: ", report.file, d.line, d.column);
        if (d.severity == Severity::warning) out += "warning: ";
        if (!d.pointer.empty()) out += d.pointer + ": ";
        out += d.message;
        out += '\n';
    }
    if (report.valid()) out += fmt::format("{}: valid (runtime-spec {})\n", report.file, kRuntimeSpecVersion);
    return out;
}

std::string format_json(const Report& report) {
    auto array = nlohmann::json::array();
    for (const auto& d : report.diagnostics) {
        array.push_back({{"file", report.file},
                         {"line", d.line},
                         {"column", d.column},
                         {"pointer", d.pointer},
                         {"severity", d.severity == Severity::error ? "error" : "warning"},
                         {"message", d.message}});
    }
    // Messages quote the input, which parse_json() checked to be UTF-8; replace anything else
    // rather than throw from dump().
    return array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ocirt::spec::validate
