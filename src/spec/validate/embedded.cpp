#include "ocirt/spec/validate/embedded.hpp"

#include "ocirt/spec/validate/json_source.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::spec::validate {

namespace {

// Lazy: a process that validates one config compiles only the parts of the schema it uses.
// The unit tests compile the bundled schemas eagerly, so a malformed one fails them.
Schema compile_bundled(SchemaSet& set, std::string_view name) {
    return set.compile(embedded_schema_uri(name), CompileMode::lazy);
}

// Registers every bundled document before anything is compiled, so $refs between them resolve.
SchemaSet& register_all(SchemaSet& set) {
    for (const auto& doc : embedded_schemas()) {
        ParseLimits value_only;
        value_only.record_source = false;
        auto parsed = parse_json(doc.text, value_only);  // faster than nlohmann's parser, and just as strict
        if (!parsed.ok) fail("bundled schema {} is not valid JSON: {}", doc.name, parsed.error);
        set.add_document(embedded_schema_uri(doc.name), std::move(parsed.value), false);  // no "id" in them (tested)
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
    const nlohmann::json* defs = set_.document(embedded_schema_uri("defs-linux.json"));
    const nlohmann::json* names = nullptr;
    if (defs) {
        auto ptr = nlohmann::json::json_pointer("/definitions/Capability/enum");
        if (defs->contains(ptr)) names = &defs->at(ptr);
    }
    if (names == nullptr || !names->is_array()) fail("bundled schema defs-linux.json lacks /definitions/Capability/enum");
    for (const auto& n : *names)
        if (n.is_string()) capabilities_.push_back(n.get<std::string>());
}

const BundledSchemas& BundledSchemas::get() {
    static const BundledSchemas* instance = new BundledSchemas();  // never destroyed: usable from any exit path
    return *instance;
}

}  // namespace ocirt::spec::validate
