#pragma once
// The compiled form of one JSON Schema object. Private to src/spec/validate.

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocirt/spec/validate/regex.hpp"

namespace ocirt::spec::validate {

/// Bits of the draft-04 "type" keyword.
enum TypeBits : std::uint8_t {
    kTypeNull = 1,
    kTypeBoolean = 2,
    kTypeObject = 4,
    kTypeArray = 8,
    kTypeNumber = 16,
    kTypeInteger = 32,
    kTypeString = 64,
};

/// The "format" values the validator checks.
enum class Format { none, semver, hostname, ipv4, ipv6, regex };

/// One compiled schema. Pointers to json point into documents owned by the SchemaSet.
struct SchemaNode {
    // Where the node comes from; the keywords below are filled from it by SchemaSet::ready().
    const nlohmann::json* source = nullptr;
    std::string base;
    std::atomic<bool> filled{false};

    struct Dependency {
        std::string property;
        std::vector<std::string> required;  // array form
        const SchemaNode* schema = nullptr;  // schema form
    };

    const SchemaNode* ref = nullptr;  // "$ref": when set, every sibling keyword is ignored
    std::string title;
    std::uint8_t types = 0;  // 0: any type

    // objects
    std::vector<std::pair<std::string, const SchemaNode*>> properties;  // sorted by key
    std::vector<std::pair<Regex, const SchemaNode*>> pattern_properties;
    bool additional_forbidden = false;
    const SchemaNode* additional = nullptr;
    std::vector<std::string> required;
    std::optional<std::size_t> min_properties, max_properties;
    std::vector<Dependency> dependencies;

    // arrays
    const SchemaNode* items = nullptr;
    std::vector<const SchemaNode*> tuple;
    bool has_tuple = false;
    bool additional_items_forbidden = false;
    const SchemaNode* additional_items = nullptr;
    std::optional<std::size_t> min_items, max_items;
    bool unique_items = false;

    // strings
    std::optional<std::size_t> min_length, max_length;
    std::optional<Regex> pattern;
    Format format = Format::none;

    // numbers
    const nlohmann::json* minimum = nullptr;
    const nlohmann::json* maximum = nullptr;
    bool exclusive_minimum = false;
    bool exclusive_maximum = false;
    const nlohmann::json* multiple_of = nullptr;

    // any type
    const nlohmann::json* enumeration = nullptr;
    std::vector<const SchemaNode*> all_of, any_of, one_of;
    const SchemaNode* negated = nullptr;
};

/// Exact comparison of two JSON numbers (any mix of signed, unsigned and floating point):
/// negative if a < b, 0 if equal, positive if a > b.
int compare_numbers(const nlohmann::json& a, const nlohmann::json& b);

/// True if `v` is an integer in the draft-04 sense: an integer literal, including ones too large
/// for 64 bits (those arrive as floating point with no fractional part).
bool is_json_integer(const nlohmann::json& v);

/// True if `s` is a SemVer 2.0.0 version.
bool is_semver(std::string_view s);

/// True if `s` is an RFC 1123 host name.
bool is_hostname(std::string_view s);

}  // namespace ocirt::spec::validate
