#include <catch2/catch.hpp>

#include "ocirt/util/error.hpp"

using ocirt::Error;

TEST_CASE("Error renders context outermost first, then strerror") {
    Error e(EPERM, "mount proc on /proc");
    e.add_context("init");
    e.add_context("create c1");
    CHECK(std::string(e.what()) == "create c1: init: mount proc on /proc: Operation not permitted");
    CHECK(e.code() == EPERM);
}

TEST_CASE("with_context wraps an escaping Error") {
    try {
        ocirt::with_context("outer", [] { ocirt::fail("inner {}", 1); });
        FAIL("no throw");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "outer: inner 1");
        CHECK(e.code() == 0);
    }
}

TEST_CASE("throw_errno captures errno") {
    errno = ENOENT;
    try {
        ocirt::throw_errno("open {}", "/x");
    } catch (const Error& e) {
        CHECK(e.code() == ENOENT);
        CHECK(std::string(e.what()) == "open /x: No such file or directory");
    }
}
