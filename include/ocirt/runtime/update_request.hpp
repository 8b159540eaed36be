#pragma once
/// What `update` is asked to change, from its flags or its --resources document, with runc's
/// rules (update.go): a --resources document makes the other resource flags ignored;
/// --memory -1 without a swap value means both unlimited; --kernel-memory* are accepted and
/// ignored with a warning. The Intel RDT flags (--l3-cache-schema, --mem-bw-schema) apply
/// either way and are not part of these resources.

#include <optional>
#include <string>
#include <vector>

#include "ocirt/runtime/container.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::runtime {

/// The update flags that set linux.resources, by name.
const std::vector<std::string>& update_resource_flags();
/// The resources asked for: `resources_json` (the --resources text) if given, else the flags in
/// `o.flags`. Throws naming the flag or document at fault.
spec::Resources requested_resources(const UpdateOptions& o, const std::optional<std::string>& resources_json);

}  // namespace ocirt::runtime
