#include "ocirt/runtime/bootstrap.hpp"

#include <nlohmann/json.hpp>

#include "ocirt/sys/trace.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {

std::string bootstrap_to_json(const InitBootstrap& b) {
    nlohmann::json j = {
        {"mode", b.mode == InitMode::create ? "create" : "exec"},
        {"config", b.config_json},
        {"id", b.id},
        {"bundle", b.bundle},
        {"rootfs", b.rootfs},
        {"no_pivot", b.no_pivot},
        {"no_new_keyring", b.no_new_keyring},
        {"extra_fds", b.extra_fds},
        {"join_types", b.join_types},
        {"seccomp_program", b.seccomp_program},
        {"seccomp_flags", b.seccomp_flags},
        {"join_cgroups", b.join_cgroups},
        {"cgroup_dir", b.cgroup_dir},
        {"cgroup_v1", nlohmann::json::array()},
        {"enter_root", b.enter_root},
        {"fork_as_sibling", b.fork_as_sibling},
        {"trace", b.trace},
    };
    for (const auto& h : b.cgroup_v1)
        j["cgroup_v1"].push_back({{"name", h.name}, {"subsystems", h.subsystems}, {"dir", h.dir}});
    return j.dump();
}

namespace {

/// A small non-negative integer (a count, flags): get<int>() of a float casts it (undefined
/// behaviour when out of range), so anything else is refused.
template <typename T>
T count_field(const nlohmann::json& j, const char* key) {
    const nlohmann::json& v = j.at(key);
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > (1 << 20))
        fail("bootstrap: \"{}\" is not a small integer: {}", key, v.dump());
    return v.get<T>();
}

}  // namespace

InitBootstrap bootstrap_from_json(const std::string& text) {
    try {
        const auto j = nlohmann::json::parse(text);
        InitBootstrap b;
        b.mode = j.at("mode").get<std::string>() == "exec" ? InitMode::exec : InitMode::create;
        b.config_json = j.at("config").get<std::string>();
        b.id = j.at("id").get<std::string>();
        b.bundle = j.at("bundle").get<std::string>();
        b.rootfs = j.at("rootfs").get<std::string>();
        b.no_pivot = j.at("no_pivot").get<bool>();
        b.no_new_keyring = j.at("no_new_keyring").get<bool>();
        b.extra_fds = count_field<int>(j, "extra_fds");
        b.join_types = j.at("join_types").get<std::vector<std::string>>();
        b.seccomp_program = j.at("seccomp_program").get<std::string>();
        b.seccomp_flags = count_field<unsigned>(j, "seccomp_flags");
        b.join_cgroups = count_field<int>(j, "join_cgroups");
        b.cgroup_dir = j.at("cgroup_dir").get<std::string>();
        for (const auto& h : j.at("cgroup_v1"))
            b.cgroup_v1.push_back({h.at("name").get<std::string>(), h.at("subsystems").get<std::string>(),
                                   h.at("dir").get<std::string>()});
        b.enter_root = j.at("enter_root").get<bool>();
        b.fork_as_sibling = j.at("fork_as_sibling").get<bool>();
        b.trace = j.at("trace").get<bool>();
        return b;
    } catch (const nlohmann::json::exception& e) {
        fail("bootstrap document: {}", e.what());
    }
}

void pass_trace(InitBootstrap& b, std::vector<int>& fds) {
    if (!sys::trace::enabled()) return;
    b.trace = true;
    fds.push_back(sys::trace::fd());
}

void take_trace(const InitBootstrap& b, std::vector<sys::Fd>& fds) {
    if (!b.trace) return;
    if (fds.size() < 2) fail("bootstrap: the trace fd is missing");
    sys::trace::adopt(std::move(fds.back()), "init");
    fds.pop_back();
}

}  // namespace ocirt::runtime
