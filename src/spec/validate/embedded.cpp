#include "ocirt/spec/validate/embedded.hpp"

#include "ocirt/util/error.hpp"

namespace ocirt::spec::validate {

namespace {

Schema compile_bundled(SchemaSet& set, std::string_view name) {
    return set.compile(embedded_schema_uri(name));
}

// Registers every bundled document before anything is compiled, so $refs between them resolve.
SchemaSet& register_all(SchemaSet& set) {
    for (const auto& doc : embedded_schemas()) {
        auto value = nlohmann::json::parse(doc.text, nullptr, false);
        if (value.is_discarded()) fail("bundled schema {} is not valid JSON", doc.name);
        set.add_document(embedded_schema_uri(doc.name), std::move(value));
    }
    return set;
}

}  // namespace

std::optional<std::string_view> find_embedded_schema(std::string_view name) {
    for (const auto& doc : embedded_schemas())
        if (doc.name == name) return doc.text;
    return std::nullopt;
}

std::string embedded_schema_uri(std::string_view name) { return "ocirt:/schema/" + std::string(name); }

BundledSchemas::BundledSchemas()
    : config_(compile_bundled(register_all(set_), "config-schema.json")), state_(compile_bundled(set_, "state-schema.json")) {
    auto defs = find_embedded_schema("defs-linux.json");
    if (!defs) fail("bundled schema defs-linux.json is missing");
    auto doc = nlohmann::json::parse(*defs, nullptr, false);
    const auto& names = doc["definitions"]["Capability"]["enum"];
    for (const auto& n : names) capabilities_.push_back(n.get<std::string>());
}

const BundledSchemas& BundledSchemas::get() {
    static const BundledSchemas* instance = new BundledSchemas();  // never destroyed: usable from any exit path
    return *instance;
}

}  // namespace ocirt::spec::validate
