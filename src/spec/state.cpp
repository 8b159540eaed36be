#include "ocirt/spec/state.hpp"

#include <nlohmann/json.hpp>

namespace ocirt::spec {

const char* status_name(Status s) {
    switch (s) {
        case Status::creating: return "creating";
        case Status::created: return "created";
        case Status::running: return "running";
        case Status::stopped: return "stopped";
        case Status::paused: return "paused";
    }
    return "unknown";
}

nlohmann::json state_to_json(const State& s) {
    nlohmann::json j;
    j["ociVersion"] = s.oci_version;
    j["id"] = s.id;
    j["pid"] = s.pid;
    j["status"] = status_name(s.status);
    j["bundle"] = s.bundle;
    j["rootfs"] = s.rootfs;
    j["created"] = s.created;
    j["owner"] = s.owner;
    if (!s.annotations.empty()) j["annotations"] = s.annotations;
    return j;
}

}  // namespace ocirt::spec
