#include <catch2/catch.hpp>

#include <fcntl.h>

#include "ocirt/sys/files.hpp"
#include "ocirt/sys/procfs.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;

TEST_CASE("ProcFs opens the real /proc and entries beneath it") {
    const auto proc = sys::ProcFs::open();
    sys::Fd status = proc.open_entry("self/status", O_RDONLY);
    CHECK(sys::read_fd(status.get()).find("Pid:") != std::string::npos);
}

TEST_CASE("ProcFs rejects a directory that is not a procfs root") {
    // A procfs subdirectory has the right magic but not the root inode (a bind mount of it over
    // /proc would otherwise pass); /dev is not procfs at all.
    CHECK_THROWS_WITH(sys::ProcFs::open("/proc/self"), Catch::Contains("not the root of a procfs mount"));
    CHECK_THROWS_WITH(sys::ProcFs::open("/dev"), Catch::Contains("is not on procfs"));
}

TEST_CASE("ProcFs entries do not follow magic links or leave the root") {
    const auto proc = sys::ProcFs::open();
    // /proc/self/exe is a magic link: following it could reach any file on the host.
    CHECK_THROWS_AS(proc.open_entry("self/exe", O_RDONLY), Error);
    CHECK_THROWS_AS(proc.open_entry("../etc/passwd", O_RDONLY), Error);
    CHECK_THROWS_AS(proc.open_entry("/etc/passwd", O_RDONLY), Error);
}
