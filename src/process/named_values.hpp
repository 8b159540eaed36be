#pragma once
/// Internal to the process layer: the name tables (config string → kernel value) that both
/// the checks and `ocirt features` read.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ocirt::process {

struct NamedValue {
    const char* name;
    uint64_t value;
};

template <size_t N>
const NamedValue* find_named(const std::array<NamedValue, N>& table, const std::string& name) {
    for (const auto& n : table)
        if (name == n.name) return &n;
    return nullptr;
}

template <size_t N>
std::vector<std::string> names_of(const std::array<NamedValue, N>& table) {
    std::vector<std::string> out;
    for (const auto& n : table) out.emplace_back(n.name);
    return out;
}

}  // namespace ocirt::process
