#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>

#include "ocirt/sys/eventfd.hpp"

using namespace ocirt::sys;

TEST_CASE("an eventfd's count is taken whole, and 0 when nothing was signalled") {
    Fd e = event_fd();
    CHECK(take_event_count(e.get()) == 0);  // non-blocking: no wait
    const uint64_t one = 1;
    REQUIRE(::write(e.get(), &one, sizeof one) == static_cast<ssize_t>(sizeof one));
    REQUIRE(::write(e.get(), &one, sizeof one) == static_cast<ssize_t>(sizeof one));
    CHECK(take_event_count(e.get()) == 2);
    CHECK(take_event_count(e.get()) == 0);
}
