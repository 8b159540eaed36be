#include <string>

#include <catch2/catch.hpp>

#include "ocirt/spec/validate/regex.hpp"

using ocirt::spec::validate::Regex;

namespace {

bool matches(const char* pattern, const std::string& text) {
    std::string error;
    auto re = Regex::compile(pattern, &error);
    INFO("pattern /" << pattern << "/: " << error);
    REQUIRE(re.has_value());
    return re->search(text);
}

bool compiles(const char* pattern) { return Regex::compile(pattern).has_value(); }

}  // namespace

TEST_CASE("regex: search is unanchored unless ^ or $ say otherwise", "[validate][regex]") {
    CHECK(matches("a+", "xxaay"));
    CHECK_FALSE(matches("a+", "xyz"));
    CHECK(matches("^/", "/proc"));
    CHECK_FALSE(matches("^/", "proc/"));
    CHECK(matches("^a*$", ""));
    CHECK(matches("^a*$", "aaa"));
    CHECK_FALSE(matches("^a*$", "aab"));
    CHECK(matches("", "anything"));
    CHECK(matches("$", "abc"));
}

TEST_CASE("regex: classes, ranges, negation and escapes", "[validate][regex]") {
    CHECK(matches("^CAP_[A-Z0-9_]+$", "CAP_NET_BIND_SERVICE"));
    CHECK_FALSE(matches("^CAP_[A-Z0-9_]+$", "CAP_net"));
    CHECK(matches("^[^=]+=", "PATH=/bin"));
    CHECK_FALSE(matches("^[^=]+=", "=x"));
    CHECK_FALSE(matches("^[^=]+=", "NOVALUE"));
    CHECK(matches("^MB:[^\\n]*$", "MB:0=20;1=70"));
    CHECK_FALSE(matches("^MB:[^\\n]*$", "MB:0=20\nL3:0=f"));
    CHECK(matches("^\\d{2,}$", "42"));
    CHECK_FALSE(matches("^\\d{2,}$", "4"));
    CHECK(matches("^\\w+\\s\\S$", "ab_9 x"));
    CHECK(matches("^[\\d-]+$", "0-3"));
    CHECK(matches("^\\x41\\u0042\\.$", "AB."));
    CHECK_FALSE(matches("[]a]", "a]"));  // "[]" is the empty class of ECMA-262: it matches nothing
    CHECK(matches("^[a-c]{2}|z$", "bc"));
    CHECK(matches("^(?:ab|cd)+$", "abcdab"));
    CHECK_FALSE(matches("^(?:ab|cd)+$", "abc"));
    CHECK(matches("^a{2,3}$", "aaa"));
    CHECK_FALSE(matches("^a{2,3}$", "aaaa"));
    CHECK(matches("^a{2}$", "aa"));
    CHECK(matches("x{,2}", "x{,2}"));  // not a quantifier: literal braces
}

TEST_CASE("regex: dot and non-ASCII work on code points", "[validate][regex]") {
    CHECK(matches("^.$", "é"));
    CHECK(matches("^ábrázolás$", "ábrázolás"));
    CHECK(matches("^[à-ö]+$", "éö"));
    CHECK_FALSE(matches("^.$", "\n"));
}

TEST_CASE("regex: unsupported or malformed syntax is refused, not misread", "[validate][regex]") {
    std::string error;
    CHECK_FALSE(Regex::compile("(a", &error));
    CHECK(error == "missing ')'");
    CHECK_FALSE(compiles("a)"));
    CHECK_FALSE(compiles("*a"));
    CHECK_FALSE(compiles("a**"));
    CHECK_FALSE(compiles("[a"));
    CHECK_FALSE(compiles("[z-a]"));
    CHECK_FALSE(compiles("(a)\\1"));
    CHECK_FALSE(compiles("(?=a)"));
    CHECK_FALSE(compiles("\\bword"));
    CHECK_FALSE(compiles("\\p{Letter}"));
    CHECK_FALSE(compiles("^\\S(|(.|\\n)*\\S)\\Z"));
    CHECK_FALSE(compiles("a{2,1}"));
    CHECK_FALSE(compiles("a{5000}"));
    CHECK_FALSE(compiles("((((a{1000}){1000}){1000}))"));  // program size bound
    CHECK_FALSE(compiles("\\"));
}

TEST_CASE("regex: matching time is linear and the stack is bounded on huge input", "[validate][regex]") {
    // Patterns that make backtracking engines explode or recurse per character.
    std::string many_a(200000, 'a');
    CHECK_FALSE(matches("^(a+)+$", many_a + "!"));
    CHECK_FALSE(matches("^(a|aa)*b$", many_a));
    CHECK(matches("^[^=]+=", many_a + "="));
    std::string huge(4 << 20, 'x');
    CHECK_FALSE(matches("^[^\\n]*\\n", huge));
}
