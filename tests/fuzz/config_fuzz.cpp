// libFuzzer target: the config parser. Whatever the validator accepts, the model must accept
// too (create builds the model from the validated document), and the serialiser must write a
// config that the validator accepts again and that reads back to the same model: validator,
// model and serialiser agree.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ocirt/spec/config.hpp"
#include "ocirt/spec/validate/validate.hpp"
#include "ocirt/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace v = ocirt::spec::validate;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    nlohmann::json document;
    if (!v::validate_config_text(text, "config.json", document).valid()) return 0;
    ocirt::spec::Config model;
    try {
        model = ocirt::spec::config_from_json(document);
    } catch (const ocirt::Error&) {
        __builtin_trap();  // the validator accepted what the model refuses
    }
    const nlohmann::json once = ocirt::spec::config_to_json(model);
    const std::string written = once.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    nlohmann::json again;
    if (!v::validate_config_text(written, "config.json", again).valid()) __builtin_trap();  // wrote an invalid config
    if (ocirt::spec::config_to_json(ocirt::spec::config_from_json(again)) != once) __builtin_trap();  // not a fixed point
    return 0;
}
