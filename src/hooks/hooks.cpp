#include "ocirt/hooks/hooks.hpp"

#include <cstring>

#include "ocirt/sys/process.hpp"
#include "ocirt/sys/spawn.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::hooks {
namespace {

constexpr size_t kMaxReasonLine = 256;

/// The first non-empty line of a hook's output, trimmed and shortened: enough to say why.
std::string first_line(const std::string& output) {
    for (const std::string& line : util::split(output, '\n')) {
        std::string t = util::trim(line);
        if (t.empty()) continue;
        if (t.size() > kMaxReasonLine) t = t.substr(0, kMaxReasonLine) + "...";
        return t;
    }
    return {};
}

std::string signal_name(int sig) {
    if (const char* abbrev = ::sigabbrev_np(sig)) return std::string("SIG") + abbrev;
    return std::to_string(sig);
}

std::string with_reason(std::string what, const std::string& output) {
    const std::string line = first_line(output);
    if (!line.empty()) what += ": " + line;
    return what;
}

std::string hook_label(const std::string& kind, size_t index, const spec::Hook& hook) {
    return fmt::format("{} hook {} ({})", kind, index, hook.path);
}

void check_list(const std::vector<spec::Hook>& hooks, const char* kind) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        if (!util::starts_with(hooks[i].path, "/"))
            fail("/hooks/{}/{}/path: must be an absolute path, got \"{}\"", kind, i, hooks[i].path);
        if (hooks[i].timeout && *hooks[i].timeout <= 0)
            fail("/hooks/{}/{}/timeout: must be greater than zero, got {}", kind, i, *hooks[i].timeout);
    }
}

}  // namespace

void check_hooks(const spec::Hooks& hooks) {
    check_list(hooks.prestart, "prestart");
    check_list(hooks.create_runtime, "createRuntime");
    check_list(hooks.create_container, "createContainer");
    check_list(hooks.start_container, "startContainer");
    check_list(hooks.poststart, "poststart");
    check_list(hooks.poststop, "poststop");
}

void run_hook(const spec::Hook& hook, const std::string& state_json, const std::string& label) {
    with_context(label, [&] {
        if (!util::starts_with(hook.path, "/")) fail("path must be absolute");
        if (hook.timeout && *hook.timeout <= 0) fail("timeout must be greater than zero, got {}", *hook.timeout);
        log::debug("{}: running", label);
        // config.md: args have execv's argv semantics and env environ's, so both are passed
        // as they are. A hook without `env` gets the runtime's own environment, as runc (Go's
        // exec.Cmd with a nil Env) and crun give it; `"env": []` is an empty one.
        const std::vector<std::string> env = hook.env ? *hook.env : sys::own_environment();
        const sys::SpawnResult r = sys::spawn_and_wait(hook.path, hook.args, env, state_json, hook.timeout);
        if (!r.output.empty()) log::debug("{}: output: {}", label, r.output);
        if (r.timed_out) fail("timed out after {} s", *hook.timeout);
        if (r.signal != 0) fail("{}", with_reason("killed by signal " + signal_name(r.signal), r.output));
        if (r.exit_code != 0) fail("{}", with_reason(fmt::format("exited with status {}", r.exit_code), r.output));
    });
}

void run_hooks(const std::vector<spec::Hook>& hooks, const std::string& state_json, const std::string& kind) {
    for (size_t i = 0; i < hooks.size(); ++i) run_hook(hooks[i], state_json, hook_label(kind, i, hooks[i]));
}

void run_hooks_warn_only(const std::vector<spec::Hook>& hooks, const std::string& state_json,
                         const std::string& kind) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        try {
            run_hook(hooks[i], state_json, hook_label(kind, i, hooks[i]));
        } catch (const Error& e) {
            log::warn("{}", e.what());
        }
    }
}

}  // namespace ocirt::hooks
