#pragma once
/// A JSON Schema (draft-04) validator over nlohmann::json. Schemas are compiled once into a graph
/// of nodes with every `$ref` resolved (JSON pointers, across documents, `id` base changes), then
/// applied to any number of instances. It reports every violation with the instance path and a
/// message that says what was expected.
///
/// Keywords: $ref, id, type, properties, patternProperties, additionalProperties, required,
/// minProperties, maxProperties, dependencies, items (schema and tuple), additionalItems,
/// minItems, maxItems, uniqueItems, enum, pattern, minLength, maxLength, minimum, maximum,
/// exclusiveMinimum, exclusiveMaximum, multipleOf, allOf, anyOf, oneOf, not, format
/// (semver, hostname, ipv4, ipv6, regex; others are accepted unchecked), title (used in messages).

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocirt/spec/validate/path.hpp"

namespace ocirt::spec::validate {

struct SchemaNode;
class SchemaSet;

/// One violation: where in the instance, and what was expected.
struct SchemaError {
    InstancePath path;                     ///< location of the offending value
    std::string message;                   ///< e.g. "expected integer ≥ 0"
    const nlohmann::json* value = nullptr;  ///< the offending value, shown as ", got …" (nullptr: not shown)
    bool at_key = false;                   ///< the error is about the member's key, not its value
    std::string hint;                      ///< shown after the value, e.g. "did you mean \"SCMP_ACT_ERRNO\"?"
};

/// Bounds for one validation run.
struct ValidateOptions {
    std::size_t max_errors = 1000;  ///< stop collecting after this many
};

/// How much of a schema compile() prepares before returning.
enum class CompileMode {
    eager,  ///< every reachable subschema now: all schema errors surface from compile()
    lazy,   ///< each subschema when validation first reaches it (a malformed one throws then)
};

/// A compiled schema, valid as long as the SchemaSet that made it.
class Schema {
public:
    /// Every violation of `instance`, in the order found (not sorted).
    std::vector<SchemaError> validate(const nlohmann::json& instance, const ValidateOptions& options = {}) const;
    /// True if `instance` satisfies the schema (stops at the first violation).
    bool accepts(const nlohmann::json& instance) const;

private:
    friend class SchemaSet;
    Schema(SchemaSet* set, const SchemaNode* root) : set_(set), root_(root) {}
    SchemaSet* set_;
    const SchemaNode* root_;
};

/// A set of schema documents addressed by URI; compiles schemas with their references resolved.
/// Safe to validate from several threads; adding documents is not.
class SchemaSet {
public:
    /// Fetches a document that is not registered (e.g. a remote $ref in tests); nullopt if unknown.
    using Loader = std::function<std::optional<nlohmann::json>(const std::string& uri)>;

    /// An empty set; `loader` (may be empty) is asked for documents that were not added.
    explicit SchemaSet(Loader loader = {});
    ~SchemaSet();
    SchemaSet(const SchemaSet&) = delete;
    SchemaSet& operator=(const SchemaSet&) = delete;

    /// Registers `document` under the absolute URI `uri` (no fragment); throws ocirt::Error if
    /// the URI is taken. `scan_ids` = false skips looking for "id" keywords (for documents known
    /// to have none, like the bundled ones: it saves a walk over the whole document).
    void add_document(const std::string& uri, nlohmann::json document, bool scan_ids = true);

    /// Compiles the schema at `uri` (with optional "#/json/pointer" fragment). Throws ocirt::Error
    /// if the schema is malformed or a reference cannot be resolved (in lazy mode, only for the
    /// part compiled so far).
    Schema compile(const std::string& uri, CompileMode mode = CompileMode::eager);

    /// Makes `node` ready to apply: fills in its keywords the first time (used by validation).
    const SchemaNode& ready(const SchemaNode& node);

    /// The registered document at `uri`, or nullptr.
    const nlohmann::json* document(const std::string& uri) const;

private:
    struct Located {
        const nlohmann::json* schema;
        std::string base;  // the base URI around the schema, before its own "id" applies
    };
    Located resolve_reference(const std::string& base, const std::string& ref);
    Located resolve_uncached(const std::string& base, const std::string& ref);
    const SchemaNode* node_for(const nlohmann::json& schema, const std::string& base);
    void fill(SchemaNode& node);
    void register_ids(const nlohmann::json& value, const std::string& base);
    const nlohmann::json& store_document(const std::string& uri, nlohmann::json document, bool scan_ids = true);

    Loader loader_;
    std::map<std::string, std::unique_ptr<nlohmann::json>> documents_;
    std::unordered_map<std::string, Located> ids_;
    std::unordered_map<std::string, Located> resolved_;  // "base\x1fref" → target
    std::unordered_map<const nlohmann::json*, std::unique_ptr<SchemaNode>> nodes_;
    std::mutex compiling_;  // guards everything above while nodes are filled lazily
};

/// Resolves a URI reference against a base URI (RFC 3986 section 5.2, without dot-segment edge cases).
std::string resolve_uri(const std::string& base, const std::string& reference);

}  // namespace ocirt::spec::validate
