#include <catch2/catch.hpp>

#include <algorithm>

#include "../error_of.hpp"
#include "ocirt/runtime/update_request.hpp"

using namespace ocirt;

namespace {
runtime::UpdateOptions with_flags(std::map<std::string, std::string> flags) {
    runtime::UpdateOptions o;
    o.id = "c1";
    o.flags = std::move(flags);
    return o;
}
}  // namespace

TEST_CASE("update: --memory -1 without a swap value makes swap unlimited too (runc)") {
    const auto r = runtime::requested_resources(with_flags({{"memory", "-1"}}), std::nullopt);
    REQUIRE(r.memory);
    CHECK(r.memory->limit == -1);
    CHECK(r.memory->swap == -1);
    const auto kept = runtime::requested_resources(with_flags({{"memory", "-1"}, {"memory-swap", "0"}}), std::nullopt);
    CHECK(kept.memory->swap == 0);
    const auto doc = runtime::requested_resources(with_flags({}), std::string(R"({"memory":{"limit":-1}})"));
    CHECK(doc.memory->swap == -1);
    const auto limited = runtime::requested_resources(with_flags({{"memory", "64m"}}), std::nullopt);
    CHECK_FALSE(limited.memory->swap);
}

TEST_CASE("update: with --resources the other resource flags are ignored (runc)") {
    const auto r = runtime::requested_resources(with_flags({{"pids-limit", "7"}, {"memory", "1g"}}),
                                                std::string(R"({"cpu":{"shares":512}})"));
    CHECK_FALSE(r.has_pids);
    CHECK_FALSE(r.pids_limit);
    CHECK_FALSE(r.memory);
    REQUIRE(r.cpu);
    CHECK(r.cpu->shares == 512u);
    CHECK(error_of([] { runtime::requested_resources(with_flags({}), std::string("{")); }) == "--resources: not valid JSON");
}

TEST_CASE("update: --cpu-burst, --cpu-idle; --kernel-memory* accepted and ignored") {
    const auto r = runtime::requested_resources(
        with_flags({{"cpu-burst", "5000"}, {"cpu-idle", "1"}, {"kernel-memory", "1g"}, {"kernel-memory-tcp", "1m"}}),
        std::nullopt);
    REQUIRE(r.cpu);
    CHECK(r.cpu->burst == 5000u);
    CHECK(r.cpu->idle == 1);
    CHECK_FALSE(r.memory);
    CHECK(error_of([] { runtime::requested_resources(with_flags({{"cpu-idle", "x"}}), std::nullopt); }) ==
          "--cpu-idle: invalid number \"x\"");
    CHECK(error_of([] { runtime::requested_resources(with_flags({{"cpu-burst", "-1"}}), std::nullopt); }) ==
          "--cpu-burst: invalid number \"-1\"");
    const auto& names = runtime::update_resource_flags();
    for (const char* flag : {"cpu-burst", "cpu-idle", "kernel-memory", "kernel-memory-tcp"})
        CHECK(std::find(names.begin(), names.end(), flag) != names.end());
}
