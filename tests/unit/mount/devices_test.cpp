#include <catch2/catch.hpp>

#include "ocirt/mount/devices.hpp"
#include "ocirt/spec/device_mode.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;

namespace {
spec::Device dev(const std::string& type, const std::string& path, std::optional<int64_t> major = 1,
                 std::optional<int64_t> minor = 3) {
    spec::Device d;
    d.type = type;
    d.path = path;
    d.major = major;
    d.minor = minor;
    return d;
}
}  // namespace

TEST_CASE("device entries are checked before anything is created") {
    CHECK_NOTHROW(mount::check_devices({dev("c", "/dev/x"), dev("p", "/run/fifo", std::nullopt, std::nullopt)}));
    CHECK_THROWS_WITH(mount::check_devices({dev("x", "/dev/x")}), Catch::StartsWith("/linux/devices/0/type"));
    CHECK_THROWS_WITH(mount::check_devices({dev("c", "dev/x")}), Catch::StartsWith("/linux/devices/0/path"));
    CHECK_THROWS_WITH(mount::check_devices({dev("c", "/dev/../../etc/x")}), Catch::Contains("\"..\""));
    CHECK_THROWS_WITH(mount::check_devices({dev("b", "/dev/x", std::nullopt)}), Catch::Contains("major and minor"));
    CHECK_THROWS_WITH(mount::check_devices({dev("c", "/dev/x"), dev("c", "/dev/x")}), Catch::StartsWith("/linux/devices/1/path"));
    CHECK_THROWS_WITH(mount::check_devices({dev("c", "/dev/x", 1, -1)}), Catch::StartsWith("/linux/devices/0/minor"));
}

TEST_CASE("a device path is one file however its slashes are written") {
    CHECK_NOTHROW(mount::check_devices({dev("c", "/dev/x/")}));
    CHECK_THROWS_WITH(mount::check_devices({dev("c", "/dev/x"), dev("c", "/dev//x/")}),
                      Catch::StartsWith("/linux/devices/1/path"));
}

TEST_CASE("fileMode may carry the file-type bits of its type (podman's S_IFCHR|0666)") {
    auto d = dev("c", "/dev/mynull");
    d.file_mode = 8630;  // S_IFCHR | 0666, as podman 4.3 writes it
    CHECK_NOTHROW(mount::check_devices({d}));
    CHECK(spec::device_permissions(*d.file_mode) == 0666);
    d.type = "u";
    CHECK_NOTHROW(mount::check_devices({d}));
    d.type = "b";
    CHECK_THROWS_WITH(mount::check_devices({d}),
                      "/linux/devices/0/fileMode: the file-type bits of 8630 (S_IFCHR, 020000) disagree with type \"b\"");
    auto fifo = dev("p", "/run/fifo", std::nullopt, std::nullopt);
    fifo.file_mode = 010600;  // S_IFIFO | 0600
    CHECK_NOTHROW(mount::check_devices({fifo}));
    fifo.file_mode = 0100600;  // S_IFREG
    CHECK_THROWS_WITH(mount::check_devices({fifo}), Catch::Contains("S_IFREG") && Catch::StartsWith("/linux/devices/0/fileMode"));
    fifo.file_mode = 01000000;
    CHECK_THROWS_WITH(mount::check_devices({fifo}), Catch::Contains("beyond the file type and the permissions"));
}
