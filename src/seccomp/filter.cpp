#include "ocirt/seccomp/filter.hpp"

#include <linux/seccomp.h>

#include "ocirt/seccomp/cache.hpp"
#include "ocirt/seccomp/compile.hpp"
#include "ocirt/seccomp/names.hpp"
#include "ocirt/sys/seccomp.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::seccomp {

bool Filter::has_listener() const { return (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0; }

Filter prepare_filter(const spec::Seccomp& s, const std::string& cache_dir) {
    check_seccomp(s);
    for (size_t i = 0; i < s.flags.size(); ++i) {
        const auto f = find_flag(s.flags[i]);
        const unsigned probe = f->bit | (uses_notify(s) ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
        if (!sys::seccomp_filter_flag_known(probe)) fail("/linux/seccomp/flags/{}: this kernel does not support {}", i, s.flags[i]);
    }
    Filter out;
    out.flags = filter_flags(s);
    const FilterCache cache(cache_dir);
    const std::string key = cache_key(s);
    if (auto program = cache.load(key)) {
        log::debug("seccomp: filter {} from the cache", key);
        out.program = std::move(*program);
        out.cached = true;
        return out;
    }
    out.program = compile_program(s);
    try {
        cache.store(key, out.program);
    } catch (const Error& e) {
        // The filter is right either way; a cache that cannot be written costs only time.
        log::warn("seccomp cache: cannot store {}: {}", cache.path_of(key), e.what());
    }
    return out;
}

sys::Fd apply_filter(const Filter& f) {
    return with_context("/linux/seccomp", [&] { return sys::install_seccomp_filter(f.program, f.flags); });
}

}  // namespace ocirt::seccomp
