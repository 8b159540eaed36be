#pragma once
/// The JSON Schema documents of schema/, compiled into the binary at build time, and the
/// compiled config and state schemas made from them.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ocirt/spec/validate/schema.hpp"

namespace ocirt::spec::validate {

/// One bundled schema document.
struct EmbeddedSchema {
    std::string_view name;  ///< file name, e.g. "config-schema.json"
    std::string_view text;  ///< the document of schema/, minified
};

/// Every bundled document, sorted by name (defined in the generated embedded_schemas_data.cpp).
std::span<const EmbeddedSchema> embedded_schemas();

/// The bundled document called `name`, or nullopt.
std::optional<std::string_view> find_embedded_schema(std::string_view name);

/// The URI under which bundled documents are registered: "ocirt:/schema/" + name.
std::string embedded_schema_uri(std::string_view name);

/// The bundled schemas, compiled once on first use (thread-safe, never destroyed).
class BundledSchemas {
public:
    /// The process-wide instance.
    static const BundledSchemas& get();

    /// config-schema.json.
    const Schema& config() const { return config_; }
    /// state-schema.json.
    const Schema& state() const { return state_; }
    /// The capability names of defs-linux.json#/definitions/Capability.
    const std::vector<std::string>& known_capabilities() const { return capabilities_; }

private:
    BundledSchemas();
    SchemaSet set_;
    Schema config_;
    Schema state_;
    std::vector<std::string> capabilities_;
};

}  // namespace ocirt::spec::validate
