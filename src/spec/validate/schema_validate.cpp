// Applying a compiled schema to an instance, and the wording of what was expected.

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "ocirt/spec/validate/schema.hpp"
#include "schema_node.hpp"

namespace ocirt::spec::validate {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxSchemaDepth = 512;  // schema recursion not tied to instance depth
constexpr std::size_t kEnumListed = 6;        // enum values spelled out in a message

// ---- numbers -------------------------------------------------------------------------------

long double as_long_double(const json& v) {
    if (v.is_number_unsigned()) return static_cast<long double>(v.get<std::uint64_t>());
    if (v.is_number_integer()) return static_cast<long double>(v.get<std::int64_t>());
    return static_cast<long double>(v.get<double>());
}

bool is_type_limit_max(const json& v) {
    static const json kLimits[] = {json(127), json(255), json(32767), json(65535), json(2147483647),
                                   json(4294967295u), json(9223372036854775807), json(18446744073709551615u)};
    return std::any_of(std::begin(kLimits), std::end(kLimits), [&](const json& l) { return compare_numbers(v, l) == 0; });
}

bool is_type_limit_min(const json& v) {
    static const json kLimits[] = {json(-128), json(-32768), json(-2147483648LL),
                                   json(std::numeric_limits<std::int64_t>::min())};
    return std::any_of(std::begin(kLimits), std::end(kLimits), [&](const json& l) { return compare_numbers(v, l) == 0; });
}

bool multiple_of(const json& v, const json& m) {
    if (v.is_number_integer() && m.is_number_integer()) {
        if (m.is_number_unsigned() || m.get<std::int64_t>() > 0) {
            if (v.is_number_unsigned()) {
                std::uint64_t d = m.is_number_unsigned() ? m.get<std::uint64_t>() : static_cast<std::uint64_t>(m.get<std::int64_t>());
                return v.get<std::uint64_t>() % d == 0;
            }
            if (m.is_number_unsigned() && m.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return v.get<std::int64_t>() == 0;
            std::int64_t d = m.get<std::int64_t>();
            return v.get<std::int64_t>() % d == 0;
        }
    }
    long double q = as_long_double(v) / as_long_double(m);
    if (!std::isfinite(q)) return false;
    // q rounded to the nearest integer without std::round (roundl would be the
    // runtime's only libm symbol). From 2^62 up, a long double's fraction is at
    // most .5 and the tolerance below is far wider, so q stands for itself there
    // (and q ± 0.5 stays clear of the int64 conversion's limit).
    long double r = q;
    if (std::fabs(q) < 4611686018427387904.0L)
        r = static_cast<long double>(static_cast<std::int64_t>(q + (q < 0 ? -0.5L : 0.5L)));
    return std::fabs(q - r) <= 1e-9L * std::max<long double>(1.0L, std::fabs(q));
}

// ---- formats -------------------------------------------------------------------------------

bool check_format(Format f, const std::string& s) {
    switch (f) {
    case Format::none: return true;
    case Format::semver: return is_semver(s);
    case Format::hostname: return is_hostname(s);
    case Format::ipv4: {
        unsigned char buf[4];
        return s.find('\0') == std::string::npos && inet_pton(AF_INET, s.c_str(), buf) == 1;
    }
    case Format::ipv6: {
        unsigned char buf[16];
        return s.find('\0') == std::string::npos && inet_pton(AF_INET6, s.c_str(), buf) == 1;
    }
    case Format::regex: return Regex::compile(s).has_value();
    }
    return true;
}

const char* format_name(Format f) {
    switch (f) {
    case Format::semver: return "SemVer 2.0.0 version";
    case Format::hostname: return "host name";
    case Format::ipv4: return "IPv4 address";
    case Format::ipv6: return "IPv6 address";
    case Format::regex: return "regular expression";
    case Format::none: break;
    }
    return "value";
}

// ---- wording -------------------------------------------------------------------------------

std::string number_text(const json& v) { return v.dump(); }

std::string count_of(std::size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

std::string type_names(std::uint8_t types) {
    static const std::pair<std::uint8_t, const char*> kOrder[] = {
        {kTypeInteger, "integer"}, {kTypeNumber, "number"}, {kTypeString, "string"}, {kTypeBoolean, "boolean"},
        {kTypeObject, "object"},   {kTypeArray, "array"},   {kTypeNull, "null"}};
    std::vector<const char*> names;
    for (const auto& [bit, name] : kOrder)
        if ((types & bit) && !(bit == kTypeInteger && (types & kTypeNumber))) names.push_back(name);
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i) out += i + 1 == names.size() ? " or " : ", ";
        out += names[i];
    }
    return out;
}

// "integer ≥ 0", "integer from 0 to 7", "number < 5": the numeric part of what was expected.
// A bound that is just the limit of a machine type (uint32, int64…) is left out unless forced.
std::string describe_range(const SchemaNode& n, const char* noun, bool force_lower = false, bool force_upper = false) {
    bool meaningful_lower = n.minimum && !is_type_limit_min(*n.minimum);
    bool meaningful_upper = n.maximum && !is_type_limit_max(*n.maximum);
    bool lower = n.minimum && (force_lower || meaningful_lower);
    bool upper = n.maximum && (force_upper || meaningful_upper);
    if (force_upper && !meaningful_upper) lower = false;  // "≤ 4294967295", not "≥ 0 and ≤ 4294967295"
    if (force_lower && !meaningful_lower) upper = false;
    std::string out = noun;
    if (lower && upper && !n.exclusive_minimum && !n.exclusive_maximum)
        return fmt::format("{} from {} to {}", out, number_text(*n.minimum), number_text(*n.maximum));
    if (lower) out += fmt::format(" {} {}", n.exclusive_minimum ? ">" : "≥", number_text(*n.minimum));
    if (lower && upper) out += " and";
    if (upper) out += fmt::format(" {} {}", n.exclusive_maximum ? "<" : "≤", number_text(*n.maximum));
    return out;
}

std::string describe_expected_type(const SchemaNode& n) {
    if (!n.title.empty()) return n.title;
    if ((n.types & (kTypeInteger | kTypeNumber)) && (n.types & ~(kTypeInteger | kTypeNumber)) == 0 && (n.minimum || n.maximum))
        return describe_range(n, (n.types & kTypeNumber) ? "number" : "integer");
    return type_names(n.types);
}

std::string enum_list(const json& values) {
    std::string out;
    std::size_t shown = std::min(values.size(), kEnumListed);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i) out += (i + 1 == values.size()) ? " or " : ", ";
        out += values[i].dump();
    }
    if (shown < values.size()) out += fmt::format(", … ({} values)", values.size());
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            char x = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i - 1])));
            char y = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j - 1])));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (x == y ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// "did you mean "SCMP_ACT_ERRNO"?" for a near miss among string enum values. The prefix all
// values share ("SCMP_ACT_") is ignored, so the distance measures the part that tells them apart.
std::string suggestion(const json& values, const json& v) {
    if (!v.is_string()) return {};
    const auto& got = v.get_ref<const std::string&>();
    if (got.size() > 64) return {};
    std::vector<const std::string*> names;
    for (const auto& candidate : values)
        if (candidate.is_string()) names.push_back(&candidate.get_ref<const std::string&>());
    if (names.empty()) return {};
    std::size_t shared = names[0]->size();
    for (const auto* n : names) {
        std::size_t k = 0;
        while (k < shared && k < n->size() && (*n)[k] == (*names[0])[k]) ++k;
        shared = k;
    }
    std::string_view tail = got;
    if (got.compare(0, shared, *names[0], 0, shared) == 0) tail.remove_prefix(shared);
    if (tail.size() < 2) return {};

    const std::string* best = nullptr;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto* n : names) {
        std::string_view cand = std::string_view(*n).substr(std::min(shared, n->size()));
        if (got.size() == tail.size()) cand = *n;  // the input lacks the shared prefix: compare whole names
        std::size_t d = edit_distance(tail, cand);
        std::size_t shorter = std::min(tail.size(), cand.size());
        bool prefix = shorter >= 2 && (tail.substr(0, shorter) == cand.substr(0, shorter));
        bool close = d <= std::max<std::size_t>(1, std::max(tail.size(), cand.size()) / 2);
        if ((prefix || close) && d < best_distance) {
            best_distance = d;
            best = n;
        }
    }
    return best ? fmt::format("did you mean \"{}\"?", *best) : std::string();
}

// ---- the walk ------------------------------------------------------------------------------

struct Context {
    SchemaSet* set = nullptr;
    InstancePath path;
    std::vector<SchemaError>* errors = nullptr;  // nullptr: only validity matters
    std::size_t max_errors = 0;
    std::size_t depth = 0;
};

bool type_matches(std::uint8_t types, const json& v) {
    if (types == 0) return true;
    switch (v.type()) {
    case json::value_t::null: return types & kTypeNull;
    case json::value_t::boolean: return types & kTypeBoolean;
    case json::value_t::object: return types & kTypeObject;
    case json::value_t::array: return types & kTypeArray;
    case json::value_t::string: return types & kTypeString;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return types & (kTypeInteger | kTypeNumber);
    case json::value_t::number_float:
        return (types & kTypeNumber) || ((types & kTypeInteger) && is_json_integer(v));
    default: return false;
    }
}

class Walker {
public:
    explicit Walker(Context& cx) : cx_(cx) {}

    bool check(const SchemaNode& n, const json& v) {
        if (cx_.depth >= kMaxSchemaDepth) return report("schema nesting too deep to validate this value", nullptr);
        ++cx_.depth;
        bool ok = check_node(cx_.set->ready(n), v);
        --cx_.depth;
        return ok;
    }

private:
    bool collecting() const { return cx_.errors != nullptr; }

    // Records one error (when collecting); always returns false so callers can `return report(…)`.
    bool report(std::string message, const json* value, bool at_key = false, std::string hint = {}) {
        if (cx_.errors && cx_.errors->size() < cx_.max_errors)
            cx_.errors->push_back(SchemaError{cx_.path, std::move(message), value, at_key, std::move(hint)});
        return false;
    }

    bool full() const { return cx_.errors && cx_.errors->size() >= cx_.max_errors; }

    // Validity of `n` for `v` without recording anything.
    bool probe(const SchemaNode& n, const json& v) {
        auto* saved = cx_.errors;
        cx_.errors = nullptr;
        bool ok = check(n, v);
        cx_.errors = saved;
        return ok;
    }

    // Errors of `n` for `v`, collected apart from the main list.
    std::vector<SchemaError> trial(const SchemaNode& n, const json& v) {
        std::vector<SchemaError> found;
        auto* saved = cx_.errors;
        auto saved_max = cx_.max_errors;
        cx_.errors = &found;
        cx_.max_errors = 64;
        check(n, v);
        cx_.errors = saved;
        cx_.max_errors = saved_max;
        return found;
    }

    static const json* shown(const json& v) { return (v.is_object() || v.is_array()) ? nullptr : &v; }

    bool check_node(const SchemaNode& n, const json& v) {
        if (n.ref) return check(*n.ref, v);
        if (!type_matches(n.types, v)) return report("expected " + describe_expected_type(n), &v);

        bool ok = true;
        // Marks a failure; true means "stop now" (not collecting, or the error list is full).
        auto failed = [&]() {
            ok = false;
            return !collecting() || full();
        };

        if (n.enumeration) {
            const json& values = *n.enumeration;
            if (std::find(values.begin(), values.end(), v) == values.end()) {
                if (collecting()) {
                    std::string what = n.title.empty() ? "one of " + enum_list(values)
                                                       : fmt::format("{} ({})", n.title, enum_list(values));
                    report("expected " + what, shown(v), false, suggestion(values, v));
                }
                if (failed()) return false;
            }
        }

        switch (v.type()) {
        case json::value_t::object:
            if (!check_object(n, v) && failed()) return false;
            break;
        case json::value_t::array:
            if (!check_array(n, v) && failed()) return false;
            break;
        case json::value_t::string:
            if (!check_string(n, v) && failed()) return false;
            break;
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            if (!check_number(n, v) && failed()) return false;
            break;
        default: break;
        }

        for (const SchemaNode* s : n.all_of)
            if (!check(*s, v) && failed()) return false;
        if (!n.any_of.empty() && !check_any_of(n, v) && failed()) return false;
        if (!n.one_of.empty() && !check_one_of(n, v) && failed()) return false;
        if (n.negated && probe(*n.negated, v)) {
            report(n.negated->title.empty() ? "must not match the excluded schema" : "must not be " + n.negated->title, shown(v));
            if (failed()) return false;
        }
        return ok;
    }

    // anyOf/oneOf with no passing branch: say what was expected as precisely as the schema allows.
    bool report_no_branch(const SchemaNode& n, const std::vector<const SchemaNode*>& branches, const json& v) {
        if (!collecting()) return false;
        if (!n.title.empty()) return report("expected " + n.title, shown(v));
        // Rank the branches: one that accepts the value's type beats one that does not, then
        // fewer errors win. A titled branch among the best speaks for itself.
        std::vector<std::vector<SchemaError>> results;
        std::vector<std::size_t> rank;
        for (const SchemaNode* b : branches) {
            results.push_back(trial(*b, v));  // fills b and the nodes its $refs lead to
            const SchemaNode* target = b;
            while (target->ref) target = target->ref;
            std::size_t penalty = type_matches(target->types, v) ? 0 : 1000000;
            rank.push_back(penalty + results.back().size());
        }
        std::size_t best = *std::min_element(rank.begin(), rank.end());
        for (std::size_t i = 0; i < branches.size(); ++i) {
            const SchemaNode* b = branches[i];
            while (b->ref) b = b->ref;
            if (rank[i] == best && !b->title.empty()) return report("expected " + b->title, shown(v));
        }
        for (std::size_t i = 0; i < branches.size(); ++i) {
            if (rank[i] != best) continue;
            for (auto& e : results[i])
                if (cx_.errors->size() < cx_.max_errors) cx_.errors->push_back(std::move(e));
            break;
        }
        return false;
    }

    bool check_any_of(const SchemaNode& n, const json& v) {
        for (const SchemaNode* b : n.any_of)
            if (probe(*b, v)) return true;
        return report_no_branch(n, n.any_of, v);
    }

    bool check_one_of(const SchemaNode& n, const json& v) {
        std::size_t passing = 0;
        for (const SchemaNode* b : n.one_of)
            if (probe(*b, v)) ++passing;
        if (passing == 1) return true;
        if (passing == 0) return report_no_branch(n, n.one_of, v);
        return report(n.title.empty() ? "matches more than one of the allowed forms" : "expected exactly one form of " + n.title, shown(v));
    }

    bool check_object(const SchemaNode& n, const json& v) {
        bool ok = true;
        auto failed = [&]() {
            ok = false;
            return !collecting() || full();
        };
        for (const auto& name : n.required) {
            if (!v.contains(name)) {
                report(fmt::format("missing required property \"{}\"", name), nullptr);
                if (failed()) return false;
            }
        }
        for (const auto& [key, member] : v.items()) {
            cx_.path.push_back(PathElem::member(key));
            bool matched = false;
            bool member_ok = true;
            auto prop = std::lower_bound(n.properties.begin(), n.properties.end(), key,
                                         [](const auto& p, const std::string& k) { return p.first < k; });
            if (prop != n.properties.end() && prop->first == key) {
                matched = true;
                member_ok = check(*prop->second, member) && member_ok;
            }
            for (const auto& [re, schema] : n.pattern_properties) {
                if ((member_ok || collecting()) && re.search(key)) {
                    matched = true;
                    member_ok = check(*schema, member) && member_ok;
                }
            }
            if (!matched) {
                if (n.additional_forbidden)
                    member_ok = report(key.empty() ? std::string("an empty key is not allowed here")
                                                   : fmt::format("unexpected property \"{}\"", key),
                                       nullptr, true);
                else if (n.additional)
                    member_ok = check(*n.additional, member);
            }
            cx_.path.pop_back();
            if (!member_ok && failed()) return false;
        }
        if (n.min_properties && v.size() < *n.min_properties) {
            report(fmt::format("expected at least {}, got {}", count_of(*n.min_properties, "property", "properties"), v.size()), nullptr);
            if (failed()) return false;
        }
        if (n.max_properties && v.size() > *n.max_properties) {
            report(fmt::format("expected at most {}, got {}", count_of(*n.max_properties, "property", "properties"), v.size()), nullptr);
            if (failed()) return false;
        }
        for (const auto& dep : n.dependencies) {
            if (!v.contains(dep.property)) continue;
            for (const auto& name : dep.required) {
                if (!v.contains(name)) {
                    report(fmt::format("property \"{}\" requires property \"{}\"", dep.property, name), nullptr);
                    if (failed()) return false;
                }
            }
            if (dep.schema && !check(*dep.schema, v) && failed()) return false;
        }
        return ok;
    }

    bool check_array(const SchemaNode& n, const json& v) {
        bool ok = true;
        auto failed = [&]() {
            ok = false;
            return !collecting() || full();
        };
        const auto& a = v.get_ref<const json::array_t&>();
        for (std::size_t i = 0; i < a.size(); ++i) {
            const SchemaNode* s = nullptr;
            bool forbidden = false;
            if (n.has_tuple) {
                if (i < n.tuple.size())
                    s = n.tuple[i];
                else if (n.additional_items_forbidden)
                    forbidden = true;
                else
                    s = n.additional_items;
            } else {
                s = n.items;
            }
            if (!s && !forbidden) continue;
            cx_.path.push_back(PathElem::element(i));
            bool item_ok = forbidden ? report(fmt::format("unexpected item: at most {} allowed", count_of(n.tuple.size(), "item is", "items are")), nullptr)
                                     : check(*s, a[i]);
            cx_.path.pop_back();
            if (!item_ok && failed()) return false;
        }
        if (n.min_items && a.size() < *n.min_items) {
            report(*n.min_items == 1 ? std::string("expected a non-empty array")
                                     : fmt::format("expected at least {}, got {}", count_of(*n.min_items, "item", "items"), a.size()),
                   nullptr);
            if (failed()) return false;
        }
        if (n.max_items && a.size() > *n.max_items) {
            report(fmt::format("expected at most {}, got {}", count_of(*n.max_items, "item", "items"), a.size()), nullptr);
            if (failed()) return false;
        }
        if (n.unique_items && a.size() > 1 && !check_unique(a) && failed()) return false;
        return ok;
    }

    // O(n log n): sort indices by value, then compare neighbours.
    bool check_unique(const json::array_t& a) {
        std::vector<std::size_t> order(a.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return a[x] < a[y]; });
        bool ok = true;
        std::size_t first = order[0];
        for (std::size_t k = 1; k < order.size(); ++k) {
            if (a[order[k]] == a[first]) {
                ok = false;
                if (!collecting()) return false;
                cx_.path.push_back(PathElem::element(order[k]));
                report(fmt::format("duplicate of item {}", first), nullptr);
                cx_.path.pop_back();
                if (full()) return false;
            } else {
                first = order[k];
            }
        }
        return ok;
    }

    bool check_string(const SchemaNode& n, const json& v) {
        const auto& s = v.get_ref<const std::string&>();
        bool ok = true;
        auto failed = [&]() {
            ok = false;
            return !collecting() || full();
        };
        if (n.min_length || n.max_length) {
            std::size_t length = utf8_length(s);
            if (n.min_length && length < *n.min_length) {
                report(*n.min_length == 1 ? std::string("expected a non-empty string")
                                          : fmt::format("expected a string of at least {} characters", *n.min_length),
                       &v);
                if (failed()) return false;
            }
            if (n.max_length && length > *n.max_length) {
                report(fmt::format("expected a string of at most {} characters", *n.max_length), nullptr);
                if (failed()) return false;
            }
        }
        if (n.pattern && !n.pattern->search(s)) {
            report(n.title.empty() ? fmt::format("expected a string matching /{}/", n.pattern->source()) : "expected " + n.title, &v);
            if (failed()) return false;
        }
        if (n.format != Format::none && !check_format(n.format, s)) {
            report(n.title.empty() ? fmt::format("expected a {}", format_name(n.format)) : "expected " + n.title, &v);
            if (failed()) return false;
        }
        return ok;
    }

    bool check_number(const SchemaNode& n, const json& v) {
        bool ok = true;
        auto failed = [&]() {
            ok = false;
            return !collecting() || full();
        };
        const char* noun = is_json_integer(v) && (n.types & kTypeInteger) ? "integer" : "number";
        if (n.minimum) {
            int c = compare_numbers(v, *n.minimum);
            if (c < 0 || (c == 0 && n.exclusive_minimum)) {
                report("expected " + describe_range(n, noun, true, false), &v);
                if (failed()) return false;
            }
        }
        if (n.maximum) {
            int c = compare_numbers(v, *n.maximum);
            if (c > 0 || (c == 0 && n.exclusive_maximum)) {
                report("expected " + describe_range(n, noun, false, true), &v);
                if (failed()) return false;
            }
        }
        if (n.multiple_of && !multiple_of(v, *n.multiple_of)) {
            report("expected a multiple of " + number_text(*n.multiple_of), &v);
            if (failed()) return false;
        }
        return ok;
    }

    Context& cx_;
};

}  // namespace

int compare_numbers(const json& a, const json& b) {
    auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    if (a.is_number_unsigned() && b.is_number_unsigned()) return sign(a.get<std::uint64_t>(), b.get<std::uint64_t>());
    if (a.is_number_integer() && b.is_number_integer()) {
        // Mixed signed/unsigned: a negative signed value is below every unsigned one.
        bool a_neg = !a.is_number_unsigned() && a.get<std::int64_t>() < 0;
        bool b_neg = !b.is_number_unsigned() && b.get<std::int64_t>() < 0;
        if (a_neg != b_neg) return a_neg ? -1 : 1;
        if (a_neg) return sign(a.get<std::int64_t>(), b.get<std::int64_t>());
        auto ua = a.is_number_unsigned() ? a.get<std::uint64_t>() : static_cast<std::uint64_t>(a.get<std::int64_t>());
        auto ub = b.is_number_unsigned() ? b.get<std::uint64_t>() : static_cast<std::uint64_t>(b.get<std::int64_t>());
        return sign(ua, ub);
    }
    return sign(as_long_double(a), as_long_double(b));
}

bool is_json_integer(const json& v) {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    double d = v.get<double>();
    return std::isfinite(d) && std::trunc(d) == d && std::fabs(d) >= 9223372036854775808.0;
}

bool is_semver(std::string_view s) {
    auto numeric = [](std::string_view part) {
        if (part.empty() || part.size() > 20) return false;
        if (part.size() > 1 && part[0] == '0') return false;
        return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    auto identifiers = [&](std::string_view list, bool prerelease) {
        if (list.empty()) return false;
        std::size_t start = 0;
        while (true) {
            std::size_t dot = list.find('.', start);
            std::string_view id = list.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
            if (id.empty()) return false;
            bool all_digits = true;
            for (char c : id) {
                bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
                if (!alnum) return false;
                if (c < '0' || c > '9') all_digits = false;
            }
            if (prerelease && all_digits && !numeric(id)) return false;
            if (dot == std::string_view::npos) return true;
            start = dot + 1;
        }
    };
    std::size_t plus = s.find('+');
    std::string_view core = s.substr(0, plus);
    if (plus != std::string_view::npos && !identifiers(s.substr(plus + 1), false)) return false;
    std::size_t dash = core.find('-');
    if (dash != std::string_view::npos) {
        if (!identifiers(core.substr(dash + 1), true)) return false;
        core = core.substr(0, dash);
    }
    std::size_t d1 = core.find('.');
    if (d1 == std::string_view::npos) return false;
    std::size_t d2 = core.find('.', d1 + 1);
    if (d2 == std::string_view::npos) return false;
    return numeric(core.substr(0, d1)) && numeric(core.substr(d1 + 1, d2 - d1 - 1)) && numeric(core.substr(d2 + 1));
}

bool is_hostname(std::string_view s) {
    if (s.empty() || s.size() > 253) return false;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = s.find('.', start);
        std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

std::vector<SchemaError> Schema::validate(const json& instance, const ValidateOptions& options) const {
    std::vector<SchemaError> errors;
    Context cx;
    cx.set = set_;
    cx.errors = &errors;
    cx.max_errors = std::max<std::size_t>(1, options.max_errors);
    Walker(cx).check(*root_, instance);
    return errors;
}

bool Schema::accepts(const json& instance) const {
    Context cx;
    cx.set = set_;
    return Walker(cx).check(*root_, instance);
}

}  // namespace ocirt::spec::validate
