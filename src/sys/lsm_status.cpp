#include "ocirt/sys/lsm_status.hpp"

#include <sys/statfs.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::sys {
namespace {

constexpr unsigned long kSelinuxMagic = 0xf97cff8c;  // SELINUX_MAGIC

}  // namespace

bool apparmor_enabled() {
    try {
        const std::string v = read_file("/sys/module/apparmor/parameters/enabled", 16);
        return !v.empty() && v[0] == 'Y';
    } catch (const Error&) {
        return false;  // no apparmor module
    }
}

bool selinux_enabled() {
    struct statfs fs {};
    if (::statfs("/sys/fs/selinux", &fs) < 0) return false;
    return static_cast<unsigned long>(fs.f_type) == kSelinuxMagic;
}

}  // namespace ocirt::sys
