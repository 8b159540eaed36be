#pragma once
/// What a container holds on the host outside its state dir and its own namespaces, taken
/// during create and given back by delete (or by a failed create): network devices moved
/// into it (linux.netDevices) and its Intel RDT group (linux.intelRdt).

#include <string>

#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::runtime {

/// Takes them for the container process `pid` (parent side, once its namespaces exist).
void acquire_host_resources(const ContainerDir& dir, const spec::Config& cfg, int pid);
/// Gives back whatever acquire_host_resources took; problems are logged, never thrown.
void release_host_resources(const ContainerDir& dir, const spec::Config& cfg) noexcept;

}  // namespace ocirt::runtime
