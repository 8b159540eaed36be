#pragma once
/// Which parts of a config this build of ocirt applies. A field it cannot apply is an error,
/// never silently ignored: running with weaker isolation than asked for is not an option.

#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::spec {

/// The JSON pointers of fields set in `c` that ocirt does not apply yet, in document order.
std::vector<std::string> unapplied_fields(const Config& c);

/// Throws naming the first unapplied field ("/linux/seccomp: not supported by ocirt yet").
void check_applicable(const Config& c);

}  // namespace ocirt::spec
