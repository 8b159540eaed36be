#include "ocirt/spec/validate/regex.hpp"

#include <algorithm>
#include <limits>

namespace ocirt::spec::validate {

namespace {

constexpr std::uint32_t kInfinite = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kMaxProgram = 20000;    // instructions after expanding {n,m}
constexpr std::uint32_t kMaxRepeat = 1000;    // largest n or m in {n,m}
constexpr int kMaxNesting = 100;              // group nesting in a pattern
constexpr char32_t kMaxCodePoint = 0x10FFFF;

bool is_line_terminator(char32_t c) {
    return c == U'\n' || c == U'\r' || c == 0x2028 || c == 0x2029;
}

// One parsed piece of a pattern, turned into VM code by emit().
struct Ast {
    enum class Kind { empty, character, any, char_class, line_begin, line_end, concat, alternate, repeat };
    Kind kind = Kind::empty;
    char32_t c = 0;
    std::uint32_t cls = 0;
    std::uint32_t min = 0, max = 0;
    std::vector<Ast> kids;
};

using Range = std::pair<char32_t, char32_t>;

std::vector<Range> normalize(std::vector<Range> r) {
    std::sort(r.begin(), r.end());
    std::vector<Range> out;
    for (const auto& x : r) {
        if (!out.empty() && x.first <= out.back().second + 1)
            out.back().second = std::max(out.back().second, x.second);
        else
            out.push_back(x);
    }
    return out;
}

std::vector<Range> complement(const std::vector<Range>& sorted) {
    std::vector<Range> out;
    char32_t next = 0;
    for (const auto& [lo, hi] : sorted) {
        if (lo > next) out.emplace_back(next, lo - 1);
        next = hi + 1;
    }
    if (next <= kMaxCodePoint) out.emplace_back(next, kMaxCodePoint);
    return out;
}

std::vector<Range> digit_ranges() { return {{U'0', U'9'}}; }
std::vector<Range> word_ranges() { return {{U'0', U'9'}, {U'A', U'Z'}, {U'_', U'_'}, {U'a', U'z'}}; }
std::vector<Range> space_ranges() {
    return normalize({{9, 13}, {32, 32}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
                      {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
                      {0xFEFF, 0xFEFF}});
}

int hex_value(char32_t c) {
    if (c >= U'0' && c <= U'9') return static_cast<int>(c - U'0');
    if (c >= U'a' && c <= U'f') return static_cast<int>(c - U'a' + 10);
    if (c >= U'A' && c <= U'F') return static_cast<int>(c - U'A' + 10);
    return -1;
}

}  // namespace

/// Parses a pattern into an Ast and emits the program; failures carry a message.
class RegexCompiler {
public:
    explicit RegexCompiler(std::string_view pattern) {
        std::size_t pos = 0;
        while (pos < pattern.size()) cps_.push_back(decode_utf8(pattern, pos));
    }

    std::optional<Regex> run(std::string_view source, std::string* error) {
        Ast ast = parse_alternate(0);
        if (failed_.empty() && at_ < cps_.size()) fail("unmatched ')'");
        if (failed_.empty()) {
            emit(ast);
            push({Regex::Inst::Op::match});
        }
        if (!failed_.empty()) {
            if (error) *error = failed_;
            return std::nullopt;
        }
        Regex re;
        re.source_ = std::string(source);
        re.program_ = std::move(program_);
        re.classes_ = std::move(classes_);
        re.anchored_start_ = !re.program_.empty() && re.program_.front().op == Regex::Inst::Op::line_begin;
        return re;
    }

private:
    bool more() const { return at_ < cps_.size() && failed_.empty(); }
    char32_t peek(std::size_t ahead = 0) const {
        return at_ + ahead < cps_.size() ? cps_[at_ + ahead] : char32_t{0};
    }
    void fail(std::string msg) {
        if (failed_.empty()) failed_ = std::move(msg);
    }

    Ast parse_alternate(int depth) {
        if (depth > kMaxNesting) {
            fail("groups nested too deeply");
            return {};
        }
        Ast first = parse_concat(depth);
        if (!more() || peek() != U'|') return first;
        Ast alt;
        alt.kind = Ast::Kind::alternate;
        alt.kids.push_back(std::move(first));
        while (more() && peek() == U'|') {
            ++at_;
            alt.kids.push_back(parse_concat(depth));
        }
        return alt;
    }

    Ast parse_concat(int depth) {
        Ast seq;
        seq.kind = Ast::Kind::concat;
        while (more() && peek() != U'|' && peek() != U')') {
            Ast atom = parse_atom(depth);
            if (!failed_.empty()) break;
            parse_quantifier(atom);
            seq.kids.push_back(std::move(atom));
        }
        return seq;
    }

    // Reads {n}, {n,} or {n,m} at the cursor without consuming it; false if not a quantifier.
    bool brace_quantifier(std::uint32_t& lo, std::uint32_t& hi, std::size_t& length) const {
        std::size_t i = at_ + 1;
        auto number = [&](std::uint32_t& out) {
            std::size_t start = i;
            std::uint64_t v = 0;
            while (i < cps_.size() && cps_[i] >= U'0' && cps_[i] <= U'9') {
                v = std::min<std::uint64_t>(v * 10 + (cps_[i] - U'0'), 1u << 30);
                ++i;
            }
            out = static_cast<std::uint32_t>(v);
            return i > start;
        };
        if (!number(lo)) return false;
        hi = lo;
        if (i < cps_.size() && cps_[i] == U',') {
            ++i;
            if (!number(hi)) hi = kInfinite;
        }
        if (i >= cps_.size() || cps_[i] != U'}') return false;
        length = i + 1 - at_;
        return true;
    }

    void parse_quantifier(Ast& atom) {
        if (!more()) return;
        std::uint32_t lo = 0, hi = 0;
        std::size_t length = 1;
        switch (peek()) {
        case U'*': lo = 0; hi = kInfinite; break;
        case U'+': lo = 1; hi = kInfinite; break;
        case U'?': lo = 0; hi = 1; break;
        case U'{':
            if (!brace_quantifier(lo, hi, length)) return;
            break;
        default: return;
        }
        if (atom.kind == Ast::Kind::line_begin || atom.kind == Ast::Kind::line_end) {
            fail("nothing to repeat");
            return;
        }
        if ((hi != kInfinite && hi > kMaxRepeat) || lo > kMaxRepeat) {
            fail("repetition count too large");
            return;
        }
        if (hi < lo) {
            fail("numbers out of order in {} quantifier");
            return;
        }
        at_ += length;
        if (more() && peek() == U'?') ++at_;  // lazy: same set of matched strings
        if (more() && (peek() == U'*' || peek() == U'+' || peek() == U'?')) {
            fail("nothing to repeat");
            return;
        }
        Ast rep;
        rep.kind = Ast::Kind::repeat;
        rep.min = lo;
        rep.max = hi;
        rep.kids.push_back(std::move(atom));
        atom = std::move(rep);
    }

    Ast make_class(std::vector<Range> ranges) {
        Ast a;
        a.kind = Ast::Kind::char_class;
        a.cls = static_cast<std::uint32_t>(classes_.size());
        classes_.push_back(Regex::CharClass{normalize(std::move(ranges))});
        return a;
    }

    static Ast make_char(char32_t c) {
        Ast a;
        a.kind = Ast::Kind::character;
        a.c = c;
        return a;
    }

    // Parses the escape after a backslash. A class escape (\d…) fills `ranges` and returns true.
    bool parse_escape(char32_t& c, std::vector<Range>& ranges, bool in_class) {
        if (at_ >= cps_.size()) {
            fail("pattern ends with a backslash");
            return false;
        }
        char32_t e = cps_[at_++];
        switch (e) {
        case U'd': ranges = digit_ranges(); return true;
        case U'D': ranges = complement(digit_ranges()); return true;
        case U'w': ranges = word_ranges(); return true;
        case U'W': ranges = complement(word_ranges()); return true;
        case U's': ranges = space_ranges(); return true;
        case U'S': ranges = complement(space_ranges()); return true;
        case U'n': c = U'\n'; return false;
        case U'r': c = U'\r'; return false;
        case U't': c = U'\t'; return false;
        case U'f': c = U'\f'; return false;
        case U'v': c = U'\v'; return false;
        case U'b':
            if (in_class) {
                c = U'\b';
                return false;
            }
            fail("word boundaries (\\b) are not supported");
            return false;
        case U'0':
            if (at_ < cps_.size() && cps_[at_] >= U'0' && cps_[at_] <= U'9') fail("octal escapes are not supported");
            c = 0;
            return false;
        case U'x': {
            int h1 = hex_value(peek()), h2 = hex_value(peek(1));
            if (h1 < 0 || h2 < 0) {
                fail("malformed \\x escape");
                return false;
            }
            at_ += 2;
            c = static_cast<char32_t>(h1 * 16 + h2);
            return false;
        }
        case U'u': {
            auto hex4 = [&](char32_t& out) {
                int v = 0;
                for (std::size_t k = 0; k < 4; ++k) {
                    int h = hex_value(peek(k));
                    if (h < 0) return false;
                    v = v * 16 + h;
                }
                at_ += 4;
                out = static_cast<char32_t>(v);
                return true;
            };
            if (!hex4(c)) {
                fail("malformed \\u escape");
                return false;
            }
            if (c >= 0xD800 && c <= 0xDBFF && peek() == U'\\' && peek(1) == U'u') {
                std::size_t save = at_;
                at_ += 2;
                char32_t low = 0;
                if (hex4(low) && low >= 0xDC00 && low <= 0xDFFF)
                    c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                else
                    at_ = save;
            }
            return false;
        }
        default:
            if ((e >= U'a' && e <= U'z') || (e >= U'A' && e <= U'Z') || (e >= U'1' && e <= U'9')) {
                fail(std::string("unsupported escape \\") + static_cast<char>(e));
                return false;
            }
            c = e;  // identity escape of punctuation or non-ASCII
            return false;
        }
    }

    Ast parse_class() {
        std::vector<Range> ranges;
        bool negate = false;
        if (peek() == U'^' && at_ < cps_.size()) {
            negate = true;
            ++at_;
        }
        while (true) {
            if (at_ >= cps_.size()) {
                fail("unterminated character class");
                return {};
            }
            char32_t c = cps_[at_++];
            if (c == U']') break;
            std::vector<Range> set;
            if (c == U'\\') {
                if (parse_escape(c, set, true)) {
                    ranges.insert(ranges.end(), set.begin(), set.end());
                    continue;
                }
                if (!failed_.empty()) return {};
            }
            if (peek() == U'-' && at_ + 1 < cps_.size() && cps_[at_ + 1] != U']') {
                ++at_;
                char32_t hi = cps_[at_++];
                if (hi == U'\\') {
                    if (parse_escape(hi, set, true)) {
                        fail("a class escape cannot end a range");
                        return {};
                    }
                    if (!failed_.empty()) return {};
                }
                if (hi < c) {
                    fail("range out of order in character class");
                    return {};
                }
                ranges.emplace_back(c, hi);
            } else {
                ranges.emplace_back(c, c);
            }
        }
        ranges = normalize(std::move(ranges));
        if (negate) ranges = complement(ranges);
        return make_class(std::move(ranges));
    }

    Ast parse_atom(int depth) {
        char32_t c = cps_[at_++];
        switch (c) {
        case U'(': {
            if (peek() == U'?') {
                if (peek(1) != U':') {
                    fail("lookaround and named groups are not supported");
                    return {};
                }
                at_ += 2;
            }
            Ast inner = parse_alternate(depth + 1);
            if (!failed_.empty()) return {};
            if (at_ >= cps_.size() || cps_[at_] != U')') {
                fail("missing ')'");
                return {};
            }
            ++at_;
            return inner;
        }
        case U'[': return parse_class();
        case U'.': {
            Ast a;
            a.kind = Ast::Kind::any;
            return a;
        }
        case U'^': {
            Ast a;
            a.kind = Ast::Kind::line_begin;
            return a;
        }
        case U'$': {
            Ast a;
            a.kind = Ast::Kind::line_end;
            return a;
        }
        case U'*':
        case U'+':
        case U'?': fail("nothing to repeat"); return {};
        case U'{': {
            --at_;
            std::uint32_t lo = 0, hi = 0;
            std::size_t length = 0;
            bool quantifier = brace_quantifier(lo, hi, length);
            ++at_;
            if (quantifier) {
                fail("nothing to repeat");
                return {};
            }
            return make_char(c);
        }
        case U'\\': {
            std::vector<Range> set;
            char32_t e = 0;
            if (parse_escape(e, set, false)) return make_class(std::move(set));
            return make_char(e);
        }
        default: return make_char(c);
        }
    }

    std::uint32_t pc() const { return static_cast<std::uint32_t>(program_.size()); }

    void push(Regex::Inst inst) {
        if (program_.size() >= kMaxProgram) {
            fail("pattern too large");
            return;
        }
        program_.push_back(inst);
    }

    void emit(const Ast& a) {
        using Op = Regex::Inst::Op;
        if (!failed_.empty()) return;
        switch (a.kind) {
        case Ast::Kind::empty: break;
        case Ast::Kind::character: push({Op::character, a.c}); break;
        case Ast::Kind::any: push({Op::any}); break;
        case Ast::Kind::char_class: push({Op::char_class, a.cls}); break;
        case Ast::Kind::line_begin: push({Op::line_begin}); break;
        case Ast::Kind::line_end: push({Op::line_end}); break;
        case Ast::Kind::concat:
            for (const auto& k : a.kids) emit(k);
            break;
        case Ast::Kind::alternate: {
            std::vector<std::uint32_t> jumps;
            for (std::size_t i = 0; i + 1 < a.kids.size(); ++i) {
                std::uint32_t split = pc();
                push({Op::split, split + 1, 0});
                emit(a.kids[i]);
                jumps.push_back(pc());
                push({Op::jump});
                if (!failed_.empty()) return;
                program_[split].y = pc();
            }
            emit(a.kids.back());
            if (!failed_.empty()) return;
            for (auto j : jumps) program_[j].x = pc();
            break;
        }
        case Ast::Kind::repeat: {
            for (std::uint32_t i = 0; i < a.min && failed_.empty(); ++i) emit(a.kids[0]);
            if (a.max == kInfinite) {
                std::uint32_t loop = pc();
                push({Op::split, loop + 1, 0});
                emit(a.kids[0]);
                push({Op::jump, loop});
                if (!failed_.empty()) return;
                program_[loop].y = pc();
            } else {
                std::vector<std::uint32_t> splits;
                for (std::uint32_t i = a.min; i < a.max && failed_.empty(); ++i) {
                    splits.push_back(pc());
                    push({Op::split, pc() + 1, 0});
                    emit(a.kids[0]);
                }
                if (!failed_.empty()) return;
                for (auto s : splits) program_[s].y = pc();
            }
            break;
        }
        }
    }

    std::vector<char32_t> cps_;
    std::size_t at_ = 0;
    std::string failed_;
    std::vector<Regex::Inst> program_;
    std::vector<Regex::CharClass> classes_;
};

bool Regex::CharClass::contains(char32_t c) const {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                               [](char32_t v, const std::pair<char32_t, char32_t>& r) { return v < r.first; });
    if (it == ranges.begin()) return false;
    --it;
    return c <= it->second;
}

std::optional<Regex> Regex::compile(std::string_view pattern, std::string* error) {
    return RegexCompiler(pattern).run(pattern, error);
}

namespace {

// The live threads of the VM at one input position, deduplicated by program counter.
struct ThreadList {
    std::vector<std::uint32_t> pcs;
    std::vector<std::uint32_t> mark;
    std::uint32_t generation = 1;

    explicit ThreadList(std::size_t n) : mark(n, 0) { pcs.reserve(n); }
    void clear() {
        pcs.clear();
        ++generation;
    }
};

}  // namespace

bool Regex::search(std::string_view text) const {
    using Op = Inst::Op;
    const std::size_t n = program_.size();
    ThreadList current(n), next(n);
    std::vector<std::uint32_t> stack;
    stack.reserve(n);

    // Follows jumps, splits and assertions from `start`; true once a match is reachable.
    auto add = [&](ThreadList& list, std::uint32_t start, bool at_begin, bool at_end) {
        stack.push_back(start);
        while (!stack.empty()) {
            std::uint32_t p = stack.back();
            stack.pop_back();
            if (list.mark[p] == list.generation) continue;
            list.mark[p] = list.generation;
            const Inst& in = program_[p];
            switch (in.op) {
            case Op::jump: stack.push_back(in.x); break;
            case Op::split:
                stack.push_back(in.y);
                stack.push_back(in.x);
                break;
            case Op::line_begin:
                if (at_begin) stack.push_back(p + 1);
                break;
            case Op::line_end:
                if (at_end) stack.push_back(p + 1);
                break;
            case Op::match: stack.clear(); return true;
            default: list.pcs.push_back(p); break;
            }
        }
        return false;
    };

    std::size_t pos = 0;
    if (add(current, 0, true, text.empty())) return true;
    while (pos < text.size()) {
        if (current.pcs.empty() && anchored_start_) return false;
        char32_t c = decode_utf8(text, pos);
        bool at_end = pos >= text.size();
        next.clear();
        for (std::uint32_t p : current.pcs) {
            const Inst& in = program_[p];
            bool ok = false;
            switch (in.op) {
            case Op::character: ok = c == in.x; break;
            case Op::any: ok = !is_line_terminator(c); break;
            case Op::char_class: ok = classes_[in.x].contains(c); break;
            default: break;
            }
            if (ok && add(next, p + 1, false, at_end)) return true;
        }
        if (!anchored_start_ && add(next, 0, false, at_end)) return true;
        std::swap(current, next);
    }
    return false;
}

char32_t decode_utf8(std::string_view s, std::size_t& pos) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char b0 = byte(pos);
    if (b0 < 0x80) {
        ++pos;
        return b0;
    }
    int extra = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        extra = 1;
        cp = b0 & 0x1F;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        extra = 2;
        cp = b0 & 0x0F;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        extra = 3;
        cp = b0 & 0x07;
        min = 0x10000;
    } else {
        ++pos;
        return 0xFFFD;
    }
    if (pos + static_cast<std::size_t>(extra) >= s.size()) {
        ++pos;
        return 0xFFFD;
    }
    for (int k = 1; k <= extra; ++k) {
        unsigned char b = byte(pos + static_cast<std::size_t>(k));
        if ((b & 0xC0) != 0x80) {
            ++pos;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++pos;
        return 0xFFFD;
    }
    pos += static_cast<std::size_t>(extra) + 1;
    return cp;
}

std::size_t utf8_length(std::string_view text) {
    std::size_t n = 0, pos = 0;
    while (pos < text.size()) {
        decode_utf8(text, pos);
        ++n;
    }
    return n;
}

}  // namespace ocirt::spec::validate
