#include "ocirt/sys/keyring.hpp"

#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/util/error.hpp"

namespace ocirt::sys {

bool join_session_keyring(const std::string& name) {
    if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.c_str()) >= 0) return true;
    if (errno == ENOSYS) return false;
    throw_errno("join session keyring {}", name);
}

}  // namespace ocirt::sys
