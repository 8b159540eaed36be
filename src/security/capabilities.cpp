#include "ocirt/security/capabilities.hpp"

#include <sys/capability.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
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

void drop_bounding_set(const spec::Capabilities& caps, UnknownCapability policy) {
    const std::vector<cap_value_t> keep_list = resolve("bounding", caps.bounding, policy);
    const std::set<int> keep(keep_list.begin(), keep_list.end());
    // Probe past libcap's idea of the last capability: a kernel newer than libcap may have
    // more, and those must go too. bounding_has_cap is false once the kernel says EINVAL.
    for (int cap = 0; cap <= kMaxCapProbe; ++cap) {
        if (keep.count(cap) != 0 || !sys::bounding_has_cap(cap)) continue;
        with_context(fmt::format("drop {} from the bounding set", capability_name(cap).value_or(std::to_string(cap))),
                     [&] { sys::drop_bounding_cap(cap); });
    }
}

void apply_capability_sets(const spec::Capabilities& caps, UnknownCapability policy) {
    struct Flag {
        cap_flag_t flag;
        std::vector<cap_value_t> values;
    };
    const Flag flags[] = {
        {CAP_EFFECTIVE, resolve("effective", caps.effective, policy)},
        {CAP_PERMITTED, resolve("permitted", caps.permitted, policy)},
        {CAP_INHERITABLE, resolve("inheritable", caps.inheritable, policy)},
    };
    const std::vector<cap_value_t> ambient = resolve("ambient", caps.ambient, policy);

    // cap_init starts with all three sets empty: whatever this process holds now is replaced,
    // not added to.
    CapState state(cap_init());
    if (!state) throw_errno("cap_init");
    for (const Flag& f : flags) {
        if (f.values.empty()) continue;
        if (cap_set_flag(state.get(), f.flag, static_cast<int>(f.values.size()), f.values.data(), CAP_SET) != 0)
            throw_errno("cap_set_flag");
    }
    if (cap_set_proc(state.get()) != 0) throw_errno("set effective, permitted and inheritable capabilities");

    // Ambient last: the kernel only lets a capability in if it is already permitted and
    // inheritable, i.e. after cap_set_proc above.
    sys::clear_ambient_caps();
    for (size_t i = 0; i < ambient.size(); ++i) {
        const std::string name = capability_name(ambient[i]).value_or(std::to_string(ambient[i]));
        try {
            sys::raise_ambient_cap(ambient[i]);
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

}  // namespace ocirt::security
