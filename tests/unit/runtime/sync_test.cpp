#include <fcntl.h>
#include <linux/seccomp.h>

#include <catch2/catch.hpp>

#include "ocirt/runtime/bootstrap.hpp"
#include "ocirt/runtime/seccomp_stage.hpp"
#include "ocirt/runtime/sync.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/unix_socket.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::runtime;

TEST_CASE("sync messages carry payload and fds in order") {
    auto [a, b] = sys::seqpacket_pair();
    SyncChannel parent(std::move(a));
    SyncChannel init(std::move(b));
    auto [r, w] = sys::make_pipe();
    parent.send(Msg::bootstrap, "", {w.get()});
    parent.send(Msg::hooks_done, "{\"x\":1}");
    Message m = init.expect(Msg::bootstrap);
    REQUIRE(m.fds.size() == 1);
    sys::write_all(m.fds[0].get(), "hi");
    w.reset();
    m.fds.clear();
    char buf[3] = {};
    CHECK(sys::read_some(r.get(), buf, 2) == 2);
    CHECK(std::string(buf) == "hi");
    CHECK(init.expect(Msg::hooks_done).payload == "{\"x\":1}");
}

TEST_CASE("an out-of-order message is an error") {
    auto [a, b] = sys::seqpacket_pair();
    SyncChannel parent(std::move(a));
    SyncChannel init(std::move(b));
    init.send(Msg::ready);
    CHECK_THROWS_WITH(parent.expect(Msg::mounts_ready), "sync: expected mounts_ready, got ready");
}

TEST_CASE("an error message is rethrown with its errno") {
    auto [a, b] = sys::seqpacket_pair();
    SyncChannel parent(std::move(a));
    SyncChannel init(std::move(b));
    init.send_error(EPERM, "mounts[3] (proc on /proc)");
    try {
        parent.receive();
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == EPERM);
        CHECK(std::string(e.what()) == "mounts[3] (proc on /proc): Operation not permitted");
    }
}

TEST_CASE("warnings are logged and skipped; expect_closed wants the end or an error") {
    auto [a, b] = sys::seqpacket_pair();
    SyncChannel parent(std::move(a));
    SyncChannel init(std::move(b));
    init.send(Msg::warning, "capability CAP_SYS_NICE cannot be granted here");
    init.send(Msg::ready);
    CHECK(parent.expect(Msg::ready).payload.empty());
    init.send_error(ENOEXEC, "exec /x");
    CHECK_THROWS_WITH(parent.expect_closed(), "exec /x: Exec format error");
    init.send(Msg::ready);
    CHECK_THROWS_WITH(parent.expect_closed(), "sync: expected the end, got ready");
    { SyncChannel gone = std::move(init); }
    CHECK_NOTHROW(parent.expect_closed());
}

TEST_CASE("the other end closing is a clear error") {
    auto [a, b] = sys::seqpacket_pair();
    SyncChannel parent(std::move(a));
    b.reset();
    CHECK_THROWS_WITH(parent.receive(), "the init stage exited before finishing");
}

TEST_CASE("the bootstrap document round-trips") {
    InitBootstrap b;
    b.mode = InitMode::exec;
    b.config_json = "{\"ociVersion\":\"1.3.0\"}";
    b.id = "c";
    b.bundle = "/b";
    b.rootfs = "/b/r";
    b.no_pivot = true;
    b.extra_fds = 2;
    b.join_types = {"user", "pid"};
    b.cgroup_v1 = {{"cpu,cpuacct", "cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/c1"}, {"systemd", "name=systemd", "/x"}};
    const InitBootstrap back = bootstrap_from_json(bootstrap_to_json(b));
    REQUIRE(back.cgroup_v1.size() == 2);
    CHECK(back.cgroup_v1[0].name == "cpu,cpuacct");
    CHECK(back.cgroup_v1[1].subsystems == "name=systemd");
    CHECK(back.cgroup_v1[1].dir == "/x");
    CHECK(back.mode == InitMode::exec);
    CHECK(back.config_json == b.config_json);
    CHECK(back.no_pivot);
    CHECK_FALSE(back.no_new_keyring);
    CHECK(back.extra_fds == 2);
    CHECK(back.join_types == b.join_types);
    CHECK_THROWS_AS(bootstrap_from_json("{}"), Error);
}

TEST_CASE("a compiled seccomp filter crosses the bootstrap document byte for byte") {
    seccomp::Filter f;
    f.program = std::string("\x06\x00\x00\x00\x00\x00\xff\x7f", 8);  // BPF_RET|BPF_K ALLOW
    f.flags = 1;                                                       // TSYNC
    InitBootstrap b;
    put_filter(b, f);
    const InitBootstrap back = bootstrap_from_json(bootstrap_to_json(b));
    const auto at_exec = filter_for_exec(back);
    REQUIRE(at_exec);
    CHECK(at_exec->program == f.program);
    CHECK(at_exec->flags == f.flags);
    // Without no_new_privs too it is installed right before execve, but needs CAP_SYS_ADMIN.
    CHECK(filter_needs_admin(back, false));
    CHECK_FALSE(filter_needs_admin(back, true));
    CHECK_FALSE(filter_for_exec(InitBootstrap{}));
    // A notify listener must reach the parent: that filter goes in before `ready`.
    InitBootstrap notify;
    f.flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
    put_filter(notify, f);
    CHECK_FALSE(filter_for_exec(notify));
}

TEST_CASE("a payload too large for one message crosses in a memfd") {
    auto [a, b] = sys::seqpacket_pair();
    SyncChannel parent(std::move(a));
    SyncChannel init(std::move(b));
    // 4 MiB: far beyond what one SOCK_SEQPACKET message holds (the socket buffer).
    const std::string big = "{\"annotations\":\"" + std::string(4u << 20, 'a') + "\"}";
    auto [r, w] = sys::make_pipe();
    parent.send(Msg::hooks_done, big, {w.get()});
    Message m = init.expect(Msg::hooks_done);
    CHECK(m.payload == big);
    REQUIRE(m.fds.size() == 1);  // the caller's fds, without the payload's memfd
    sys::write_all(m.fds[0].get(), "x");
    char c = 0;
    CHECK(sys::read_some(r.get(), &c, 1) == 1);
    // A long error message is shortened, never lost.
    init.send_error(EIO, std::string(100000, 'e'));
    try {
        parent.receive();
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == EIO);
        CHECK(std::string(e.what()).starts_with(std::string(4096, 'e') + "…"));
    }
}

TEST_CASE("malformed sync messages are clear errors") {
    CHECK_THROWS_WITH(decode_message("", {}), "sync: empty message");
    CHECK_THROWS_WITH(decode_message("\x7f", {}), "sync: unknown message kind 127");
    CHECK_THROWS_WITH(decode_message(std::string(1, static_cast<char>(0x80 | 6)), {}), "sync: hooks_done without its payload fd");
    CHECK_THROWS_WITH(decode_message(std::string(1, static_cast<char>(0x80 | 6)) + "x", {}),
                      "sync: hooks_done has its payload both inline and in an fd");
    CHECK_THROWS_WITH(decode_message("\x0a[1]", {}), "sync: malformed error message");
    try {
        decode_message("\x0a{\"errno\": \"x\", \"message\": 7}", {});
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == 0);
        CHECK(std::string(e.what()) == "unknown error");
    }
    CHECK(decode_message("\x06{}", {}).payload == "{}");
}
