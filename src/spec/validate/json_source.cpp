#include "ocirt/spec/validate/json_source.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <unordered_map>
#include <utility>

#include "ocirt/spec/validate/regex.hpp"

namespace ocirt::spec::validate {

namespace {

using nlohmann::json;

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Length of the well-formed UTF-8 sequence at `pos`, or 0 if it is malformed (RFC 3629).
std::size_t utf8_sequence(std::string_view s, std::size_t pos) {
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char c = b(pos);
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (pos + n > s.size()) return 0;
    if (b(pos + 1) < lo || b(pos + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if ((b(pos + k) & 0xC0) != 0x80) return 0;
    return n;
}

std::string describe_char(char c) {
    auto u = static_cast<unsigned char>(c);
    char buf[16];
    if (u >= 0x20 && u < 0x7F)
        std::snprintf(buf, sizeof buf, "'%c'", c);
    else
        std::snprintf(buf, sizeof buf, "byte 0x%02X", u);
    return buf;
}

class Parser {
public:
    Parser(std::string_view text, const ParseLimits& limits, ParsedJson& out)
        : text_(text), limits_(limits), out_(out) {}

    void run() {
        if (text_.size() > limits_.max_size || text_.size() >= std::numeric_limits<std::uint32_t>::max()) {
            fail(0, "document too large");
            return;
        }
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
            fail(0, "a byte order mark is not allowed at the start of JSON text");
            return;
        }
        if (!parse_value(out_.value, out_.source)) return;
        skip_ws();
        if (at_ < text_.size()) {
            fail(at_, "unexpected " + describe_char(text_[at_]) + " after the JSON value");
            return;
        }
        out_.ok = true;
    }

private:
    bool fail(std::size_t offset, std::string message) {
        out_.ok = false;
        out_.error_offset = offset;
        out_.error = std::move(message);
        out_.value = nullptr;
        return false;
    }

    void skip_ws() {
        while (at_ < text_.size()) {
            char c = text_[at_];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++at_;
        }
    }

    std::uint32_t offset() const { return static_cast<std::uint32_t>(at_); }

    bool parse_value(json& value, SourceNode& node) {
        skip_ws();
        if (at_ >= text_.size()) return fail(at_, "unexpected end of input: expected a value");
        node.begin = offset();
        bool ok = false;
        switch (text_[at_]) {
        case '{': ok = parse_object(value, node); break;
        case '[': ok = parse_array(value, node); break;
        case '"': {
            std::string s;
            ok = parse_string(s);
            if (ok) value = std::move(s);
            break;
        }
        case 't': ok = parse_literal("true", value, json(true)); break;
        case 'f': ok = parse_literal("false", value, json(false)); break;
        case 'n': ok = parse_literal("null", value, json(nullptr)); break;
        default:
            if (text_[at_] == '-' || (text_[at_] >= '0' && text_[at_] <= '9'))
                ok = parse_number(value);
            else
                ok = fail(at_, "unexpected " + describe_char(text_[at_]) + ": expected a value");
        }
        node.end = offset();
        return ok;
    }

    bool parse_literal(std::string_view word, json& value, json literal) {
        if (text_.substr(at_, word.size()) != word) {
            std::size_t end = at_;
            while (end < text_.size() && end - at_ < 16 &&
                   ((text_[end] >= 'a' && text_[end] <= 'z') || (text_[end] >= 'A' && text_[end] <= 'Z')))
                ++end;
            return fail(at_, "invalid literal '" + std::string(text_.substr(at_, end - at_)) +
                                 "': expected true, false or null");
        }
        at_ += word.size();
        value = std::move(literal);
        return true;
    }

    bool enter(std::size_t where) {
        if (++depth_ > limits_.max_depth)
            return fail(where, "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
        return true;
    }

    bool parse_object(json& value, SourceNode& node) {
        if (!enter(at_)) return false;
        ++at_;
        value = json::object();
        auto& members = value.get_ref<json::object_t&>();
        // Where each key first appeared, to name both places of a duplicate. A plain list in
        // the common case; indexed by key only once the object has a duplicate, so a hostile
        // object with many repeated keys stays linear.
        std::vector<std::pair<const std::string*, std::uint32_t>> key_offsets;
        std::unordered_map<const std::string*, std::uint32_t> key_index;
        skip_ws();
        if (at_ < text_.size() && text_[at_] == '}') {
            ++at_;
            --depth_;
            return true;
        }
        while (true) {
            skip_ws();
            if (at_ >= text_.size()) return fail(at_, "unexpected end of input: expected an object key");
            if (text_[at_] != '"') {
                if (text_[at_] == '}') return fail(at_, "trailing comma before '}'");
                return fail(at_, "unexpected " + describe_char(text_[at_]) + ": expected a string key");
            }
            SourceNode child;
            child.key_begin = offset();
            std::string key;
            if (!parse_string(key)) return false;
            skip_ws();
            if (at_ >= text_.size() || text_[at_] != ':')
                return fail(at_, at_ >= text_.size() ? "unexpected end of input: expected ':'"
                                                     : "unexpected " + describe_char(text_[at_]) + ": expected ':' after the key");
            ++at_;
            path_.push_back(PathElem::member(key));
            json member;
            bool ok = parse_value(member, child);
            path_.pop_back();
            if (!ok) return false;
            auto [it, inserted] = members.insert_or_assign(std::move(key), std::move(member));
            child.key = &it->first;
            if (inserted && key_index.empty()) {
                key_offsets.emplace_back(&it->first, child.key_begin);
            } else if (inserted) {
                key_index.emplace(&it->first, child.key_begin);
            } else {
                if (key_index.empty()) key_index.insert(key_offsets.begin(), key_offsets.end());
                out_.duplicates.push_back({to_json_pointer(path_), it->first, child.key_begin, key_index[&it->first]});
            }
            if (limits_.record_source) node.children.push_back(std::move(child));
            skip_ws();
            if (at_ >= text_.size()) return fail(at_, "unexpected end of input: expected ',' or '}'");
            if (text_[at_] == ',') {
                ++at_;
                continue;
            }
            if (text_[at_] == '}') {
                ++at_;
                --depth_;
                return true;
            }
            return fail(at_, "unexpected " + describe_char(text_[at_]) + ": expected ',' or '}' after an object member");
        }
    }

    bool parse_array(json& value, SourceNode& node) {
        if (!enter(at_)) return false;
        ++at_;
        value = json::array();
        auto& elements = value.get_ref<json::array_t&>();
        skip_ws();
        if (at_ < text_.size() && text_[at_] == ']') {
            ++at_;
            --depth_;
            return true;
        }
        while (true) {
            skip_ws();
            if (at_ < text_.size() && text_[at_] == ']') return fail(at_, "trailing comma before ']'");
            SourceNode child;
            path_.push_back(PathElem::element(elements.size()));
            json element;
            bool ok = parse_value(element, child);
            path_.pop_back();
            if (!ok) return false;
            elements.push_back(std::move(element));
            if (limits_.record_source) node.children.push_back(std::move(child));
            skip_ws();
            if (at_ >= text_.size()) return fail(at_, "unexpected end of input: expected ',' or ']'");
            if (text_[at_] == ',') {
                ++at_;
                continue;
            }
            if (text_[at_] == ']') {
                ++at_;
                --depth_;
                return true;
            }
            return fail(at_, "unexpected " + describe_char(text_[at_]) + ": expected ',' or ']' after an array element");
        }
    }

    bool hex4(std::size_t pos, char32_t& out) {
        if (pos + 4 > text_.size()) return false;
        char32_t v = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            char c = text_[pos + k];
            int h = (c >= '0' && c <= '9') ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
            if (h < 0) return false;
            v = v * 16 + static_cast<char32_t>(h);
        }
        out = v;
        return true;
    }

    bool parse_string(std::string& out) {
        std::size_t start = at_;
        ++at_;  // opening quote
        while (true) {
            // Copy the run of plain ASCII at once.
            std::size_t run = at_;
            while (run < text_.size()) {
                auto c = static_cast<unsigned char>(text_[run]);
                if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
                ++run;
            }
            out.append(text_.data() + at_, run - at_);
            at_ = run;
            if (at_ >= text_.size()) return fail(start, "unterminated string");
            auto c = static_cast<unsigned char>(text_[at_]);
            if (c == '"') {
                ++at_;
                return true;
            }
            if (c < 0x20) return fail(at_, "control character in string (" + describe_char(text_[at_]) + ") must be escaped");
            if (c >= 0x80) {
                std::size_t n = utf8_sequence(text_, at_);
                if (n == 0) return fail(at_, "invalid UTF-8 in string");
                out.append(text_.data() + at_, n);
                at_ += n;
                continue;
            }
            // Backslash escape.
            if (at_ + 1 >= text_.size()) return fail(start, "unterminated string");
            char e = text_[at_ + 1];
            switch (e) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case 'u': {
                char32_t cp = 0;
                if (!hex4(at_ + 2, cp)) return fail(at_, "invalid \\u escape: expected four hex digits");
                std::size_t length = 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    char32_t low = 0;
                    if (text_.substr(at_ + 6, 2) != "\\u" || !hex4(at_ + 8, low) || low < 0xDC00 || low > 0xDFFF)
                        return fail(at_, "unpaired UTF-16 surrogate in \\u escape");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    length = 12;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail(at_, "unpaired UTF-16 surrogate in \\u escape");
                }
                append_utf8(out, cp);
                at_ += length;
                continue;
            }
            default: return fail(at_, "invalid escape '\\" + std::string(1, e) + "' in string");
            }
            at_ += 2;
        }
    }

    bool parse_number(json& value) {
        std::size_t start = at_;
        auto digit = [&](std::size_t i) { return i < text_.size() && text_[i] >= '0' && text_[i] <= '9'; };
        std::size_t i = at_;
        bool negative = false;
        if (text_[i] == '-') {
            negative = true;
            ++i;
        }
        if (!digit(i)) return fail(i, "invalid number: expected a digit");
        if (text_[i] == '0') {
            ++i;
            if (digit(i)) return fail(start, "invalid number: leading zeros are not allowed");
        } else {
            while (digit(i)) ++i;
        }
        bool is_float = false;
        if (i < text_.size() && text_[i] == '.') {
            is_float = true;
            ++i;
            if (!digit(i)) return fail(i, "invalid number: expected a digit after '.'");
            while (digit(i)) ++i;
        }
        if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
            is_float = true;
            ++i;
            if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
            if (!digit(i)) return fail(i, "invalid number: expected a digit in the exponent");
            while (digit(i)) ++i;
        }
        at_ = i;
        const char* first = text_.data() + start;
        const char* last = text_.data() + i;
        if (!is_float) {
            if (negative) {
                std::int64_t v = 0;
                auto r = std::from_chars(first, last, v);
                if (r.ec == std::errc{} && r.ptr == last) {
                    value = v;
                    return true;
                }
            } else {
                std::uint64_t v = 0;
                auto r = std::from_chars(first, last, v);
                if (r.ec == std::errc{} && r.ptr == last) {
                    value = v;
                    return true;
                }
            }
        }
        // strtod, not std::from_chars<double>: libstdc++'s floating from_chars
        // is the runtime's only user of libm (fegetround/fesetround), which then
        // costs every process that maps it ~0.3 MiB of RSS. The grammar above has
        // checked the text, so the bounded copy holds a plain decimal number, and
        // ocirt never calls setlocale, so the decimal point is '.'.
        std::string digits(first, last);
        char* end = nullptr;
        errno = 0;
        double d = std::strtod(digits.c_str(), &end);
        if (end != digits.c_str() + digits.size()) return fail(start, "invalid number");
        if (errno == ERANGE && std::isinf(d)) return fail(start, "number out of range");
        // ERANGE with a finite result is underflow: the subnormal or zero strtod
        // rounded to, sign kept.
        value = d;
        return true;
    }

    std::string_view text_;
    const ParseLimits& limits_;
    ParsedJson& out_;
    std::size_t at_ = 0;
    std::size_t depth_ = 0;
    InstancePath path_;
};

}  // namespace

ParsedJson parse_json(std::string_view text, const ParseLimits& limits) {
    ParsedJson out;
    Parser(text, limits, out).run();
    if (!out.ok) {
        out.source = SourceNode{};
        out.duplicates.clear();
    }
    return out;
}

const SourceNode* find_source(const SourceNode& root, std::span<const PathElem> path) {
    const SourceNode* node = &root;
    for (const PathElem& step : path) {
        const SourceNode* next = nullptr;
        if (step.is_index) {
            if (step.index < node->children.size() && node->children[step.index].key == nullptr)
                next = &node->children[step.index];
        } else {
            for (auto it = node->children.rbegin(); it != node->children.rend(); ++it) {
                if (it->key != nullptr && *it->key == step.key) {
                    next = &*it;
                    break;
                }
            }
        }
        if (next == nullptr) return nullptr;
        node = next;
    }
    return node;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') starts_.push_back(i + 1);
}

std::uint32_t LineIndex::line_of(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    return static_cast<std::uint32_t>(std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin());
}

TextPosition LineIndex::at(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    std::size_t line = static_cast<std::size_t>(it - starts_.begin());  // 1-based
    std::size_t start = starts_[line - 1];
    std::size_t column = utf8_length(text_.substr(start, offset - start)) + 1;
    return TextPosition{static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(column)};
}

}  // namespace ocirt::spec::validate
