// The front of the validator: parse with positions, apply the schema and the semantic checks,
// turn every finding into a located diagnostic.

#include "ocirt/spec/validate/validate.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <unordered_map>

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
    std::size_t seq;
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

// Finds the source node of a path. Object members are looked up through an index built the
// first time a large object is searched, so locating one finding per member of a 100,000-key
// object stays linear.
class SourceLookup {
public:
    explicit SourceLookup(const SourceNode& root) : root_(root) {}

    const SourceNode* find(std::span<const PathElem> path) {
        const SourceNode* node = &root_;
        for (const PathElem& step : path) {
            node = step.is_index ? element(*node, step.index) : member(*node, step.key);
            if (node == nullptr) return nullptr;
        }
        return node;
    }

private:
    static constexpr std::size_t kScanLimit = 16;  // smaller objects are searched directly

    static const SourceNode* element(const SourceNode& node, std::size_t index) {
        if (index < node.children.size() && node.children[index].key == nullptr) return &node.children[index];
        return nullptr;
    }

    const SourceNode* member(const SourceNode& node, std::string_view key) {
        if (node.children.size() <= kScanLimit) {
            for (auto it = node.children.rbegin(); it != node.children.rend(); ++it)
                if (it->key != nullptr && *it->key == key) return &*it;
            return nullptr;
        }
        auto [slot, fresh] = index_.try_emplace(&node);
        if (fresh) {
            for (const SourceNode& child : node.children)  // a repeated key: the last one wins
                if (child.key != nullptr) slot->second.insert_or_assign(std::string_view(*child.key), &child);
        }
        auto it = slot->second.find(key);
        return it == slot->second.end() ? nullptr : it->second;
    }

    const SourceNode& root_;
    std::unordered_map<const SourceNode*, std::unordered_map<std::string_view, const SourceNode*>> index_;
};

// Collects findings with their byte offsets, keeping only the first `max` by position (a
// bounded max-heap: memory stays O(max) whatever the number of findings, and a finding that
// cannot be shown is dropped before its pointer and message are built). Lines and columns are
// computed only for the diagnostics shown, in offset order, so their cost is bounded by the
// text's length (a minified config is one long line).
class Collector {
public:
    Collector(std::string_view text, const ParsedJson& parsed, std::size_t max)
        : text_(text), lookup_(parsed.source), lines_(text), max_(max) {}

    void add(Severity severity, std::span<const PathElem> path, bool at_key, const std::string& message, std::string got = {},
             std::string hint = {}) {
        const SourceNode* node = lookup_.find(path);
        std::size_t offset = 0;
        if (node) offset = (at_key && node->key_begin != SourceNode::kNoKey) ? node->key_begin : node->begin;
        if (!wanted(severity, offset)) return;
        std::string text = message;
        if (!got.empty() && node) text += ", got " + excerpt(text_, *node);
        if (!hint.empty()) text += "; " + hint;
        keep(severity, offset, to_json_pointer(path), std::move(text));
    }

    void add_at(Severity severity, std::size_t offset, std::string pointer, std::string message) {
        if (wanted(severity, offset)) keep(severity, offset, std::move(pointer), std::move(message));
    }

    // "(lines 4 and 9)" for two places of the text.
    std::string lines_of(std::size_t first, std::size_t second) const {
        const auto a = lines_.line_of(first), b = lines_.line_of(second);
        return a == b ? fmt::format("(both on line {})", a) : fmt::format("(lines {} and {})", a, b);
    }

    std::vector<Diagnostic> finish(std::size_t& not_shown) {
        std::sort_heap(kept_.begin(), kept_.end(), before);
        std::vector<Diagnostic> result;
        result.reserve(kept_.size() + 1);
        std::size_t prev_offset = 0;
        TextPosition prev;
        for (std::size_t i = 0; i < kept_.size(); ++i) {
            const std::size_t offset = std::min(kept_[i].offset, text_.size());
            const TextPosition pos = (i > 0 && lines_.line_of(offset) == prev.line)
                                         ? TextPosition{prev.line, prev.column + static_cast<std::uint32_t>(utf8_length(
                                                                                    text_.substr(prev_offset, offset - prev_offset)))}
                                         : lines_.at(offset);
            prev_offset = offset;
            prev = pos;
            Diagnostic d = std::move(kept_[i].diagnostic);
            d.line = pos.line;
            d.column = pos.column;
            result.push_back(std::move(d));
        }
        not_shown = dropped_;
        if (dropped_ > 0) {
            Diagnostic more;
            more.severity = dropped_error_ ? Severity::error : Severity::warning;  // warnings alone keep a config valid
            TextPosition end = lines_.at(text_.size());
            more.line = end.line;
            more.column = end.column;
            more.message = fmt::format("too many problems: {} more not shown", dropped_);
            result.push_back(std::move(more));
        }
        return result;
    }

private:
    // Position order; among findings at one offset, the order they were added in.
    static bool before(const Located& a, const Located& b) { return a.offset != b.offset ? a.offset < b.offset : a.seq < b.seq; }

    // False (and counted) if a finding at `offset` would not be among the first `max`.
    bool wanted(Severity severity, std::size_t offset) {
        if (kept_.size() < max_ || offset < kept_.front().offset) return true;
        drop(severity);
        return false;
    }

    void drop(Severity severity) {
        ++dropped_;
        if (severity == Severity::error) dropped_error_ = true;
    }

    void keep(Severity severity, std::size_t offset, std::string pointer, std::string message) {
        kept_.push_back(Located{offset, seq_++, Diagnostic{severity, 0, 0, std::move(pointer), std::move(message)}});
        std::push_heap(kept_.begin(), kept_.end(), before);
        if (kept_.size() > max_) {
            std::pop_heap(kept_.begin(), kept_.end(), before);
            drop(kept_.back().diagnostic.severity);
            kept_.pop_back();
        }
    }

    std::string_view text_;
    SourceLookup lookup_;
    LineIndex lines_;
    std::size_t max_;
    std::vector<Located> kept_;  // a max-heap by `before`
    std::size_t seq_ = 0;
    std::size_t dropped_ = 0;
    bool dropped_error_ = false;
};

Report validate_document(Document kind, std::string_view text, std::string_view name, const ValidationLimits& limits,
                         nlohmann::json* document) {
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
        report.diagnostics = collect.finish(report.not_shown);
        return report;
    }
    const auto& bundled = BundledSchemas::get();
    const Schema& schema = kind == Document::config ? bundled.config() : bundled.state();
    ValidateOptions options;
    options.max_errors = limits.max_diagnostics + 1;
    auto errors = schema.validate(parsed.value, options);
    std::vector<Finding> findings;
    if (kind == Document::config) {
        findings = check_config_semantics(parsed.value, bundled.known_capabilities());
        auto nul = find_nul_bytes(parsed.value);
        findings.insert(findings.end(), std::make_move_iterator(nul.begin()), std::make_move_iterator(nul.end()));
    }
    if (errors.empty() && findings.empty() && parsed.duplicates.empty()) {
        if (document) *document = std::move(parsed.value);
        return report;
    }

    // Something to report: parse again, this time recording where every value is. The paths
    // of the findings point into the first value, which stays alive; lookups compare keys.
    parse_limits.record_source = true;
    ParsedJson located = parse_json(text, parse_limits);
    Collector collect(text, located, max);
    // A repeated key is an error: which of the two values a tool reads differs between JSON
    // libraries, so a policy checker and the runtime could disagree about the config.
    for (const auto& dup : located.duplicates)
        collect.add_at(Severity::error, dup.key_offset, dup.object,
                       fmt::format("duplicate key \"{}\" {}", dup.key, collect.lines_of(dup.first_key_offset, dup.key_offset)));
    for (const auto& e : errors) collect.add(Severity::error, e.path, e.at_key, e.message, e.value ? "yes" : "", e.hint);
    for (const auto& f : findings) collect.add(f.warning ? Severity::warning : Severity::error, f.path, f.at_key, f.message);
    report.diagnostics = collect.finish(report.not_shown);
    if (document && report.valid()) *document = std::move(parsed.value);
    return report;
}

Report guarded(Document kind, std::string_view text, std::string_view name, const ValidationLimits& limits,
               nlohmann::json* document = nullptr) {
    try {
        return validate_document(kind, text, name, limits, document);
    } catch (const std::exception& e) {
        // Reached only through a bug or exhausted memory; bad input is always a diagnostic.
        Report report;
        report.file = std::string(name);
        report.diagnostics.push_back(Diagnostic{Severity::error, 1, 1, "", fmt::format("internal error while validating: {}", e.what())});
        return report;
    }
}

// A pointer for a terminal: a key may hold control characters (a NUL among them), shown as
// JSON escapes instead.
std::string printable(std::string_view pointer) {
    std::string out;
    for (char c : pointer) {
        if (static_cast<unsigned char>(c) < 0x20)
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
            out += c;
    }
    return out;
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

Report validate_config_text(std::string_view text, std::string_view display_name, nlohmann::json& document,
                            const ValidationLimits& limits) {
    return guarded(Document::config, text, display_name, limits, &document);
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
        if (!d.pointer.empty()) out += printable(d.pointer) + ": ";
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
