#include "ocirt/runtime/state_record.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "ocirt/spec/validate/json_source.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::runtime {

std::string record_to_json(const ContainerRecord& r) {
    nlohmann::json j = {
        {"id", r.id},           {"bundle", r.bundle}, {"rootfs", r.rootfs},         {"created", r.created},
        {"owner", r.owner},     {"pid", r.pid},       {"start_time", r.start_time}, {"annotations", r.annotations},
        {"cgroup_path", r.cgroup_path}, {"cgroup_created", r.cgroup_created},
        {"cgroup_driver", r.cgroup_driver}, {"cgroup_dirs", r.cgroup_dirs},
        {"phase", r.creating ? "creating" : "created"}, {"init_pid", r.init_pid}, {"init_start_time", r.init_start_time},
        {"host_resources", r.host_resources}, {"hooks_started", r.hooks_started},
    };
    if (!r.cgroup_systemd_unit.empty()) j["cgroup_systemd_unit"] = r.cgroup_systemd_unit;
    if (r.cgroup_systemd_user) j["cgroup_systemd_user"] = true;
    // Annotations are checked UTF-8 when the config is validated; replace rather than throw.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

/// An integer field, checked: nlohmann's get<int>() converts a float or an out-of-range number
/// with a plain cast (undefined behaviour, found by tests/fuzz/state_fuzz.cpp). Absent: `fallback`,
/// or an error when there is none.
template <typename T>
T integer_field(const nlohmann::json& j, const char* key, std::optional<T> fallback = std::nullopt) {
    const auto it = j.find(key);
    if (it == j.end()) {
        if (fallback) return *fallback;
        fail("corrupt state file: no \"{}\"", key);
    }
    const nlohmann::json& v = *it;
    bool in_range = false;
    if (v.is_number_unsigned()) {
        in_range = v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
    } else if (v.is_number_integer()) {
        const int64_t n = v.get<int64_t>();
        in_range = n >= 0 ? static_cast<uint64_t>(n) <= static_cast<uint64_t>(std::numeric_limits<T>::max())
                          : std::is_signed_v<T> && n >= static_cast<int64_t>(std::numeric_limits<T>::min());
    }
    if (!in_range) fail("corrupt state file: \"{}\" is not an integer in range: {}", key, v.dump());
    return v.get<T>();
}

}  // namespace

ContainerRecord record_from_json(std::string_view text) {
    spec::validate::ParseLimits limits;
    limits.record_source = false;
    const spec::validate::ParsedJson parsed = spec::validate::parse_json(text, limits);
    if (!parsed.ok) fail("corrupt state file: {}", parsed.error);
    if (!parsed.duplicates.empty()) fail("corrupt state file: duplicate key \"{}\"", parsed.duplicates.front().key);
    const nlohmann::json& j = parsed.value;
    if (!j.is_object()) fail("corrupt state file: not a JSON object");
    try {
        ContainerRecord r;
        r.id = j.at("id").get<std::string>();
        r.bundle = j.at("bundle").get<std::string>();
        r.rootfs = j.at("rootfs").get<std::string>();
        r.created = j.at("created").get<std::string>();
        r.owner = j.value("owner", "");
        r.annotations = j.value("annotations", std::map<std::string, std::string>{});
        r.pid = integer_field<pid_t>(j, "pid");
        r.start_time = integer_field<uint64_t>(j, "start_time");
        r.cgroup_path = j.value("cgroup_path", "");
        r.cgroup_created = j.value("cgroup_created", std::vector<std::string>{});
        r.cgroup_driver = j.value("cgroup_driver", "");
        r.cgroup_dirs = j.value("cgroup_dirs", std::map<std::string, std::string>{});
        r.cgroup_systemd_unit = j.value("cgroup_systemd_unit", "");
        r.cgroup_systemd_user = j.value("cgroup_systemd_user", false);
        // Records written before these fields existed are of finished creates.
        const std::string phase = j.value("phase", "created");
        if (phase != "creating" && phase != "created") fail("corrupt state file: phase \"{}\"", phase);
        r.creating = phase == "creating";
        r.init_pid = integer_field<pid_t>(j, "init_pid", pid_t{0});
        r.init_start_time = integer_field<uint64_t>(j, "init_start_time", uint64_t{0});
        r.host_resources = j.value("host_resources", true);
        r.hooks_started = j.value("hooks_started", !r.creating);
        return r;
    } catch (const nlohmann::json::exception& e) {
        fail("corrupt state file: {}", e.what());
    }
}

}  // namespace ocirt::runtime
