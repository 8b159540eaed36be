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

#include <memory>
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

/// The capability sets to apply, as numbers, in config order.
struct CapabilityPlan {
    std::vector<int> bounding, effective, permitted, inheritable, ambient;
    /// With `warn`: one line per capability left out because this process cannot grant it.
    std::vector<std::string> warnings;
    /// The permitted set this process held when the plan was made.
    std::vector<int> held;
};

/// Resolves the names of `caps` (bad names throw or are skipped per `policy`). With `warn`, also
/// leaves out what this process cannot grant — a capability outside its bounding or permitted
/// set (effective and permitted), outside the bounding set after the drop (inheritable), or not
/// both permitted and inheritable (ambient) — with one warning per capability (runtime-spec 1.3
/// config.md: such a capability MUST be logged as a warning and SHOULD NOT fail the container).
/// Reads this process's capabilities: call it before anything is dropped.
CapabilityPlan plan_capabilities(const spec::Capabilities& caps, UnknownCapability policy);

/// Drops from the bounding set every capability not in `plan.bounding`. Needs CAP_SETPCAP;
/// capabilities already absent are not touched.
void drop_bounding_set(const CapabilityPlan& plan);
/// drop_bounding_set(plan_capabilities(caps, policy)); absent bounding: drop all.
void drop_bounding_set(const spec::Capabilities& caps, UnknownCapability policy = UnknownCapability::fail);

/// A capset worked out in advance: applying it is the capset call alone (it runs after the
/// seccomp filter when noNewPrivileges is false).
class PreparedCapset {
public:
    /// Exactly these effective, permitted and inheritable sets.
    PreparedCapset(const std::vector<int>& effective, const std::vector<int>& permitted,
                   const std::vector<int>& inheritable);
    /// Sets them on this process; throws on failure.
    void apply() const;

private:
    std::shared_ptr<void> state_;
};

/// Sets effective, permitted and inheritable to exactly the planned sets plus `extra` in
/// permitted (an absent set is empty; CVE-2022-29162: inheritable is never carried over), then
/// clears the ambient set and raises each planned ambient capability.
void apply_capability_sets(const CapabilityPlan& plan, UnknownCapability policy, const std::vector<int>& extra = {});
/// apply_capability_sets(plan_capabilities(caps, policy), policy).
void apply_capability_sets(const spec::Capabilities& caps, UnknownCapability policy = UnknownCapability::fail);

}  // namespace ocirt::security
