#include "ocirt/security/capabilities.hpp"

#include <sys/capability.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <map>
#include <memory>
#include <set>

#include "ocirt/sys/identity.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/util/strings.hpp"

namespace ocirt::security {
namespace {

/// The highest number any kernel could report; prctl answers EINVAL past the real last one.
constexpr int kMaxCapProbe = 63;

struct CapFree {
    void operator()(void* p) const noexcept { cap_free(p); }
};
using CapText = std::unique_ptr<char, CapFree>;
using CapState = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

enum class Lookup { ok, unknown, not_in_kernel };

/// Looks a config name up: strict spelling first, then libcap, then the kernel's range.
Lookup lookup(const std::string& name, int& value) {
    if (!util::starts_with(name, "CAP_") || name.size() == 4) return Lookup::unknown;
    std::string lower;
    for (char c : name) {
        if (!(std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
            return Lookup::unknown;
        lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    cap_value_t v = 0;
    if (cap_from_name(lower.c_str(), &v) != 0) return Lookup::unknown;
    // libcap also accepts numbers and names it makes up for numbers; only a real name maps
    // back to exactly what was asked for.
    CapText back(cap_to_name(v));
    if (!back || lower != back.get()) return Lookup::unknown;
    if (v > last_capability()) return Lookup::not_in_kernel;
    value = v;
    return Lookup::ok;
}

struct NamedSet {
    const char* json_name;
    const std::optional<std::vector<std::string>>* names;
};

std::vector<NamedSet> sets_of(const spec::Capabilities& caps) {
    return {{"bounding", &caps.bounding},
            {"effective", &caps.effective},
            {"inheritable", &caps.inheritable},
            {"permitted", &caps.permitted},
            {"ambient", &caps.ambient}};
}

std::string bad_name_message(const char* set, size_t index, const std::string& name, Lookup why) {
    if (why == Lookup::not_in_kernel)
        return fmt::format("/process/capabilities/{}/{}: capability \"{}\" is not supported by this kernel", set,
                           index, name);
    return fmt::format("/process/capabilities/{}/{}: unknown capability \"{}\"", set, index, name);
}

/// The numbers of one set, in config order, each once (a list may repeat a name, and libcap's
/// cap_set_flag refuses more than 64 values); bad names throw or are skipped per `policy`
/// (check_capabilities already warned about them).
std::vector<cap_value_t> resolve(const char* set, const std::optional<std::vector<std::string>>& names,
                                 UnknownCapability policy) {
    std::vector<cap_value_t> out;
    if (!names) return out;
    std::set<cap_value_t> seen;
    for (size_t i = 0; i < names->size(); ++i) {
        int v = 0;
        const Lookup r = lookup((*names)[i], v);
        if (r == Lookup::ok) {
            if (seen.insert(v).second) out.push_back(v);
        } else if (policy == UnknownCapability::fail) {
            fail("{}", bad_name_message(set, i, (*names)[i], r));
        } else {
            log::debug("{}; ignored", bad_name_message(set, i, (*names)[i], r));
        }
    }
    return out;
}

}  // namespace

int last_capability() {
    static const int last = [] {
        // libcap probes the kernel once (PR_CAPBSET_READ) when it loads.
        const int bits = static_cast<int>(cap_max_bits());
        if (bits > 0) return bits - 1;
        int n = 0;
        while (n < kMaxCapProbe && sys::bounding_has_cap(n + 1)) ++n;
        return n;
    }();
    return last;
}

std::optional<int> capability_from_name(const std::string& name) {
    int v = 0;
    if (lookup(name, v) != Lookup::ok) return std::nullopt;
    return v;
}

std::optional<std::string> capability_name(int cap) {
    if (cap < 0) return std::nullopt;
    CapText text(cap_to_name(static_cast<cap_value_t>(cap)));
    if (!text || !util::starts_with(text.get(), "cap_")) return std::nullopt;
    std::string out(text.get());
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> known_capability_names() {
    std::vector<std::string> out;
    for (int cap = 0; cap <= last_capability(); ++cap) {
        if (auto name = capability_name(cap)) out.push_back(std::move(*name));
    }
    return out;
}

void check_capabilities(const spec::Capabilities& caps, UnknownCapability policy) {
    for (const NamedSet& set : sets_of(caps)) {
        if (!*set.names) continue;
        const auto& names = **set.names;
        for (size_t i = 0; i < names.size(); ++i) {
            int v = 0;
            const Lookup r = lookup(names[i], v);
            if (r == Lookup::ok) continue;
            if (policy == UnknownCapability::fail) fail("{}", bad_name_message(set.json_name, i, names[i], r));
            log::warn("{}; ignored", bad_name_message(set.json_name, i, names[i], r));
        }
    }
}

CapabilityPlan plan_capabilities(const spec::Capabilities& caps, UnknownCapability policy) {
    auto numbers = [&](const char* set, const std::optional<std::vector<std::string>>& names) {
        const std::vector<cap_value_t> v = resolve(set, names, policy);
        return std::vector<int>(v.begin(), v.end());
    };
    CapabilityPlan plan;
    plan.bounding = numbers("bounding", caps.bounding);
    plan.effective = numbers("effective", caps.effective);
    plan.permitted = numbers("permitted", caps.permitted);
    plan.inheritable = numbers("inheritable", caps.inheritable);
    plan.ambient = numbers("ambient", caps.ambient);

    CapState now(cap_get_proc());
    if (!now) throw_errno("read this process's capabilities");
    std::set<int> bounding_now, permitted_now, inheritable_now;
    for (int cap = 0; cap <= last_capability(); ++cap) {
        cap_flag_value_t p = CAP_CLEAR, i = CAP_CLEAR;
        if (cap_get_flag(now.get(), cap, CAP_PERMITTED, &p) != 0 || cap_get_flag(now.get(), cap, CAP_INHERITABLE, &i) != 0)
            throw_errno("read capability {}", cap);
        if (p == CAP_SET) permitted_now.insert(cap);
        if (i == CAP_SET) inheritable_now.insert(cap);
        if (sys::bounding_has_cap(cap)) bounding_now.insert(cap);
    }
    plan.held.assign(permitted_now.begin(), permitted_now.end());
    if (policy == UnknownCapability::fail) return plan;

    // What the kernel lets capset and PR_CAP_AMBIENT_RAISE do, given what we hold now.
    std::map<int, std::vector<std::string>> left_out;
    auto keep = [&](const char* set, std::vector<int>& values, auto&& grantable) {
        std::vector<int> kept;
        for (int v : values) {
            if (grantable(v))
                kept.push_back(v);
            else
                left_out[v].emplace_back(set);
        }
        values = std::move(kept);
    };
    auto in = [](const auto& c, int v) { return std::find(c.begin(), c.end(), v) != c.end(); };
    keep("bounding", plan.bounding, [&](int c) { return bounding_now.count(c) != 0; });
    keep("permitted", plan.permitted, [&](int c) { return permitted_now.count(c) != 0; });
    keep("effective", plan.effective, [&](int c) { return in(plan.permitted, c); });
    // New inheritable bits must come from the bounding set (after the drop) and, once the
    // effective set has lost CAP_SETPCAP, from the permitted set.
    keep("inheritable", plan.inheritable, [&](int c) {
        return inheritable_now.count(c) != 0 || (in(plan.bounding, c) && permitted_now.count(c) != 0);
    });
    keep("ambient", plan.ambient, [&](int c) { return in(plan.permitted, c) && in(plan.inheritable, c); });
    for (const auto& [cap, sets] : left_out) {
        std::string where;
        for (const auto& set : sets) where += (where.empty() ? "" : ", ") + set;
        plan.warnings.push_back(fmt::format("capability {} cannot be granted here; left out of the {} set{}",
                                            capability_name(cap).value_or(std::to_string(cap)), where,
                                            sets.size() > 1 ? "s" : ""));
    }
    return plan;
}

void drop_bounding_set(const CapabilityPlan& plan) {
    const std::set<int> keep(plan.bounding.begin(), plan.bounding.end());
    // Probe past libcap's idea of the last capability: a kernel newer than libcap may have
    // more, and those must go too. bounding_has_cap is false once the kernel says EINVAL.
    for (int cap = 0; cap <= kMaxCapProbe; ++cap) {
        if (keep.count(cap) != 0 || !sys::bounding_has_cap(cap)) continue;
        with_context(fmt::format("drop {} from the bounding set", capability_name(cap).value_or(std::to_string(cap))),
                     [&] { sys::drop_bounding_cap(cap); });
    }
}

void drop_bounding_set(const spec::Capabilities& caps, UnknownCapability policy) {
    drop_bounding_set(plan_capabilities(caps, policy));
}

PreparedCapset::PreparedCapset(const std::vector<int>& effective, const std::vector<int>& permitted,
                               const std::vector<int>& inheritable)
    : state_(cap_init(), [](void* p) { cap_free(p); }) {
    // cap_init starts with all three sets empty: whatever this process holds is replaced, not
    // added to.
    if (!state_) throw_errno("cap_init");
    const std::pair<cap_flag_t, const std::vector<int>*> flags[] = {
        {CAP_EFFECTIVE, &effective}, {CAP_PERMITTED, &permitted}, {CAP_INHERITABLE, &inheritable}};
    for (const auto& [flag, values] : flags) {
        if (values->empty()) continue;
        const std::vector<cap_value_t> v(values->begin(), values->end());
        if (cap_set_flag(static_cast<cap_t>(state_.get()), flag, static_cast<int>(v.size()), v.data(), CAP_SET) != 0)
            throw_errno("cap_set_flag");
    }
}

void PreparedCapset::apply() const {
    if (cap_set_proc(static_cast<cap_t>(state_.get())) != 0)
        throw_errno("set effective, permitted and inheritable capabilities");
}

void apply_capability_sets(const CapabilityPlan& plan, UnknownCapability policy, const std::vector<int>& extra) {
    std::vector<int> permitted = plan.permitted;
    permitted.insert(permitted.end(), extra.begin(), extra.end());
    PreparedCapset(plan.effective, permitted, plan.inheritable).apply();

    // Ambient last: the kernel only lets a capability in if it is already permitted and
    // inheritable, i.e. after the capset above.
    sys::clear_ambient_caps();
    for (int cap : plan.ambient) {
        const std::string name = capability_name(cap).value_or(std::to_string(cap));
        try {
            sys::raise_ambient_cap(cap);
        } catch (Error& e) {
            if (policy == UnknownCapability::warn) {
                log::warn("cannot raise ambient capability {}: {}", name, e.what());
                continue;
            }
            e.add_context(fmt::format("raise ambient capability {}", name));
            throw;
        }
    }
}

void apply_capability_sets(const spec::Capabilities& caps, UnknownCapability policy) {
    const CapabilityPlan plan = plan_capabilities(caps, policy);
    for (const auto& w : plan.warnings) log::warn("{}", w);
    apply_capability_sets(plan, policy);
}

}  // namespace ocirt::security
