#pragma once
/// Rules of config.json that a JSON Schema cannot express: relations between fields (a sysctl
/// and the namespace it needs, id mappings and the user namespace, soft and hard limits…) and
/// kernel constraints. Every access is type-checked, so any JSON value is safe input; fields
/// of the wrong type are left to the schema's diagnostics.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocirt/spec/validate/path.hpp"

namespace ocirt::spec::validate {

/// One semantic problem: where, what, and whether it only deserves a warning.
struct Finding {
    InstancePath path;     ///< location; keys view into the checked value or string literals
    std::string message;   ///< e.g. "duplicate namespace type \"pid\" (first at index 0)"
    bool warning = false;  ///< true: worth telling, but the config is still valid
    bool at_key = false;   ///< the finding is about the member's key
};

/// Checks `config` (a parsed config.json). `known_capabilities` are the names ocirt knows;
/// others produce warnings, as the spec asks runtimes to ignore them.
std::vector<Finding> check_config_semantics(const nlohmann::json& config,
                                            const std::vector<std::string>& known_capabilities);

/// Every string value and object key of `config` (annotations excepted) that holds a NUL byte:
/// the kernel reads them as C strings and would cut them there.
std::vector<Finding> find_nul_bytes(const nlohmann::json& config);

/// Checks a list of CPUs or memory nodes ("0-3,7"); returns the problem, or "" if it is fine.
std::string check_cpu_list(const std::string& list);

}  // namespace ocirt::spec::validate
