#include <signal.h>

#include "ocirt/runtime/container.hpp"
#include "ocirt/runtime/create_internal.hpp"
#include "ocirt/runtime/foreground.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::runtime {

int run_container(const GlobalOptions& g, const RunOptions& o) {
    if (o.detach) {
        create_internal(g, o.create, false);
        try {
            start_container(g, o.create.id);
        } catch (...) {
            delete_container(g, o.create.id, true);
            throw;
        }
        return 0;
    }
    // The container process is a grandchild (the init stage forks it into its pid namespace);
    // as subreaper we inherit it when the init stage's first process exits, and can wait for it,
    // and processes orphaned inside a container without a pid namespace come to us too. With
    // --no-subreaper the init stage forks it as our own child instead (CLONE_PARENT, as runc).
    if (!o.create.no_subreaper) sys::become_subreaper();
    sys::Fd sigfd = sys::block_signals_to_fd(foreground_signals());
    sys::trace::Span create_span("create");
    CreatedContainer c = create_internal(g, o.create, true);
    create_span.end();
    try {
        sys::trace::Span start_span("start");
        start_container(g, o.create.id);
    } catch (...) {
        delete_container(g, o.create.id, true);
        throw;
    }
    sys::trace::Span wait_span("wait");  // the container's program runs
    const sys::ExitStatus st = wait_foreground(c.pid, sigfd.get(), std::move(c.console_master));
    wait_span.end();
    if (!o.keep) {
        try {
            sys::trace::Span delete_span("delete");
            delete_container(g, o.create.id, true);
        } catch (const Error& e) {
            log::warn("{}", e.what());
        }
    }
    return st.shell_status();
}

}  // namespace ocirt::runtime
