#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>

#include "ocirt/sys/spawn.hpp"
#include "ocirt/util/error.hpp"
#include "proc_test_util.hpp"

using ocirt::sys::kSpawnOutputLimit;
using ocirt::sys::spawn_and_wait;
using ocirt::sys::SpawnResult;

namespace {

SpawnResult sh(const std::string& script, const std::string& stdin_data = "", std::optional<int> timeout = {},
               std::vector<std::string> env = {}) {
    return spawn_and_wait("/bin/sh", {"sh", "-c", script}, env, stdin_data, timeout);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("spawn passes argv and captures stdout and stderr together") {
    const auto r = spawn_and_wait("/bin/sh", {"sh", "-c", "echo \"$0 $1\"; echo err >&2", "first", "second"}, {}, "",
                                  std::nullopt);
    CHECK(r.exit_code == 0);
    CHECK(r.signal == 0);
    CHECK_FALSE(r.timed_out);
    CHECK(r.output == "first second\nerr\n");
}

TEST_CASE("spawn with empty argv uses the path as argv[0]") {
    const auto r = spawn_and_wait("/bin/echo", {}, {}, "", std::nullopt);
    CHECK(r.exit_code == 0);
    CHECK(r.output == "\n");
}

TEST_CASE("spawn reports the exit status and the killing signal") {
    CHECK(sh("exit 7").exit_code == 7);
    const auto r = sh("kill -TERM $$; sleep 5");
    CHECK(r.exit_code == -1);
    CHECK(r.signal == SIGTERM);
    CHECK_FALSE(r.timed_out);
}

TEST_CASE("spawn gives exactly the environment asked for") {
    const auto r = spawn_and_wait("/usr/bin/env", {"env"}, {"A=1", "B=two words"}, "", std::nullopt);
    CHECK(r.exit_code == 0);
    CHECK(r.output == "A=1\nB=two words\n");
    CHECK(spawn_and_wait("/usr/bin/env", {"env"}, {}, "", std::nullopt).output.empty());
}

TEST_CASE("spawn feeds stdin and closes it") {
    CHECK(spawn_and_wait("/bin/cat", {"cat"}, {}, "hello\nworld", std::nullopt).output == "hello\nworld");
    CHECK(spawn_and_wait("/bin/cat", {"cat"}, {}, "", std::nullopt).output.empty());
}

TEST_CASE("spawn keeps at most the output limit and says so") {
    const std::string big(kSpawnOutputLimit * 3, 'x');
    const auto r = spawn_and_wait("/bin/cat", {"cat"}, {}, big, std::nullopt);
    CHECK(r.exit_code == 0);
    CHECK(r.output.size() == kSpawnOutputLimit);
    CHECK(r.output_truncated);
}

TEST_CASE("a program that does not read its stdin is not an error") {
    const std::string big(1 << 20, 'y');
    const auto r = sh("exit 0", big);
    CHECK(r.exit_code == 0);
}

TEST_CASE("spawn kills a program that outlives its timeout") {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = sh("echo started; sleep 10", "", 1);
    const double took = seconds_since(t0);
    CHECK(r.timed_out);
    CHECK(r.signal == SIGKILL);
    CHECK(r.output == "started\n");
    CHECK(took >= 0.9);
    CHECK(took < 3.0);
}

TEST_CASE("a timeout kills the program's whole process group") {
    const auto t0 = std::chrono::steady_clock::now();
    // The subshell's sleep would keep the output pipe open for 10 s if it survived.
    const auto r = sh("(sleep 10; echo late) & wait", "", 1);
    CHECK(r.timed_out);
    CHECK(seconds_since(t0) < 3.0);
    CHECK(r.output.find("late") == std::string::npos);
}

TEST_CASE("spawn returns when the program exits even if a background child holds the output") {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = sh("sleep 3 & echo done");
    CHECK(r.exit_code == 0);
    CHECK(r.output == "done\n");
    CHECK(seconds_since(t0) < 2.5);
}

TEST_CASE("no fd of the caller reaches the program") {
    const int leaked = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
    REQUIRE(leaked >= 0);
    const auto r = sh("if [ -e /proc/self/fd/" + std::to_string(leaked) + " ]; then echo leaked; fi; ls /proc/self/fd");
    ::close(leaked);
    CHECK(r.output.find("leaked") == std::string::npos);
    // ls sees 0 1 2 and its own directory fd only.
    CHECK(r.output == "0\n1\n2\n3\n");
}

TEST_CASE("the program starts with default signal handling and an empty mask") {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct sigaction ign{}, old_act{};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ign, &old_act);

    const auto term = sh("kill -TERM $$; sleep 5");
    const auto intr = sh("kill -INT $$; sleep 5");

    sigaction(SIGINT, &old_act, nullptr);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    CHECK(term.signal == SIGTERM);
    CHECK(intr.signal == SIGINT);
}

TEST_CASE("the program leads a process group of its own") {
    const auto r = sh("echo $$; cut -d' ' -f5 /proc/$$/stat");
    const auto nl = r.output.find('\n');
    REQUIRE(nl != std::string::npos);
    CHECK(r.output.substr(0, nl + 1) == r.output.substr(nl + 1));
}

TEST_CASE("a program that cannot be executed is an error with its errno") {
    try {
        spawn_and_wait("/nonexistent/program", {}, {}, "", std::nullopt);
        FAIL("no error");
    } catch (const ocirt::Error& e) {
        CHECK(e.code() == ENOENT);
        CHECK(std::string(e.what()) == "execute /nonexistent/program: No such file or directory");
    }
    // Not executable (no x bit at all, so root is refused too).
    proc_test::ScratchDir dir;
    const std::string plain = dir / "plain";
    proc_test::write_script(plain, "#!/bin/sh\n");
    ::chmod(plain.c_str(), 0644);
    try {
        spawn_and_wait(plain, {}, {}, "", std::nullopt);
        FAIL("no error");
    } catch (const ocirt::Error& e) {
        CHECK(e.code() == EACCES);
    }
}

TEST_CASE("a timeout must be positive") {
    CHECK_THROWS_WITH(sh("true", "", 0), "timeout must be greater than zero, got 0");
    CHECK_THROWS_WITH(sh("true", "", -3), "timeout must be greater than zero, got -3");
}
