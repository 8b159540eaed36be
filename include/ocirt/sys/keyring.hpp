#pragma once
/// Session keyrings (keyctl).

#include <string>

namespace ocirt::sys {

/// Joins a new session keyring named `name`; returns false if the kernel has no keyrings (ENOSYS).
bool join_session_keyring(const std::string& name);

}  // namespace ocirt::sys
