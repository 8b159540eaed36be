#pragma once
/// The init stage: `ocirt init <sync-fd>`, re-exec'd by create and exec from its binary sealed
/// against the container (sys::sealed_self_exe). It enters the namespaces, builds the container (create) or joins it (exec), sets
/// the process up and execve()s the user's program. It never returns.

namespace ocirt::runtime {

/// Runs the init stage over the sync socket `sync_fd`. Errors go to the parent as an `error`
/// message; the process then exits 1. No exception leaves this function.
[[noreturn]] void init_main(int sync_fd) noexcept;

}  // namespace ocirt::runtime
