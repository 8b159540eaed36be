#include "ocirt/runtime/seccomp_stage.hpp"

#include <nlohmann/json.hpp>

#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/seccomp/notify.hpp"
#include "ocirt/spec/state.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/sha256.hpp"

namespace ocirt::runtime {
namespace {

constexpr const char* kCacheDir = "seccomp";

std::optional<seccomp::Filter> filter_of(const InitBootstrap& boot) {
    if (boot.seccomp_program.empty()) return std::nullopt;
    seccomp::Filter f;
    if (!util::from_hex(boot.seccomp_program, f.program)) fail("bootstrap: seccomp program is not hex");
    f.flags = boot.seccomp_flags;
    return f;
}

}  // namespace

std::optional<seccomp::Filter> prepare_seccomp(const spec::Config& cfg, const std::string& state_root) {
    if (!cfg.linux_ || !cfg.linux_->seccomp) return std::nullopt;
    return seccomp::prepare_filter(*cfg.linux_->seccomp, cache_root(state_root) + "/" + kCacheDir);
}

void put_filter(InitBootstrap& boot, const std::optional<seccomp::Filter>& filter) {
    if (!filter) return;
    boot.seccomp_program = util::to_hex(filter->program);
    boot.seccomp_flags = filter->flags;
}

bool hand_over_listener(const Message& m, const spec::Config& cfg, pid_t pid, const std::string& state_json) {
    if (m.type != Msg::seccomp_listener) return false;
    if (m.fds.size() != 1) fail("sync: seccomp_listener without its fd");
    if (!cfg.linux_ || !cfg.linux_->seccomp || !cfg.linux_->seccomp->listener_path)
        fail("sync: a seccomp listener arrived but the config has no listenerPath");
    const spec::Seccomp& s = *cfg.linux_->seccomp;
    // runtime-spec runtime.md, "Container process state".
    const nlohmann::json process_state = {
        {"ociVersion", spec::kOciVersion},
        {"fds", nlohmann::json::array({"seccompFd"})},
        {"pid", pid},
        {"metadata", s.listener_metadata.value_or("")},
        {"state", nlohmann::json::parse(state_json)},
    };
    seccomp::send_listener(*s.listener_path, process_state.dump(), m.fds[0].get());
    return true;
}

bool filter_needs_admin(const InitBootstrap& boot, bool nnp) { return !nnp && !boot.seccomp_program.empty(); }

void install_listener_filter(const InitBootstrap& boot, ContainerProcess& cp, SyncChannel& ch) {
    const auto f = filter_of(boot);
    if (!f || !f->has_listener()) return;
    // The stage's last trace record is before this filter (docs/trace.md): the calls it makes
    // under the filter are the sync messages only.
    sys::trace::stop();
    if (cp.raise_admin) cp.raise_admin->apply();
    sys::Fd listener = seccomp::apply_filter(*f);
    if (cp.drop_admin) cp.drop_admin->apply();
    cp.raise_admin.reset();
    cp.drop_admin.reset();
    ch.send(Msg::seccomp_listener, {}, {listener.get()});
}

std::optional<seccomp::Filter> filter_for_exec(const InitBootstrap& boot) {
    auto f = filter_of(boot);
    if (!f || f->has_listener()) return std::nullopt;
    return f;
}

}  // namespace ocirt::runtime
