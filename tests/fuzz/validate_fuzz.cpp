// libFuzzer target: parse+validate arbitrary bytes as config.json and as a state document, and
// format the result both ways. The validator must neither crash, nor hang, nor let memory grow
// without bound, whatever the input (see build.sh for the limits the run enforces).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ocirt/spec/validate/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace v = ocirt::spec::validate;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto config = v::validate_config_text(text, "config.json");
    auto text_out = v::format_text(config);
    auto json_out = v::format_json(config);
    if (config.valid() != (config.error_count() == 0)) __builtin_trap();
    if (config.diagnostics.size() > v::ValidationLimits{}.max_diagnostics + 1) __builtin_trap();  // the cap holds
    for (std::size_t i = 1; i < config.diagnostics.size(); ++i) {
        const auto& a = config.diagnostics[i - 1];
        const auto& b = config.diagnostics[i];
        bool ordered = a.line < b.line || (a.line == b.line && a.column <= b.column);
        bool last_is_summary = i + 1 == config.diagnostics.size() && b.message.rfind("too many problems", 0) == 0;
        if (!ordered && !last_is_summary) __builtin_trap();  // sorted by position
    }
    auto state = v::validate_state_text(text, "state.json");
    (void)v::format_json(state);
    return text_out.empty() || json_out.empty() ? 1 : 0;
}
