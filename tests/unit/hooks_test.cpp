#include <catch2/catch.hpp>

#include "error_of.hpp"

#include <chrono>
#include <cstdlib>
#include <string>

#include "ocirt/hooks/hooks.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "proc_test_util.hpp"

using ocirt::hooks::check_hooks;
using ocirt::hooks::run_hooks;
using ocirt::hooks::run_hooks_warn_only;
using ocirt::spec::Hook;
using proc_test::ScratchDir;
using proc_test::slurp;
using proc_test::write_script;

namespace {

const std::string kState =
    R"({"ociVersion":"1.2.0","id":"c1","status":"creating","pid":4242,"bundle":"/b","annotations":{"k":"v"}})";

Hook hook(const std::string& path, std::vector<std::string> args = {},
          std::optional<std::vector<std::string>> env = std::vector<std::string>{}, std::optional<int32_t> timeout = {}) {
    return Hook{path, std::move(args), std::move(env), timeout};
}

}  // namespace

TEST_CASE("a hook gets the state JSON on stdin, exactly its env and its args") {
    ScratchDir dir;
    // /bin/sh itself as the hook, so that argv[0] is ours ("recorder" as $0) and not replaced by
    // the kernel's #! handling. /proc/$$/environ is what execve gave the shell, before the
    // shell adds anything of its own (PWD). Absolute paths: the hook's PATH is ours too.
    const std::string script = "/bin/cat > '" + (dir / "stdin") + "'; " +
                               "/usr/bin/tr '\\0' '\\n' < /proc/$$/environ > '" + (dir / "env") + "'; " +
                               "printf '%s|' \"$0\" \"$@\" > '" + (dir / "args") + "'";
    run_hooks({hook("/bin/sh", {"sh", "-c", script, "recorder", "--flag", "two words"},
                    std::vector<std::string>{"FOO=bar", "PATH=/nowhere"})},
              kState, "createRuntime");
    CHECK(slurp(dir / "stdin") == kState);
    CHECK(slurp(dir / "env") == "FOO=bar\nPATH=/nowhere\n");
    CHECK(slurp(dir / "args") == "recorder|--flag|two words|");
}

TEST_CASE("a hook without args gets its path as argv[0]; \"env\": [] is an empty environment") {
    ScratchDir dir;
    const std::string script = dir / "argv0.sh";
    write_script(script, "#!/bin/sh\nprintf '%s|%s' \"$0\" \"$#\" > '" + (dir / "args") + "'\n" +
                             "/usr/bin/tr '\\0' '\\n' < /proc/$$/environ > '" + (dir / "env") + "'\n");
    run_hooks({hook(script)}, kState, "prestart");
    CHECK(slurp(dir / "args") == script + "|0");
    CHECK(slurp(dir / "env").empty());
}

TEST_CASE("a hook without env gets the runtime's own environment") {
    ScratchDir dir;
    ::setenv("OCIRT_HOOK_TEST_MARK", "inherited", 1);
    const std::string script = "/usr/bin/tr '\\0' '\\n' < /proc/$$/environ > '" + (dir / "env") + "'";
    run_hooks({hook("/bin/sh", {"sh", "-c", script}, std::nullopt)}, kState, "poststop");
    ::unsetenv("OCIRT_HOOK_TEST_MARK");
    CHECK(slurp(dir / "env").find("OCIRT_HOOK_TEST_MARK=inherited\n") != std::string::npos);
}

TEST_CASE("hooks run in order, and the first failure stops the list") {
    ScratchDir dir;
    const std::string log = dir / "order";
    for (int i = 0; i < 3; ++i)
        write_script(dir / ("h" + std::to_string(i)), "#!/bin/sh\necho " + std::to_string(i) + " >> '" + log + "'\n");
    write_script(dir / "fail", "#!/bin/sh\necho fail >> '" + log + "'\nexit 1\n");

    run_hooks({hook(dir / "h0"), hook(dir / "h1"), hook(dir / "h2")}, kState, "createContainer");
    CHECK(slurp(log) == "0\n1\n2\n");

    ::unlink(log.c_str());
    CHECK_THROWS(run_hooks({hook(dir / "h0"), hook(dir / "fail"), hook(dir / "h2")}, kState, "startContainer"));
    CHECK(slurp(log) == "0\nfail\n");
}

TEST_CASE("a failing hook's error names the list, the index, the path, the status and why") {
    ScratchDir dir;
    const std::string ok = dir / "ok.sh";
    const std::string bad = dir / "bad.sh";
    write_script(ok, "#!/bin/sh\nexit 0\n");
    write_script(bad, "#!/bin/sh\necho\necho '  something broke  ' >&2\necho second line\nexit 3\n");
    CHECK(error_of([&] { run_hooks({hook(ok), hook(bad)}, kState, "createRuntime"); }) ==
          "createRuntime hook 1 (" + bad + "): exited with status 3: something broke");

    const std::string quiet = dir / "quiet.sh";
    write_script(quiet, "#!/bin/sh\nexit 4\n");
    CHECK(error_of([&] { run_hooks({hook(quiet)}, kState, "prestart"); }) ==
          "prestart hook 0 (" + quiet + "): exited with status 4");

    const std::string killed = dir / "killed.sh";
    write_script(killed, "#!/bin/sh\nkill -KILL $$\n");
    CHECK(error_of([&] { run_hooks({hook(killed)}, kState, "prestart"); }) ==
          "prestart hook 0 (" + killed + "): killed by signal SIGKILL");
}

TEST_CASE("a hook that cannot be executed fails with the reason") {
    CHECK(error_of([] { run_hooks({hook("/nonexistent/hook")}, kState, "poststart"); }) ==
          "poststart hook 0 (/nonexistent/hook): execute /nonexistent/hook: No such file or directory");
    CHECK(error_of([] { run_hooks({hook("relative/hook")}, kState, "poststart"); }) ==
          "poststart hook 0 (relative/hook): path must be absolute");
}

TEST_CASE("a hook that outlives its timeout is killed and fails") {
    ScratchDir dir;
    const std::string slow = dir / "slow.sh";
    write_script(slow, "#!/bin/sh\nsleep 10\n");
    const auto t0 = std::chrono::steady_clock::now();
    const std::string msg = error_of([&] { run_hooks({hook(slow, {}, {}, 1)}, kState, "createRuntime"); });
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(msg == "createRuntime hook 0 (" + slow + "): timed out after 1 s");
    CHECK(took >= 0.9);
    CHECK(took < 2.5);
    CHECK(error_of([&] { run_hooks({hook(slow, {}, {}, 0)}, kState, "createRuntime"); }) ==
          "createRuntime hook 0 (" + slow + "): timeout must be greater than zero, got 0");
}

TEST_CASE("a hook within its timeout succeeds") {
    ScratchDir dir;
    const std::string quick = dir / "quick.sh";
    write_script(quick, "#!/bin/sh\ncat >/dev/null\nexit 0\n");
    CHECK_NOTHROW(run_hooks({hook(quick, {}, {}, 5)}, kState, "poststop"));
}

TEST_CASE("warn-only hooks log the failure and run the rest") {
    ScratchDir dir;
    const std::string log_path = dir / "log";
    const std::string order = dir / "order";
    write_script(dir / "bad", "#!/bin/sh\necho bad >> '" + order + "'\necho boom\nexit 2\n");
    write_script(dir / "good", "#!/bin/sh\necho good >> '" + order + "'\n");
    ocirt::log::configure(log_path, ocirt::log::Format::text, false);
    CHECK_NOTHROW(run_hooks_warn_only({hook(dir / "bad"), hook(dir / "good")}, kState, "poststop"));
    ocirt::log::configure("", ocirt::log::Format::text, false);
    CHECK(slurp(order) == "bad\ngood\n");
    const std::string logged = slurp(log_path);
    CHECK(logged.find("level=warning") != std::string::npos);
    CHECK(logged.find("poststop hook 0 (" + (dir / "bad") + "): exited with status 2: boom") != std::string::npos);
}

TEST_CASE("check_hooks validates every list up front") {
    ocirt::spec::Hooks hooks;
    hooks.poststart = {hook("/bin/true")};
    CHECK_NOTHROW(check_hooks(hooks));
    hooks.create_runtime = {hook("/bin/true"), hook("/bin/true", {}, {}, 0)};
    CHECK(error_of([&] { check_hooks(hooks); }) == "/hooks/createRuntime/1/timeout: must be greater than zero, got 0");
    hooks.create_runtime.clear();
    hooks.poststop = {hook("true")};
    CHECK(error_of([&] { check_hooks(hooks); }) == "/hooks/poststop/0/path: must be an absolute path, got \"true\"");
}
