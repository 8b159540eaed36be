#pragma once
/// Running one list of OCI hooks (config.md "POSIX-platform Hooks"): each hook in order, with
/// the container's state JSON on stdin, exactly its `env` (without `env`: the runtime's own
/// environment, as runc and crun pass it), its `args` and its `timeout`.
/// Which list runs when, and in which namespace, is the runtime's business (runtime.md).

#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::hooks {

/// Validates every hook list up front: `path` absolute, `timeout` > 0 when set. Errors name the
/// JSON path: `/hooks/createRuntime/1/timeout: must be greater than zero, got 0`.
void check_hooks(const spec::Hooks& hooks);

/// Runs one hook and waits for it. `label` prefixes errors ("createRuntime hook 0"). Throws if
/// it cannot be started, exits non-zero, dies of a signal or outlives its timeout.
void run_hook(const spec::Hook& hook, const std::string& state_json, const std::string& label);

/// Runs `hooks` in order; the first failure stops the list and is thrown as
/// `createRuntime hook 0 (/usr/bin/foo): exited with status 3: <first line of its output>`.
/// `kind` is the JSON name of the list ("prestart", "createRuntime", ...).
void run_hooks(const std::vector<spec::Hook>& hooks, const std::string& state_json, const std::string& kind);

/// Runs `hooks` in order; a failure is logged as a warning and the next hook still runs.
/// runtime.md: this is how poststop failures are handled.
void run_hooks_warn_only(const std::vector<spec::Hook>& hooks, const std::string& state_json,
                         const std::string& kind);

}  // namespace ocirt::hooks
