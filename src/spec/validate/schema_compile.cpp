// SchemaSet: documents by URI, $ref resolution, and compilation of schema objects into nodes.

#include <algorithm>
#include <cctype>
#include <set>

#include "ocirt/spec/validate/schema.hpp"
#include "ocirt/util/error.hpp"
#include "schema_node.hpp"

namespace ocirt::spec::validate {

namespace {

using nlohmann::json;

std::string strip_empty_fragment(std::string uri) {
    if (!uri.empty() && uri.back() == '#') uri.pop_back();
    return uri;
}

std::string without_fragment(const std::string& uri) {
    auto hash = uri.find('#');
    return hash == std::string::npos ? uri : uri.substr(0, hash);
}

bool has_scheme(const std::string& s) {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s) {
        if (c == ':') return true;
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
    }
    return false;
}

std::string remove_dot_segments(const std::string& path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    bool absolute = !path.empty() && path[0] == '/';
    bool trailing = false;
    while (i <= path.size()) {
        std::size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string seg = path.substr(i, j - i);
        trailing = false;
        if (seg == "..") {
            if (!out.empty()) out.pop_back();
            trailing = true;
        } else if (seg == ".") {
            trailing = true;
        } else if (!(seg.empty() && i == 0 && absolute)) {
            out.push_back(seg);
        }
        i = j + 1;
    }
    std::string result = absolute ? "/" : "";
    for (std::size_t k = 0; k < out.size(); ++k) {
        if (k) result += '/';
        result += out[k];
    }
    if (trailing && (result.empty() || result.back() != '/')) result += '/';
    return result;
}

std::string percent_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::optional<std::size_t> non_negative(const json& v) {
    if (v.is_number_unsigned()) return v.get<std::size_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::size_t>(v.get<std::int64_t>());
    return std::nullopt;
}

// The keyword members of one schema object, collected in one pass. A schema object has a
// handful of members, so a scan by length beats ~30 map lookups that each build a std::string.
class Keywords {
public:
    explicit Keywords(const json& s) : schema_(s) {
        for (auto it = s.begin(); it != s.end() && count_ < kMax; ++it) {
            keys_[count_] = it.key();
            values_[count_] = &*it;
            ++count_;
        }
        complete_ = count_ == s.size();
    }

    const json* operator()(std::string_view key) const {
        if (!complete_) {
            auto it = schema_.find(key);
            return it == schema_.end() ? nullptr : &*it;
        }
        for (std::size_t i = 0; i < count_; ++i)
            if (keys_[i].size() == key.size() && keys_[i] == key) return values_[i];
        return nullptr;
    }

private:
    static constexpr std::size_t kMax = 24;
    const json& schema_;
    std::string_view keys_[kMax];
    const json* values_[kMax] = {};
    std::size_t count_ = 0;
    bool complete_ = false;
};

}  // namespace

std::string resolve_uri(const std::string& base, const std::string& reference) {
    if (reference.empty()) return without_fragment(base);
    if (has_scheme(reference)) return reference;
    if (reference[0] == '#') return without_fragment(base) + reference;

    std::string b = without_fragment(base);
    std::string scheme, authority, path;
    std::size_t colon = has_scheme(b) ? b.find(':') : std::string::npos;
    std::size_t rest = 0;
    if (colon != std::string::npos) {
        scheme = b.substr(0, colon + 1);
        rest = colon + 1;
    }
    if (b.compare(rest, 2, "//") == 0) {
        std::size_t slash = b.find('/', rest + 2);
        if (slash == std::string::npos) slash = b.size();
        authority = b.substr(rest, slash - rest);
        rest = slash;
    }
    path = b.substr(rest);
    auto query = path.find('?');
    if (query != std::string::npos) path.resize(query);

    if (reference.compare(0, 2, "//") == 0) return scheme + reference;
    std::string ref_path = reference, ref_tail;
    auto cut = ref_path.find_first_of("?#");
    if (cut != std::string::npos) {
        ref_tail = ref_path.substr(cut);
        ref_path.resize(cut);
    }
    std::string merged;
    if (!ref_path.empty() && ref_path[0] == '/') {
        merged = ref_path;
    } else if (!authority.empty() && path.empty()) {
        merged = "/" + ref_path;
    } else {
        auto last = path.rfind('/');
        merged = (last == std::string::npos ? std::string() : path.substr(0, last + 1)) + ref_path;
    }
    return scheme + authority + remove_dot_segments(merged) + ref_tail;
}

SchemaSet::SchemaSet(Loader loader) : loader_(std::move(loader)) {}
SchemaSet::~SchemaSet() = default;

void SchemaSet::add_document(const std::string& uri, nlohmann::json document, bool scan_ids) {
    std::lock_guard lock(compiling_);
    store_document(strip_empty_fragment(uri), std::move(document), scan_ids);
}

const nlohmann::json& SchemaSet::store_document(const std::string& uri, nlohmann::json document, bool scan_ids) {
    // Compiled nodes point into documents: replacing one would leave them dangling.
    auto& slot = documents_[uri];
    if (slot) fail("schema: document {} is already registered", uri);
    slot = std::make_unique<json>(std::move(document));
    resolved_.clear();  // new ids may change what a reference resolves to
    if (scan_ids) register_ids(*slot, uri);
    return *slot;
}

void SchemaSet::register_ids(const json& value, const std::string& base) {
    std::string here = base;
    if (value.is_object()) {
        auto id = value.find("id");
        if (id != value.end() && id->is_string()) {
            here = strip_empty_fragment(resolve_uri(base, id->get<std::string>()));
            ids_[here] = Located{&value, base};  // node_for() applies the node's own id
        }
        for (auto it = value.begin(); it != value.end(); ++it)
            if (it.key() != "enum") register_ids(*it, here);
    } else if (value.is_array()) {
        for (const auto& v : value) register_ids(v, here);
    }
}

SchemaSet::Located SchemaSet::resolve_reference(const std::string& base, const std::string& ref) {
    // The same few references ("defs.json#/definitions/uint64") recur from many places.
    std::string key;
    key.reserve(base.size() + ref.size() + 1);
    key.append(base).push_back('\x1f');
    key.append(ref);
    if (auto hit = resolved_.find(key); hit != resolved_.end()) return hit->second;
    Located at = resolve_uncached(base, ref);
    resolved_.emplace(std::move(key), at);
    return at;
}

SchemaSet::Located SchemaSet::resolve_uncached(const std::string& base, const std::string& ref) {
    std::string absolute = strip_empty_fragment(resolve_uri(base, ref));
    if (auto it = ids_.find(absolute); it != ids_.end()) return it->second;

    std::string document = without_fragment(absolute);
    std::string fragment = absolute.size() > document.size() ? absolute.substr(document.size() + 1) : "";
    Located at{nullptr, document};
    if (auto it = documents_.find(document); it != documents_.end()) {
        at.schema = it->second.get();
    } else if (auto id = ids_.find(document); id != ids_.end()) {
        at = id->second;
    } else if (loader_) {
        if (auto loaded = loader_(document)) at.schema = &store_document(document, std::move(*loaded));
    }
    if (at.schema == nullptr) fail("schema: cannot resolve $ref \"{}\" (document {} is unknown)", ref, document);
    if (fragment.empty()) return at;

    fragment = percent_decode(fragment);
    if (fragment[0] != '/') fail("schema: $ref \"{}\": fragment is not a JSON pointer", ref);
    std::size_t pos = 1;
    while (pos <= fragment.size()) {
        std::size_t next = fragment.find('/', pos);
        if (next == std::string::npos) next = fragment.size();
        std::string token = fragment.substr(pos, next - pos);
        for (std::size_t i = 0; (i = token.find('~', i)) != std::string::npos; ++i) {
            if (i + 1 < token.size() && token[i + 1] == '1')
                token.replace(i, 2, "/");
            else if (i + 1 < token.size() && token[i + 1] == '0')
                token.replace(i, 2, "~");
        }
        const json* cur = at.schema;
        if (cur->is_object()) {  // the base inside a node is changed by the node's own id
            auto id = cur->find("id");
            if (id != cur->end() && id->is_string()) at.base = strip_empty_fragment(resolve_uri(at.base, id->get<std::string>()));
        }
        const json* child = nullptr;
        if (cur->is_object()) {
            auto it = cur->find(token);
            if (it != cur->end()) child = &*it;
        } else if (cur->is_array()) {
            std::size_t index = 0;
            bool digits = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (digits && token.size() < 10) index = std::stoul(token);
            if (digits && index < cur->size()) child = &(*cur)[index];
        }
        if (child == nullptr) fail("schema: cannot resolve $ref \"{}\": no \"{}\" in {}", ref, token, document);
        at.schema = child;
        pos = next + 1;
    }
    return at;
}

const nlohmann::json* SchemaSet::document(const std::string& uri) const {
    auto it = documents_.find(uri);
    return it == documents_.end() ? nullptr : it->second.get();
}

Schema SchemaSet::compile(const std::string& uri, CompileMode mode) {
    const SchemaNode* root = nullptr;
    {
        std::lock_guard lock(compiling_);
        Located at = resolve_reference("", uri);
        root = node_for(*at.schema, at.base);
    }
    if (mode == CompileMode::eager) {
        // Fill every node reachable from the root, so that schema errors surface here.
        std::vector<const SchemaNode*> todo{root};
        std::set<const SchemaNode*> seen{root};
        while (!todo.empty()) {
            const SchemaNode& n = ready(*todo.back());
            todo.pop_back();
            std::vector<const SchemaNode*> next{n.ref, n.additional, n.items, n.additional_items, n.negated};
            for (const auto& p : n.properties) next.push_back(p.second);
            for (const auto& p : n.pattern_properties) next.push_back(p.second);
            for (const auto& d : n.dependencies) next.push_back(d.schema);
            for (const auto* list : {&n.tuple, &n.all_of, &n.any_of, &n.one_of}) next.insert(next.end(), list->begin(), list->end());
            for (const SchemaNode* c : next)
                if (c && seen.insert(c).second) todo.push_back(c);
        }
    }
    return Schema(this, root);
}

const SchemaNode& SchemaSet::ready(const SchemaNode& node) {
    if (node.filled.load(std::memory_order_acquire)) return node;
    std::lock_guard lock(compiling_);
    if (!node.filled.load(std::memory_order_relaxed)) {
        auto& n = const_cast<SchemaNode&>(node);  // nodes are owned, mutable, by nodes_
        fill(n);
        n.filled.store(true, std::memory_order_release);
    }
    return node;
}

// The node for schema object `s` (created empty on first request; fill() gives it keywords).
const SchemaNode* SchemaSet::node_for(const json& s, const std::string& inherited_base) {
    if (auto it = nodes_.find(&s); it != nodes_.end()) return it->second.get();
    if (!s.is_object()) fail("schema: expected a schema object, found {}", s.type_name());
    auto owned = std::make_unique<SchemaNode>();
    owned->source = &s;
    owned->base = inherited_base;
    if (auto id = s.find("id"); id != s.end() && id->is_string())  // only a schema with an "id" has a base of its own
        owned->base = strip_empty_fragment(resolve_uri(inherited_base, id->get<std::string>()));
    const SchemaNode* node = owned.get();
    nodes_.emplace(&s, std::move(owned));
    return node;
}

void SchemaSet::fill(SchemaNode& n) {
    const json& s = *n.source;
    const Keywords kw(s);
    const std::string* base = &n.base;

    auto sub = [&](const json& v) { return node_for(v, *base); };
    auto count = [&](const char* keyword) -> std::optional<std::size_t> {
        const json* it = kw(keyword);
        if (!it) return std::nullopt;
        auto v = non_negative(*it);
        if (!v) fail("schema: \"{}\" must be a non-negative integer", keyword);
        return v;
    };
    auto schema_list = [&](const char* keyword, std::vector<const SchemaNode*>& out) {
        const json* it = kw(keyword);
        if (!it) return;
        if (!it->is_array() || it->empty()) fail("schema: \"{}\" must be a non-empty array of schemas", keyword);
        for (const auto& v : *it) out.push_back(sub(v));
    };

    if (const json* ref = kw("$ref"); ref && ref->is_string()) {
        Located target = resolve_reference(*base, ref->get_ref<const std::string&>());
        n.ref = node_for(*target.schema, target.base);
        return;
    }
    if (const json* t = kw("title"); t && t->is_string()) n.title = t->get<std::string>();

    if (const json* t = kw("type")) {
        auto bit = [](const json& name) -> std::uint8_t {
            static const std::pair<const char*, std::uint8_t> kNames[] = {
                {"null", kTypeNull},     {"boolean", kTypeBoolean}, {"object", kTypeObject}, {"array", kTypeArray},
                {"number", kTypeNumber}, {"integer", kTypeInteger}, {"string", kTypeString}};
            if (name.is_string())
                for (const auto& [word, b] : kNames)
                    if (name.get_ref<const std::string&>() == word) return b;
            fail("schema: unknown type {}", name.dump());
        };
        if (t->is_array()) {
            for (const auto& name : *t) n.types |= bit(name);
        } else {
            n.types = bit(*t);
        }
    }

    if (const json* p = kw("properties"); p && p->is_object()) {
        for (const auto& [k, v] : p->items()) n.properties.emplace_back(k, sub(v));
        std::sort(n.properties.begin(), n.properties.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    if (const json* p = kw("patternProperties"); p && p->is_object()) {
        for (const auto& [k, v] : p->items()) {
            std::string error;
            auto re = Regex::compile(k, &error);
            if (!re) fail("schema: patternProperties /{}/: {}", k, error);
            n.pattern_properties.emplace_back(std::move(*re), sub(v));
        }
    }
    if (const json* a = kw("additionalProperties")) {
        if (a->is_boolean())
            n.additional_forbidden = !a->get<bool>();
        else
            n.additional = sub(*a);
    }
    if (const json* r = kw("required")) {
        if (!r->is_array()) fail("schema: \"required\" must be an array of strings");
        for (const auto& name : *r) {
            if (!name.is_string()) fail("schema: \"required\" must be an array of strings");
            n.required.push_back(name.get<std::string>());
        }
    }
    n.min_properties = count("minProperties");
    n.max_properties = count("maxProperties");
    if (const json* d = kw("dependencies"); d && d->is_object()) {
        for (const auto& [k, v] : d->items()) {
            SchemaNode::Dependency dep;
            dep.property = k;
            if (v.is_array()) {
                for (const auto& name : v) {
                    if (!name.is_string()) fail("schema: dependencies of \"{}\" must be property names", k);
                    dep.required.push_back(name.get<std::string>());
                }
            } else {
                dep.schema = sub(v);
            }
            n.dependencies.push_back(std::move(dep));
        }
    }

    if (const json* it = kw("items")) {
        if (it->is_array()) {
            n.has_tuple = true;
            for (const auto& v : *it) n.tuple.push_back(sub(v));
        } else {
            n.items = sub(*it);
        }
    }
    if (const json* a = kw("additionalItems")) {
        if (a->is_boolean())
            n.additional_items_forbidden = !a->get<bool>();
        else
            n.additional_items = sub(*a);
    }
    n.min_items = count("minItems");
    n.max_items = count("maxItems");
    if (const json* u = kw("uniqueItems"); u && u->is_boolean()) n.unique_items = u->get<bool>();

    n.min_length = count("minLength");
    n.max_length = count("maxLength");
    if (const json* p = kw("pattern")) {
        if (!p->is_string()) fail("schema: \"pattern\" must be a string");
        std::string error;
        auto re = Regex::compile(p->get<std::string>(), &error);
        if (!re) fail("schema: pattern /{}/: {}", p->get<std::string>(), error);
        n.pattern = std::move(re);
    }
    if (const json* f = kw("format"); f && f->is_string()) {
        const auto& name = f->get_ref<const std::string&>();
        if (name == "semver")
            n.format = Format::semver;
        else if (name == "hostname")
            n.format = Format::hostname;
        else if (name == "ipv4")
            n.format = Format::ipv4;
        else if (name == "ipv6")
            n.format = Format::ipv6;
        else if (name == "regex")
            n.format = Format::regex;
    }

    auto number = [&](const char* keyword) -> const json* {
        const json* it = kw(keyword);
        if (!it) return nullptr;
        if (!it->is_number()) fail("schema: \"{}\" must be a number", keyword);
        return &*it;
    };
    n.minimum = number("minimum");
    n.maximum = number("maximum");
    n.multiple_of = number("multipleOf");
    if (n.multiple_of && compare_numbers(*n.multiple_of, json(0)) <= 0) fail("schema: \"multipleOf\" must be greater than 0");
    if (const json* e = kw("exclusiveMinimum"); e && e->is_boolean()) n.exclusive_minimum = e->get<bool>();
    if (const json* e = kw("exclusiveMaximum"); e && e->is_boolean()) n.exclusive_maximum = e->get<bool>();

    if (const json* e = kw("enum")) {
        if (!e->is_array() || e->empty()) fail("schema: \"enum\" must be a non-empty array");
        n.enumeration = &*e;
    }
    schema_list("allOf", n.all_of);
    schema_list("anyOf", n.any_of);
    schema_list("oneOf", n.one_of);
    if (const json* x = kw("not")) n.negated = sub(*x);
}

}  // namespace ocirt::spec::validate
