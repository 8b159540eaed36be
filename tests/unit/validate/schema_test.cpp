#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ocirt/spec/validate/embedded.hpp"
#include "ocirt/spec/validate/schema.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt::spec::validate;
using nlohmann::json;

namespace {

// "pointer: message[, got value]" for every error of `instance` against `schema`.
std::vector<std::string> errors_of(const json& schema, const json& instance) {
    SchemaSet set;
    set.add_document("ocirt:/test/schema.json", schema);
    Schema compiled = set.compile("ocirt:/test/schema.json");
    std::vector<std::string> out;
    for (const auto& e : compiled.validate(instance)) {
        std::string line = to_json_pointer(e.path) + ": " + e.message;
        if (e.value) line += ", got " + e.value->dump();
        if (!e.hint.empty()) line += "; " + e.hint;
        if (e.at_key) line += " [key]";
        out.push_back(line);
    }
    std::sort(out.begin(), out.end());
    CHECK(compiled.accepts(instance) == out.empty());
    return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("schema: type, with the numeric range in the message", "[validate][schema]") {
    json uint32 = {{"type", "integer"}, {"minimum", 0}, {"maximum", 4294967295u}};
    CHECK(errors_of(uint32, "root") == Lines{": expected integer ≥ 0, got \"root\""});
    CHECK(errors_of(uint32, -1) == Lines{": expected integer ≥ 0, got -1"});
    CHECK(errors_of(uint32, 4294967296) == Lines{": expected integer ≤ 4294967295, got 4294967296"});
    CHECK(errors_of(uint32, 1.5) == Lines{": expected integer ≥ 0, got 1.5"});
    CHECK(errors_of(uint32, 7).empty());

    json prio = {{"type", "integer"}, {"minimum", 0}, {"maximum", 7}};
    CHECK(errors_of(prio, 9) == Lines{": expected integer from 0 to 7, got 9"});
    json exclusive = {{"type", "number"}, {"minimum", 0}, {"exclusiveMinimum", true}};
    CHECK(errors_of(exclusive, 0) == Lines{": expected number > 0, got 0"});

    CHECK(errors_of({{"type", json::array({"string", "null"})}}, 3) == Lines{": expected string or null, got 3"});
    CHECK(errors_of({{"type", "object"}}, json::array()) == Lines{": expected object, got []"});
    CHECK(errors_of({{"type", "string"}, {"title", "an absolute path"}}, 5) == Lines{": expected an absolute path, got 5"});
}

TEST_CASE("schema: integers beyond 64 bits are integers, floats with a fraction are not", "[validate][schema]") {
    json integer = {{"type", "integer"}};
    CHECK(errors_of(integer, 1e30).empty());  // a literal like 1000000000000000000000000000000
    CHECK(errors_of(integer, 1.0) == Lines{": expected integer, got 1.0"});
    json u64 = {{"type", "integer"}, {"minimum", 0}, {"maximum", 18446744073709551615u}};
    CHECK(errors_of(u64, 18446744073709551615u).empty());
    CHECK(errors_of(u64, 1.8446744073709552e19) == Lines{": expected integer ≤ 18446744073709551615, got 1.8446744073709552e+19"});
}

TEST_CASE("schema: enum names the choices and suggests a near miss", "[validate][schema]") {
    json actions = {{"title", "a seccomp action"}, {"enum", {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL"}}};
    CHECK(errors_of(actions, "SCMP_ACT_ERROR") ==
          Lines{": expected a seccomp action (\"SCMP_ACT_ALLOW\", \"SCMP_ACT_ERRNO\" or \"SCMP_ACT_KILL\"), got \"SCMP_ACT_ERROR\"; "
                "did you mean \"SCMP_ACT_ERRNO\"?"});
    CHECK(errors_of(actions, "SCMP_ACT_SOMETHING_ELSE").size() == 1);
    CHECK(errors_of(actions, "SCMP_ACT_SOMETHING_ELSE")[0].find("did you mean") == std::string::npos);
    CHECK(errors_of({{"enum", {1, "a", nullptr}}}, 1.0).empty());
    CHECK(errors_of({{"enum", {1, 2, 3, 4, 5, 6, 7, 8}}}, 9) == Lines{": expected one of 1, 2, 3, 4, 5, 6, … (8 values), got 9"});
}

TEST_CASE("schema: objects — required, properties, patternProperties, additionalProperties", "[validate][schema]") {
    json s = {{"type", "object"},
              {"required", {"path"}},
              {"properties", {{"path", {{"type", "string"}}}}},
              {"patternProperties", {{"^x-", {{"type", "integer"}}}}},
              {"additionalProperties", false}};
    CHECK(errors_of(s, {{"path", "p"}, {"x-n", 1}}).empty());
    CHECK(errors_of(s, json::object()) == Lines{": missing required property \"path\""});
    CHECK(errors_of(s, {{"path", "p"}, {"x-n", "one"}, {"other", 1}}) ==
          Lines{"/other: unexpected property \"other\" [key]", "/x-n: expected integer, got \"one\""});
    json map = {{"additionalProperties", {{"type", "string"}}}};
    CHECK(errors_of(map, {{"a/b", 1}}) == Lines{"/a~1b: expected string, got 1"});
    json counted = {{"minProperties", 1}, {"maxProperties", 2}};
    CHECK(errors_of(counted, json::object()) == Lines{": expected at least 1 property, got 0"});
    json deps = {{"dependencies", {{"listenerMetadata", {"listenerPath"}}, {"bar", {{"required", {"baz"}}}}}}};
    CHECK(errors_of(deps, {{"listenerMetadata", "x"}}) == Lines{": property \"listenerMetadata\" requires property \"listenerPath\""});
    CHECK(errors_of(deps, {{"bar", 1}}) == Lines{": missing required property \"baz\""});
}

TEST_CASE("schema: arrays — items, tuples, counts, uniqueness", "[validate][schema]") {
    json names = {{"type", "array"}, {"minItems", 1}, {"items", {{"type", "string"}, {"minLength", 1}}}};
    CHECK(errors_of(names, json::array()) == Lines{": expected a non-empty array"});
    CHECK(errors_of(names, {"read", ""}) == Lines{"/1: expected a non-empty string, got \"\""});
    json tuple = {{"items", {{{"type", "integer"}}, {{"type", "string"}}}}, {"additionalItems", false}};
    CHECK(errors_of(tuple, {1, "a"}).empty());
    CHECK(errors_of(tuple, {1, 2, 3}) == Lines{"/1: expected string, got 2", "/2: unexpected item: at most 2 items are allowed"});
    json unique = {{"uniqueItems", true}};
    CHECK(errors_of(unique, {"a", "b", "a", 1, 1.0, true}) == Lines{"/2: duplicate of item 0", "/4: duplicate of item 3"});
    CHECK(errors_of(unique, {json::object({{"a", 1}}), json::object({{"a", 2}})}).empty());
    CHECK(errors_of({{"maxItems", 1}}, {1, 2}) == Lines{": expected at most 1 item, got 2"});
}

TEST_CASE("schema: strings — lengths in code points, pattern, format", "[validate][schema]") {
    CHECK(errors_of({{"maxLength", 2}}, "éé").empty());
    CHECK(errors_of({{"minLength", 3}}, "éé") == Lines{": expected a string of at least 3 characters, got \"éé\""});
    CHECK(errors_of({{"pattern", "^/"}}, "rel") == Lines{": expected a string matching /^//, got \"rel\""});
    CHECK(errors_of({{"pattern", "^/"}, {"title", "an absolute path"}}, "rel") == Lines{": expected an absolute path, got \"rel\""});
    CHECK(errors_of({{"format", "semver"}}, "1.0") == Lines{": expected a SemVer 2.0.0 version, got \"1.0\""});
    CHECK(errors_of({{"format", "semver"}}, "1.0.2-dev").empty());
    CHECK(errors_of({{"format", "ipv4"}}, "10.0.0.256").size() == 1);
    CHECK(errors_of({{"format", "no-such-format"}}, "anything").empty());
    CHECK(errors_of({{"pattern", "^a"}}, 5).empty());  // keywords apply to their own type only
}

TEST_CASE("schema: numbers — multipleOf", "[validate][schema]") {
    CHECK(errors_of({{"multipleOf", 2}}, 7) == Lines{": expected a multiple of 2, got 7"});
    CHECK(errors_of({{"multipleOf", 0.0001}}, 0.0075).empty());
    CHECK(errors_of({{"multipleOf", 1.5}}, 35).size() == 1);
    CHECK(errors_of({{"multipleOf", 0.5}}, -3.5).empty());
    CHECK(errors_of({{"multipleOf", 0.5}}, -3.25).size() == 1);
    CHECK(errors_of({{"multipleOf", 0.1}}, 1e300).empty());  // no fraction left at that size
    CHECK(errors_of({{"multipleOf", 1.5}}, 9.2e18).empty());  // a quotient between 2^62 and 2^63
}

TEST_CASE("schema: combinators report the most useful errors", "[validate][schema]") {
    json all = {{"allOf", {{{"required", {"a"}}}, {{"required", {"b"}}}}}};
    CHECK(errors_of(all, json::object()) == Lines{": missing required property \"a\"", ": missing required property \"b\""});

    json titled = {{"title", "a limit with \"hcaHandles\" or \"hcaObjects\""},
                   {"anyOf", {{{"required", {"hcaHandles"}}}, {{"required", {"hcaObjects"}}}}}};
    CHECK(errors_of(titled, json::object()) == Lines{": expected a limit with \"hcaHandles\" or \"hcaObjects\""});
    CHECK(errors_of(titled, {{"hcaObjects", 1}}).empty());

    // No title: the closest branch of the right type speaks.
    json closest = {{"anyOf", {{{"type", "string"}}, {{"type", "object"}, {"required", {"a", "b"}}}}}};
    CHECK(errors_of(closest, {{"a", 1}}) == Lines{": missing required property \"b\""});

    json one = {{"oneOf", {{{"type", "integer"}}, {{"minimum", 2}}}}};
    CHECK(errors_of(one, 1).empty());
    CHECK(errors_of(one, 3) == Lines{": matches more than one of the allowed forms, got 3"});
    CHECK(errors_of(one, 2.5).empty());
    CHECK(errors_of(one, 1.5) == Lines{": expected number ≥ 2, got 1.5"});

    json forbidden = {{"not", {{"type", "null"}, {"title", "null"}}}};
    CHECK(errors_of(forbidden, nullptr) == Lines{": must not be null, got null"});
}

TEST_CASE("schema: $ref across documents, JSON pointer escapes and id scopes", "[validate][schema]") {
    SchemaSet set;
    set.add_document("ocirt:/s/defs.json", {{"definitions", {{"uint8", {{"type", "integer"}, {"minimum", 0}, {"maximum", 255}}},
                                                             {"a/b", {{"type", "string"}}},
                                                             {"t~n", {{"$ref", "#/definitions/uint8"}}}}}});
    set.add_document("ocirt:/s/root.json", {{"properties",
                                             {{"x", {{"$ref", "defs.json#/definitions/t~0n"}}},
                                              {"y", {{"$ref", "defs.json#/definitions/a~1b"}}},
                                              {"z", {{"id", "sub/"}, {"items", {{"$ref", "../defs.json#/definitions/uint8"}}}}},
                                              {"self", {{"$ref", "#"}}}}}});
    Schema root = set.compile("ocirt:/s/root.json");
    CHECK(root.accepts({{"x", 3}, {"y", "s"}, {"z", {1, 2}}, {"self", {{"x", 4}}}}));
    // The errors point into the instance: it must outlive them.
    const nlohmann::json bad = {{"x", 300}, {"z", {1, -1}}, {"self", {{"y", 1}}}};
    auto errors = root.validate(bad);
    REQUIRE(errors.size() == 3);
    CHECK(to_json_pointer(errors[0].path) == "/self/y");
    CHECK(to_json_pointer(errors[1].path) == "/x");
    CHECK(errors[1].message == "expected integer ≤ 255");  // 255 is the uint8 limit, not worth a range
    CHECK(to_json_pointer(errors[2].path) == "/z/1");

    SchemaSet broken;
    broken.add_document("ocirt:/s/b.json", {{"$ref", "missing.json#/x"}});
    CHECK_THROWS_AS(broken.compile("ocirt:/s/b.json"), ocirt::Error);
    SchemaSet bad_pointer;
    bad_pointer.add_document("ocirt:/s/c.json", {{"$ref", "#/definitions/nope"}});
    CHECK_THROWS_WITH(bad_pointer.compile("ocirt:/s/c.json"), Catch::Contains("no \"definitions\""));
    SchemaSet bad_regex;
    bad_regex.add_document("ocirt:/s/d.json", {{"properties", {{"a", {{"pattern", "(unclosed"}}}}}});
    CHECK_THROWS_WITH(bad_regex.compile("ocirt:/s/d.json"), Catch::Contains("missing ')'"));
    // Lazily, the same error waits until validation reaches the bad subschema.
    SchemaSet lazy;
    lazy.add_document("ocirt:/s/d.json", {{"properties", {{"a", {{"pattern", "(unclosed"}}}}}});
    Schema deferred = lazy.compile("ocirt:/s/d.json", CompileMode::lazy);
    CHECK(deferred.accepts({{"b", 1}}));
    CHECK_THROWS_AS(deferred.accepts({{"a", "x"}}), ocirt::Error);
}

TEST_CASE("schema: resolve_uri follows RFC 3986", "[validate][schema]") {
    CHECK(resolve_uri("ocirt:/schema/config-schema.json", "defs.json#/definitions/x") == "ocirt:/schema/defs.json#/definitions/x");
    CHECK(resolve_uri("http://localhost:1234/tree", "node") == "http://localhost:1234/node");
    CHECK(resolve_uri("http://localhost:1234/", "folder/") == "http://localhost:1234/folder/");
    CHECK(resolve_uri("http://localhost:1234/folder/", "folderInteger.json") == "http://localhost:1234/folder/folderInteger.json");
    CHECK(resolve_uri("http://a/b/c/d", "../e") == "http://a/b/e");
    CHECK(resolve_uri("http://a/b", "#frag") == "http://a/b#frag");
    CHECK(resolve_uri("http://a/b", "http://x/y") == "http://x/y");
    CHECK(resolve_uri("http://a", "b") == "http://a/b");
}

TEST_CASE("schema: the error list is bounded", "[validate][schema]") {
    json many = json::array();
    for (int i = 0; i < 5000; ++i) many.push_back("x");
    SchemaSet set;
    set.add_document("ocirt:/s/n.json", {{"items", {{"type", "integer"}}}});
    ValidateOptions options;
    options.max_errors = 10;
    CHECK(set.compile("ocirt:/s/n.json").validate(many, options).size() == 10);
}

TEST_CASE("schema: the bundled documents compile and carry the capability list", "[validate][schema]") {
    // BundledSchemas compiles lazily; compile everything here so a malformed schema fails a test.
    SchemaSet eager;
    for (const auto& doc : embedded_schemas()) eager.add_document(embedded_schema_uri(doc.name), json::parse(doc.text));
    CHECK_NOTHROW(eager.compile(embedded_schema_uri("config-schema.json"), CompileMode::eager));
    CHECK_NOTHROW(eager.compile(embedded_schema_uri("state-schema.json"), CompileMode::eager));
    CHECK_THROWS_AS(eager.add_document(embedded_schema_uri("defs.json"), json::object()), ocirt::Error);
    // BundledSchemas skips the scan for "id" keywords (an "id" with a string value): there must be none.
    std::function<bool(const json&)> has_id = [&](const json& v) {
        if (v.is_object() && v.contains("id") && v["id"].is_string()) return true;
        if (v.is_structured())
            for (const auto& child : v)
                if (has_id(child)) return true;
        return false;
    };
    for (const auto& doc : embedded_schemas()) {
        INFO(doc.name);
        CHECK_FALSE(has_id(json::parse(doc.text)));
    }

    const auto& bundled = BundledSchemas::get();
    CHECK(bundled.known_capabilities().size() == 41);
    CHECK(bundled.known_capabilities().front() == "CAP_CHOWN");
    CHECK(bundled.known_capabilities().back() == "CAP_CHECKPOINT_RESTORE");
    std::vector<std::string> names;
    for (const auto& doc : embedded_schemas()) {
        names.emplace_back(doc.name);
        CHECK_FALSE(json::parse(doc.text, nullptr, false).is_discarded());
    }
    CHECK(names == std::vector<std::string>{"config-linux.json", "config-schema.json", "defs-linux.json", "defs.json", "state-schema.json"});
    REQUIRE(find_embedded_schema("defs.json"));
    CHECK(find_embedded_schema("defs.json")->find("\"uint32\"") != std::string_view::npos);
    CHECK_FALSE(find_embedded_schema("nope.json"));
}
