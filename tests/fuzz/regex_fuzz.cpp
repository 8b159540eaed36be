// libFuzzer target for the pattern engine: the first line is compiled as a pattern, the rest is
// searched. Compilation must refuse what it cannot handle; matching must stay linear.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ocirt/spec/validate/regex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view all(reinterpret_cast<const char*>(data), size);
    auto newline = all.find('\n');
    std::string_view pattern = all.substr(0, newline);
    std::string_view text = newline == std::string_view::npos ? std::string_view() : all.substr(newline + 1);
    auto re = ocirt::spec::validate::Regex::compile(pattern);
    if (re) (void)re->search(text);
    return 0;
}
