#include <catch2/catch.hpp>

#include "ocirt/cli/args.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt::cli;

namespace {
const std::vector<FlagSpec> kSpecs{
    {"bundle", 'b', true, ""},
    {"detach", 'd', false, ""},
    {"env", 'e', true, ""},
};
std::vector<std::string> argv(std::initializer_list<const char*> l) { return {l.begin(), l.end()}; }
}  // namespace

TEST_CASE("long, short, = and Go-style single-dash flags") {
    const auto a = parse_args(kSpecs, argv({"x", "--bundle", "/b", "-d", "id"}), 1, false);
    CHECK(a.value("bundle") == "/b");
    CHECK(a.has("detach"));
    CHECK(a.positionals() == std::vector<std::string>{"id"});
    CHECK(parse_args(kSpecs, argv({"x", "--bundle=/c"}), 1, false).value("bundle") == "/c");
    CHECK(parse_args(kSpecs, argv({"x", "-b", "/d"}), 1, false).value("bundle") == "/d");
    CHECK(parse_args(kSpecs, argv({"x", "-bundle", "/e"}), 1, false).value("bundle") == "/e");
    CHECK_FALSE(parse_args(kSpecs, argv({"x", "--detach=false"}), 1, false).has("detach"));
}

TEST_CASE("repeated flags keep every value") {
    const auto a = parse_args(kSpecs, argv({"x", "-e", "A=1", "--env", "B=2"}), 1, false);
    CHECK(a.values("env") == std::vector<std::string>{"A=1", "B=2"});
}

TEST_CASE("exec-style parsing stops at the first positional") {
    const auto a = parse_args(kSpecs, argv({"x", "-d", "id", "sh", "-c", "echo -d"}), 1, true);
    CHECK(a.has("detach"));
    CHECK(a.positionals() == std::vector<std::string>{"id", "sh", "-c", "echo -d"});
}

TEST_CASE("unknown flags and missing values are errors") {
    CHECK_THROWS_WITH(parse_args(kSpecs, argv({"x", "--nope"}), 1, false), "unknown flag --nope");
    CHECK_THROWS_WITH(parse_args(kSpecs, argv({"x", "--bundle"}), 1, false), "flag --bundle needs a value");
    CHECK_THROWS_WITH(parse_args(kSpecs, argv({"x", "--detach=yes"}), 1, false), "flag --detach takes no value");
}
