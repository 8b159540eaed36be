// The validator end to end: the fixture corpus (valid configs must stay clean, every invalid
// one must produce exactly its golden .expected output), output formats, hostile input.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ocirt/spec/validate/validate.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt::spec::validate;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = "fixtures/validate";  // the unit tests run in tests/unit

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<fs::path> fixtures(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(kFixtures / dir))
        if (entry.path().extension() == ".json") out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("validate: every valid fixture passes without errors or warnings", "[validate][corpus]") {
    auto files = fixtures("valid");
    REQUIRE(files.size() >= 5);
    for (const auto& path : files) {
        INFO(path.string());
        auto report = validate_config_text(read_file(path), "config.json");
        CHECK(format_text(report) == "config.json: valid (runtime-spec 1.3.0)\n");
        CHECK(report.valid());
    }
}

TEST_CASE("validate: every invalid fixture reports exactly its golden diagnostics", "[validate][corpus]") {
    auto files = fixtures("invalid");
    REQUIRE(files.size() >= 10);
    for (const auto& path : files) {
        INFO(path.string());
        auto report = validate_config_text(read_file(path), "config.json");
        CHECK_FALSE(report.valid());
        fs::path expected = path;
        expected.replace_extension(".expected");
        CHECK(format_text(report) == read_file(expected));
    }
}

TEST_CASE("validate: state documents", "[validate][corpus]") {
    for (const char* name : {"running.json", "stopped-no-pid.json"}) {
        INFO(name);
        auto report = validate_state_text(read_file(kFixtures / "state" / name), "state.json");
        CHECK(report.diagnostics.empty());
    }
    for (const char* name : {"invalid-status", "invalid-created-no-pid"}) {
        INFO(name);
        auto report = validate_state_text(read_file(kFixtures / "state" / (std::string(name) + ".json")), "state.json");
        CHECK_FALSE(report.valid());
        CHECK(format_text(report) == read_file(kFixtures / "state" / (std::string(name) + ".expected")));
    }
}

TEST_CASE("validate: the example of the issue, to the column", "[validate]") {
    const std::string text =
        "{\n"
        "    \"ociVersion\": \"1.3.0\",\n"
        "    \"root\": {\"path\": \"rootfs\"},\n"
        "    \"process\": {\n"
        "        \"cwd\": \"/\",\n"
        "        \"args\": [\"sh\"],\n"
        "        \"user\": {\n"
        "            \"uid\": \"root\",\n"
        "            \"gid\": 0\n"
        "        }\n"
        "    }\n"
        "}\n";
    auto report = validate_config_text(text, "config.json");
    REQUIRE(report.diagnostics.size() == 1);
    const auto& d = report.diagnostics[0];
    CHECK(d.line == 8);
    CHECK(d.column == 20);
    CHECK(d.pointer == "/process/user/uid");
    CHECK(d.severity == Severity::error);
    CHECK(format_text(report) == "config.json:8:20: /process/user/uid: expected integer ≥ 0, got \"root\"\n");
}

TEST_CASE("validate: JSON output is an array of located objects", "[validate]") {
    auto report = validate_config_text(R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "process": {"cwd": "/", "args": [], "terminal": 1}})",
                                       "bundle/config.json");
    auto out = nlohmann::json::parse(format_json(report));
    REQUIRE(out.is_array());
    REQUIRE(out.size() == 2);
    CHECK(out[0] == nlohmann::json{{"file", "bundle/config.json"}, {"line", 1}, {"column", 85}, {"pointer", "/process/args"},
                                   {"severity", "error"}, {"message", "process.args is empty: it needs at least the program to run"}});
    CHECK(out[1]["pointer"] == "/process/terminal");
    CHECK(out[1]["message"] == "expected boolean, got 1");

    auto clean = validate_config_text(R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "process": {"cwd": "/", "args": ["sh"]}})", "c.json");
    CHECK(format_json(clean) == "[]\n");
    CHECK(format_text(clean) == "c.json: valid (runtime-spec 1.3.0)\n");
}

TEST_CASE("validate: warnings alone keep a config valid", "[validate]") {
    auto report = validate_config_text(
        R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "process": {"cwd": "/", "args": ["sh"], "capabilities": {"bounding": ["CAP_FUTURE"]}}})",
        "config.json");
    CHECK(report.valid());
    CHECK(report.error_count() == 0);
    CHECK(format_text(report) ==
          "config.json:1:123: warning: /process/capabilities/bounding/0: unknown capability \"CAP_FUTURE\": the runtime will ignore it\n"
          "config.json: valid (runtime-spec 1.3.0)\n");
}

TEST_CASE("validate: a syntax error is one diagnostic, at the right place", "[validate]") {
    auto report = validate_config_text("{\n  \"ociVersion\": \"1.3.0\"\n  \"root\": {}\n}\n", "config.json");
    CHECK(format_text(report) == "config.json:3:3: invalid JSON: unexpected '\"': expected ',' or '}' after an object member\n");
    CHECK(report.error_count() == 1);
}

TEST_CASE("validate: hostile input stays bounded and never throws", "[validate][hostile]") {
    // Deep nesting.
    auto deep = validate_config_text(std::string(1 << 20, '['), "config.json");
    REQUIRE(deep.diagnostics.size() == 1);
    CHECK(deep.diagnostics[0].message == "invalid JSON: nesting deeper than 128 levels");

    // A huge string where a pattern applies.
    std::string huge_env = R"({"ociVersion": "1.3.0", "root": {"path": "r"}, "process": {"cwd": "/", "args": ["sh"], "env": [")" +
                           std::string(8 << 20, 'A') + R"("]}})";
    auto env = validate_config_text(huge_env, "config.json");
    REQUIRE(env.diagnostics.size() == 1);
    CHECK(env.diagnostics[0].pointer == "/process/env/0");
    CHECK(env.diagnostics[0].message.size() < 200);  // the value is shortened in the message

    // A huge array of wrong items: the diagnostics are capped.
    std::string many = R"({"ociVersion": "1.3.0", "root": {"path": "r"}, "process": {"cwd": "/", "args": ["sh"], "rlimits": [)";
    for (int i = 0; i < 20000; ++i) many += (i ? ",1" : "1");
    many += "]}}";
    ValidationLimits limits;
    limits.max_diagnostics = 50;
    auto capped = validate_config_text(many, "config.json", limits);
    REQUIRE(capped.diagnostics.size() == 51);
    CHECK(capped.diagnostics.back().message.rfind("too many problems: ", 0) == 0);

    // Unique-items checks on a long array are not quadratic.
    std::string flags = R"({"ociVersion": "1.3.0", "root": {"path": "r"}, "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "flags": [)";
    for (int i = 0; i < 100000; ++i) flags += (i ? ",\"SECCOMP_FILTER_FLAG_LOG\"" : "\"SECCOMP_FILTER_FLAG_LOG\"");
    flags += "]}}}";
    CHECK_FALSE(validate_config_text(flags, "config.json").valid());

    // Nothing but garbage.
    for (std::string garbage : {std::string("\0\0\0", 3), std::string("\xff\xfe{"), std::string("{\"a\":\"\xc3\"}"), std::string("-")}) {
        auto r = validate_config_text(garbage, "config.json");
        CHECK(r.error_count() == 1);
        CHECK_NOTHROW(format_json(r));
    }
}

TEST_CASE("validate: require_valid_config throws with every error, returns warnings", "[validate]") {
    const std::string bad = R"({"ociVersion": "1.3.0", "root": {"path": ""}, "process": {"cwd": "x", "args": ["sh"]}})";
    try {
        require_valid_config(bad, "bundle/config.json");
        FAIL("no exception");
    } catch (const ocirt::Error& e) {
        CHECK(std::string(e.what()) ==
              "bundle/config.json is not a valid runtime-spec 1.3.0 config (2 errors):\n"
              "bundle/config.json:1:42: /root/path: root.path is empty: it must name the root filesystem directory (conventionally \"rootfs\")\n"
              "bundle/config.json:1:66: /process/cwd: expected an absolute path, got \"x\"");
    }
    auto warnings = require_valid_config(
        R"({"ociVersion": "1.3.0", "root": {"path": "r"}, "process": {"cwd": "/", "args": ["sh"], "capabilities": {"bounding": ["CAP_NEW"]}}})",
        "config.json");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].severity == Severity::warning);
    CHECK_THROWS_AS(require_valid_config("{", "config.json"), ocirt::Error);
}
