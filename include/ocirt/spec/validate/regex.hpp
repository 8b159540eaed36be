#pragma once
/// The regular expressions of JSON Schema `pattern` and `patternProperties`: a subset of ECMA-262
/// matched by a Pike VM over Unicode code points, so matching time is linear in the input and
/// no input can exhaust the stack (std::regex recurses per character).
///
/// Supported: literals, `.`, `^`, `$`, `|`, groups `(…)` and `(?:…)`, classes `[…]`/`[^…]` with
/// ranges, `\d \D \w \W \s \S`, escapes `\n \r \t \f \v \0 \xHH \uHHHH` and escaped
/// punctuation, quantifiers `* + ? {n} {n,} {n,m}` (lazy forms accepted; they match the same
/// strings). Rejected: back-references, lookaround, `\b`, `\p{…}`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocirt::spec::validate {

/// A compiled pattern; copyable and immutable once built.
class Regex {
public:
    /// Compiles `pattern`; on unsupported or malformed syntax returns nullopt and sets `error`.
    static std::optional<Regex> compile(std::string_view pattern, std::string* error = nullptr);

    /// True if the pattern matches somewhere in `text` (ECMA-262 search, not anchored).
    bool search(std::string_view text) const;

    /// The pattern as written.
    const std::string& source() const noexcept { return source_; }

    /// One VM instruction (public for the compiler in regex.cpp).
    struct Inst {
        enum class Op : std::uint8_t { character, any, char_class, split, jump, match, line_begin, line_end };
        Op op;
        std::uint32_t x = 0;  // character: code point; char_class: class index; split/jump: target
        std::uint32_t y = 0;  // split: second target
    };
    /// A character class: sorted, merged code point ranges.
    struct CharClass {
        std::vector<std::pair<char32_t, char32_t>> ranges;
        bool contains(char32_t c) const;
    };

private:
    Regex() = default;
    std::string source_;
    std::vector<Inst> program_;
    std::vector<CharClass> classes_;
    bool anchored_start_ = false;  // the program begins with ^: only position 0 can match
    friend class RegexCompiler;
};

/// Decodes one UTF-8 code point at `pos`, advancing it; malformed bytes decode as U+FFFD.
char32_t decode_utf8(std::string_view text, std::size_t& pos);

/// Number of code points in a UTF-8 string (JSON Schema string lengths count these).
std::size_t utf8_length(std::string_view text);

}  // namespace ocirt::spec::validate
