#pragma once
/// `checkpoint` and `restore`: a running container saved by CRIU and brought back.

#include <string>

#include "ocirt/checkpoint/criu_args.hpp"
#include "ocirt/runtime/container.hpp"

namespace ocirt::runtime {

/// `checkpoint`.
struct CheckpointOptions {
    std::string id;
    checkpoint::CriuOptions criu;
};

/// `restore`.
struct RestoreOptions {
    std::string id;
    std::string bundle = ".";
    checkpoint::CriuOptions criu;
    bool detach = false;
    std::string pid_file;
    std::string console_socket;
    bool no_pivot = false;
    bool no_subreaper = false;
};

/// Dumps a running container with CRIU into the image path, with descriptors.json beside the
/// image; the container is stopped afterwards unless --leave-running (or --pre-dump).
void checkpoint_container(const GlobalOptions& g, const CheckpointOptions& o);
/// Restores a container from a CRIU image: a new state dir and cgroup, the rootfs bound for
/// CRIU, `criu restore`, the prestart/createRuntime/poststart hooks; state running. Detached it
/// returns 0; in the foreground it waits, returns the exit status and deletes the container.
int restore_container(const GlobalOptions& g, const RestoreOptions& o);

}  // namespace ocirt::runtime
