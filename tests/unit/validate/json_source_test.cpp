#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "ocirt/spec/validate/json_source.hpp"

using namespace ocirt::spec::validate;
using nlohmann::json;

namespace {

// Line and column of the value at `path` in `text`.
std::string where(const std::string& text, std::initializer_list<PathElem> path, bool key = false) {
    auto parsed = parse_json(text);
    REQUIRE(parsed.ok);
    InstancePath p(path);
    const SourceNode* node = find_source(parsed.source, p);
    REQUIRE(node != nullptr);
    LineIndex lines(text);
    auto pos = lines.at(key ? node->key_begin : node->begin);
    return std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

std::string syntax_error(const std::string& text) {
    auto parsed = parse_json(text);
    REQUIRE_FALSE(parsed.ok);
    auto pos = LineIndex(text).at(parsed.error_offset);
    return std::to_string(pos.line) + ":" + std::to_string(pos.column) + " " + parsed.error;
}

}  // namespace

TEST_CASE("json_source: builds the same value nlohmann does", "[validate][json]") {
    const std::string text = R"({"a": [1, -2, 3.5, 1e3, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {"c": {}}, "d": 18446744073709551615})";
    auto parsed = parse_json(text);
    REQUIRE(parsed.ok);
    CHECK(parsed.value == json::parse(text));
    CHECK(parsed.value["a"][0].is_number_unsigned());
    CHECK(parsed.value["a"][1].is_number_integer());
    CHECK(parsed.value["a"][3].is_number_float());
    CHECK(parsed.value["d"].get<std::uint64_t>() == 18446744073709551615ull);
}

TEST_CASE("json_source: floating numbers round as nlohmann's do, underflow keeps its sign", "[validate][json]") {
    const std::string text = "[0.1, -2.5e-3, 1.7976931348623157e308, 4.9e-324, 1e-400, -1e-400, 123456789012345678901234567890]";
    auto parsed = parse_json(text);
    REQUIRE(parsed.ok);
    CHECK(parsed.value == json::parse(text));
    CHECK(parsed.value[3].get<double>() > 0);          // the smallest subnormal, not zero
    CHECK(parsed.value[4].get<double>() == 0);
    CHECK_FALSE(std::signbit(parsed.value[4].get<double>()));
    CHECK(std::signbit(parsed.value[5].get<double>()));  // -0
    CHECK(parsed.value[6].is_number_float());
    CHECK(syntax_error("[-1e400]") == "1:2 number out of range");
    CHECK(syntax_error("[1.8e308]") == "1:2 number out of range");
    CHECK(syntax_error("[0x10]") == "1:3 unexpected 'x': expected ',' or ']' after an array element");
}

TEST_CASE("json_source: every value and key has its line and column", "[validate][json]") {
    const std::string text =
        "{\n"
        "  \"process\": {\n"
        "    \"user\": {\"uid\": \"root\"},\n"
        "\t\"args\": [\"sh\", \"-c\"]\n"
        "  }\n"
        "}\n";
    CHECK(where(text, {}) == "1:1");
    CHECK(where(text, {PathElem::member("process")}) == "2:14");
    CHECK(where(text, {PathElem::member("process")}, true) == "2:3");
    CHECK(where(text, {PathElem::member("process"), PathElem::member("user"), PathElem::member("uid")}) == "3:21");
    CHECK(where(text, {PathElem::member("process"), PathElem::member("args"), PathElem::element(1)}) == "4:17");
    CHECK(where(text, {PathElem::member("process"), PathElem::member("args")}, true) == "4:2");  // a tab is one column
}

TEST_CASE("json_source: columns count code points, not bytes", "[validate][json]") {
    const std::string text = "{\"é€😀\": \"x\", \"k\": 1}";
    CHECK(where(text, {PathElem::member("k")}) == "1:19");
}

TEST_CASE("json_source: repeated keys keep the last value and are reported", "[validate][json]") {
    const std::string text = R"({"a": 1, "b": {"c": 1, "c": 2}, "a": 3})";
    auto parsed = parse_json(text);
    REQUIRE(parsed.ok);
    CHECK(parsed.value["a"] == 3);
    CHECK(parsed.value["b"]["c"] == 2);
    REQUIRE(parsed.duplicates.size() == 2);
    CHECK(parsed.duplicates[0].object == "/b");
    CHECK(parsed.duplicates[0].key == "c");
    CHECK(parsed.duplicates[0].first_key_offset == text.find("\"c\""));
    CHECK(parsed.duplicates[0].key_offset == text.rfind("\"c\""));
    CHECK(parsed.duplicates[1].object == "");
    CHECK(parsed.duplicates[1].key == "a");
    CHECK(parsed.duplicates[1].first_key_offset == 1);
    CHECK(where(text, {PathElem::member("a")}) == "1:38");
}

TEST_CASE("json_source: many repeated keys stay linear", "[validate][json][hostile]") {
    // 100,000 copies of one key and 100,000 distinct keys each repeated once: both ends of
    // each duplicate are found without rescanning the object.
    std::string text = "{";
    for (int i = 0; i < 100000; ++i) text += (i ? ",\"k\":1" : "\"k\":1");
    for (int i = 0; i < 100000; ++i) text += ",\"k" + std::to_string(i) + "\":1,\"k" + std::to_string(i) + "\":2";
    text += "}";
    ParseLimits value_only;
    value_only.record_source = false;
    auto parsed = parse_json(text, value_only);
    REQUIRE(parsed.ok);
    REQUIRE(parsed.duplicates.size() == 199999);
    CHECK(parsed.duplicates.front().first_key_offset == 1);
    CHECK(parsed.duplicates.back().key == "k99999");
    CHECK(text.compare(parsed.duplicates.back().first_key_offset, 10, "\"k99999\":1") == 0);
}

TEST_CASE("json_source: syntax errors name the place and the problem", "[validate][json]") {
    CHECK(syntax_error("") == "1:1 unexpected end of input: expected a value");
    CHECK(syntax_error("{\"a\": 1,}") == "1:9 trailing comma before '}'");
    CHECK(syntax_error("[1, 2,]") == "1:7 trailing comma before ']'");
    CHECK(syntax_error("{\"a\" 1}") == "1:6 unexpected '1': expected ':' after the key");
    CHECK(syntax_error("{\n  \"a\": [1 2]\n}") == "2:11 unexpected '2': expected ',' or ']' after an array element");
    CHECK(syntax_error("{'a': 1}") == "1:2 unexpected ''': expected a string key");
    CHECK(syntax_error("[01]") == "1:2 invalid number: leading zeros are not allowed");
    CHECK(syntax_error("[1.]") == "1:4 invalid number: expected a digit after '.'");
    CHECK(syntax_error("[-]") == "1:3 invalid number: expected a digit");
    CHECK(syntax_error("[1e400]") == "1:2 number out of range");
    CHECK(syntax_error("[tru]") == "1:2 invalid literal 'tru': expected true, false or null");
    CHECK(syntax_error("[\"a\tb\"]") == "1:4 control character in string (byte 0x09) must be escaped");
    CHECK(syntax_error("[\"\\x41\"]") == "1:3 invalid escape '\\x' in string");
    CHECK(syntax_error("[\"\\ud800\"]") == "1:3 unpaired UTF-16 surrogate in \\u escape");
    CHECK(syntax_error("[\"\\udc00\"]") == "1:3 unpaired UTF-16 surrogate in \\u escape");
    CHECK(syntax_error("[\"\\u12\"]") == "1:3 invalid \\u escape: expected four hex digits");
    CHECK(syntax_error("[\"\xff\"]") == "1:3 invalid UTF-8 in string");
    CHECK(syntax_error("[\"\xed\xa0\x80\"]") == "1:3 invalid UTF-8 in string");  // an encoded surrogate
    CHECK(syntax_error("[\"\xc0\xaf\"]") == "1:3 invalid UTF-8 in string");      // overlong
    CHECK(syntax_error("\"abc") == "1:1 unterminated string");
    CHECK(syntax_error("{} {}") == "1:4 unexpected '{' after the JSON value");
    CHECK(syntax_error("\xef\xbb\xbf{}") == "1:1 a byte order mark is not allowed at the start of JSON text");
    CHECK(syntax_error("// comment\n{}") == "1:1 unexpected '/': expected a value");
    CHECK(syntax_error(std::string("[\0]", 3)) == "1:2 unexpected byte 0x00: expected a value");
}

TEST_CASE("json_source: nesting depth is bounded", "[validate][json]") {
    std::string deep(100000, '[');
    auto parsed = parse_json(deep);
    CHECK_FALSE(parsed.ok);
    CHECK(parsed.error == "nesting deeper than 128 levels");
    CHECK(parsed.error_offset == 128);
    CHECK(parsed.value.is_null());

    std::string ok = std::string(128, '[') + std::string(128, ']');
    CHECK(parse_json(ok).ok);
    ParseLimits tight;
    tight.max_depth = 3;
    CHECK_FALSE(parse_json("[[[[1]]]]", tight).ok);
    CHECK(parse_json("[[[1]]]", tight).ok);
}

TEST_CASE("json_source: a text over the size limit is refused", "[validate][json]") {
    ParseLimits limits;
    limits.max_size = 10;
    auto parsed = parse_json("[1, 2, 3, 4, 5]", limits);
    CHECK_FALSE(parsed.ok);
    CHECK(parsed.error == "document too large");
}
