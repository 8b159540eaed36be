#pragma once
/// Linux capabilities of the container process (config.md "Linux Process"): name lookup with
/// libcap, the bounding set, and the effective/permitted/inheritable/ambient sets.
///
/// Names are spelled as runtime-spec and runc spell them: "CAP_" followed by the capabilities(7)
/// name in upper case ("CAP_SYS_ADMIN"). libcap's own looser forms ("sys_admin", "cap_sys_admin",
/// "21") are not capability names in a config.
///
/// On unknown names: runtime-spec v1.0 said such a value "MUST cause an error"; since v1.1
/// config.md says it "MUST be logged as a warning" and that runtimes "SHOULD NOT fail", and runc
/// ignores unknown capabilities with a warning. Every function here takes the policy to use.

#include <optional>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::security {

/// What to do with a capability name that this libcap or kernel does not know.
enum class UnknownCapability {
    fail,  ///< an ocirt::Error naming the JSON path, e.g. /process/capabilities/bounding/3
    warn,  ///< check_capabilities logs a warning per name; the apply functions skip it
};

/// The number of "CAP_NAME" (upper case, with prefix) if both libcap and the running kernel know
/// it; nullopt otherwise, including for "cap_chown", "CHOWN" and "CAP_21".
std::optional<int> capability_from_name(const std::string& name);
/// "CAP_SYS_ADMIN" for 21; nullopt if libcap has no name for `cap`.
std::optional<std::string> capability_name(int cap);
/// Every capability known to both libcap and the running kernel, as "CAP_..." in number order.
std::vector<std::string> known_capability_names();
/// The highest capability number the running kernel supports.
int last_capability();

/// Validates every name of every set up front (in the parent). With `fail`, throws
/// `/process/capabilities/<set>/<i>: unknown capability "CAP_FOO"` for the first bad name;
/// with `warn`, logs each bad name as a warning and returns normally.
void check_capabilities(const spec::Capabilities& caps,
                        UnknownCapability policy = UnknownCapability::fail);

/// Drops from the bounding set every capability not listed in `caps.bounding` (absent: drop
/// all). Needs CAP_SETPCAP; capabilities already absent are not touched.
void drop_bounding_set(const spec::Capabilities& caps, UnknownCapability policy = UnknownCapability::fail);

/// Sets effective, permitted and inheritable to exactly the listed capabilities (an absent set
/// is empty; CVE-2022-29162: inheritable is never carried over), then clears the ambient set
/// and raises each listed ambient capability (which must be permitted and inheritable).
void apply_capability_sets(const spec::Capabilities& caps, UnknownCapability policy = UnknownCapability::fail);

}  // namespace ocirt::security
