// The validator end to end: the fixture corpus (valid configs must stay clean, every invalid
// one must produce exactly its golden .expected output), output formats, hostile input.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ocirt/spec/config_file.hpp"
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

TEST_CASE("validate: a NUL byte in any string that reaches the kernel is an error", "[validate][hostile]") {
    nlohmann::json c = nlohmann::json::parse(R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"},
        "process": {"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0}},
        "linux": {"namespaces": [{"type": "mount"}]}})");
    SECTION("a mount destination") {
        c["mounts"] = {{{"destination", std::string("/etc\0/ignored", 13)}, {"type", "tmpfs"}, {"source", "tmpfs"}}};
        auto r = validate_config_text(c.dump(), "config.json");
        REQUIRE(r.error_count() == 1);
        CHECK(r.diagnostics[0].pointer == "/mounts/0/destination");
        CHECK(r.diagnostics[0].message == "contains a NUL byte (\\u0000): the kernel would cut the string there");
    }
    SECTION("a sysctl key") {
        c["linux"]["namespaces"].push_back({{"type", "network"}});
        c["linux"]["sysctl"] = {{std::string("net.ipv4.ip_forward\0x", 21), "1"}};
        auto r = validate_config_text(c.dump(), "config.json");
        REQUIRE(r.error_count() == 1);
        CHECK(r.diagnostics[0].message.starts_with("key contains a NUL byte"));
    }
    SECTION("annotations are data, not C strings") {
        c["annotations"] = {{std::string("a\0b", 3), std::string("c\0d", 3)}};
        CHECK(validate_config_text(c.dump(), "config.json").valid());
    }
}

TEST_CASE("validate: a repeated key is an error naming both lines", "[validate][hostile]") {
    const std::string text = "{\n  \"ociVersion\": \"1.3.0\",\n  \"root\": {\"path\": \"r\"},\n  \"process\": {\n    \"args\": [\"sh\"],\n"
                             "    \"cwd\": \"/\",\n    \"user\": {\"uid\": 0, \"gid\": 0},\n    \"args\": [\"evil\"]\n  }\n}\n";
    auto r = validate_config_text(text, "config.json");
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(format_text(r) == "config.json:8:5: /process: duplicate key \"args\" (lines 5 and 8)\n");
}

TEST_CASE("validate: the nesting limit is the one create uses", "[validate][hostile]") {
    auto nested = [](std::size_t levels) {
        return R"({"ociVersion": "1.3.0", "root": {"path": "r"}, "x-extension": )" + std::string(levels - 1, '[') +
               std::string(levels - 1, ']') + "}";
    };
    CHECK(validate_config_text(nested(kMaxJsonDepth), "config.json").valid());
    CHECK_NOTHROW(ocirt::spec::parse_config_text(nested(kMaxJsonDepth), "config.json"));
    auto deep = validate_config_text(nested(kMaxJsonDepth + 1), "config.json");
    REQUIRE(deep.diagnostics.size() == 1);
    CHECK(deep.diagnostics[0].message == "invalid JSON: nesting deeper than 128 levels");
    CHECK_THROWS_WITH(ocirt::spec::parse_config_text(nested(kMaxJsonDepth + 1), "b/config.json"),
                      "b/config.json:1:" + std::to_string(62 + kMaxJsonDepth) + ": invalid JSON: nesting deeper than 128 levels");
}

namespace {

// A minified config (one line: the worst case for columns) with `n` entries added by `add`.
std::string config_with(std::size_t n, const std::function<void(nlohmann::json&, std::size_t)>& add) {
    nlohmann::json c = nlohmann::json::parse(R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"},
        "process": {"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0}},
        "linux": {"namespaces": [{"type": "mount"}, {"type": "network"}]}})");
    for (std::size_t i = 0; i < n; ++i) add(c, i);
    return c.dump();
}

}  // namespace

TEST_CASE("validate: 100,000 entries of any list are checked in linear or n log n time", "[validate][hostile]") {
    // Each of these took seconds to minutes when the number of findings grew quadratically.
    // The bound is a wide "does not hang" guard, not a performance target.
#if defined(__SANITIZE_ADDRESS__)
    // The -O0 ASan build (CI) runs this some 30x slower: 18 lists of 100,000 outlast meson's
    // timeout there. 10,000 still shows a quadratic check (16k devices took 9.9 s at -O2).
    constexpr std::size_t n = 10000;
#else
    constexpr std::size_t n = 100000;
#endif
    const std::map<std::string, std::function<void(nlohmann::json&, std::size_t)>> lists = {
        {"repeated devices", [](auto& c, auto) { c["linux"]["devices"].push_back({{"path", "/dev/x"}, {"type", "c"}, {"major", 1}, {"minor", 3}}); }},
        {"repeated namespaces", [](auto& c, auto) { c["linux"]["namespaces"].push_back({{"type", "pid"}}); }},
        {"repeated rlimits", [](auto& c, auto) { c["process"]["rlimits"].push_back({{"type", "RLIMIT_NOFILE"}, {"soft", 1}, {"hard", 1}}); }},
        {"repeated hugepage limits", [](auto& c, auto) { c["linux"]["resources"]["hugepageLimits"].push_back({{"pageSize", "2MB"}, {"limit", 1}}); }},
        {"repeated capabilities", [](auto& c, auto) { c["process"]["capabilities"]["bounding"].push_back("CAP_KILL"); }},
        {"unknown capabilities", [](auto& c, auto i) { c["process"]["capabilities"]["permitted"].push_back("CAP_X" + std::to_string(i)); }},
        {"ambient not permitted", [](auto& c, auto i) {
             c["process"]["capabilities"]["ambient"].push_back("CAP_KILL");
             c["process"]["capabilities"]["permitted"].push_back("CAP_P" + std::to_string(i));
         }},
        {"netDevices clashes", [](auto& c, auto i) { c["linux"]["netDevices"]["d" + std::to_string(i)] = {{"name", "eth0"}}; }},
        {"host sysctls", [](auto& c, auto i) { c["linux"]["sysctl"]["vm.x" + std::to_string(i)] = "1"; }},
        {"mounts", [](auto& c, auto i) { c["mounts"].push_back({{"destination", "/m/" + std::to_string(i)}, {"type", "tmpfs"}, {"source", "tmpfs"}}); }},
        {"relative mounts", [](auto& c, auto i) { c["mounts"].push_back({{"destination", "m/" + std::to_string(i)}, {"type", "tmpfs"}}); }},
        {"env", [](auto& c, auto i) { c["process"]["env"].push_back("V" + std::to_string(i) + "=x"); }},
        {"bad env", [](auto& c, auto i) { c["process"]["env"].push_back("=" + std::to_string(i)); }},
        {"masked paths", [](auto& c, auto i) { c["linux"]["maskedPaths"].push_back("/p/" + std::to_string(i)); }},
        {"NUL bytes", [](auto& c, auto i) { c["linux"]["readonlyPaths"].push_back(std::string("/p\0", 3) + std::to_string(i)); }},
        {"unmapped additional gids", [](auto& c, auto i) {
             if (i == 0) {
                 c["linux"]["namespaces"].push_back({{"type", "user"}});
                 c["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}};
             }
             c["linux"]["gidMappings"].push_back({{"containerID", 2 * i}, {"hostID", 1000 + i}, {"size", 1}});
             c["process"]["user"]["additionalGids"].push_back(2 * i + 1);
         }},
        {"seccomp rules", [](auto& c, auto i) {
             c["linux"]["seccomp"]["defaultAction"] = "SCMP_ACT_ALLOW";
             c["linux"]["seccomp"]["syscalls"].push_back({{"names", {"s" + std::to_string(i)}}, {"action", "SCMP_ACT_ALLOW"}});
         }},
        {"annotations", [](auto& c, auto i) { c["annotations"]["a" + std::to_string(i)] = "v"; }},
    };
    for (const auto& [what, add] : lists) {
        const std::string text = config_with(n, add);
        const auto start = std::chrono::steady_clock::now();
        const Report r = validate_config_text(text, "config.json");
        const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        INFO(what << ": " << r.diagnostics.size() << " diagnostics in " << seconds << " s");
        CHECK(seconds < 20);
        CHECK(r.diagnostics.size() <= ValidationLimits{}.max_diagnostics + 1);
        const bool expect_valid = what == "mounts" || what == "env" || what == "masked paths" || what == "annotations" ||
                                  what == "seccomp rules" || what == "relative mounts" || what == "unknown capabilities" ||
                                  what == "repeated capabilities";
        CHECK(r.valid() == expect_valid);
    }
}
