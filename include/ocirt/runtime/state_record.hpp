#pragma once
/// The text of state.json: what ocirt remembers about a container between commands, written by
/// one ocirt process and read by the next (possibly another version, or a file someone edited).

#include <string>
#include <string_view>

#include "ocirt/runtime/state_dir.hpp"

namespace ocirt::runtime {

/// Serialises a record as state.json.
std::string record_to_json(const ContainerRecord& r);
/// Parses state.json strictly (the validator's JSON parser: bounded nesting, no repeated key)
/// and checks every field's type. Throws `corrupt state file: …` for anything else.
ContainerRecord record_from_json(std::string_view text);

}  // namespace ocirt::runtime
