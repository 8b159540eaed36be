#pragma once
/// The OCI state document (runtime.md "State") plus the fields runc adds that clients read.

#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace ocirt::spec {

/// The OCI runtime-spec version ocirt implements.
inline constexpr const char* kOciVersion = "1.3.0";

/// Container status as the state document names it.
enum class Status { creating, created, running, stopped, paused };

/// The JSON name of a status ("created").
const char* status_name(Status s);

/// What `ocirt state` prints.
struct State {
    std::string oci_version = kOciVersion;
    std::string id;
    Status status = Status::creating;
    int pid = 0;
    std::string bundle;
    std::map<std::string, std::string> annotations;
    std::string rootfs;   // runc extra: absolute rootfs path
    std::string created;  // runc extra: RFC 3339 creation time
    std::string owner;    // runc extra: owner user name ("" like runc when unknown)
};

/// Serialises a state document (OCI fields, then runc's extras).
nlohmann::json state_to_json(const State& s);

}  // namespace ocirt::spec
