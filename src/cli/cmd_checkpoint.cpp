#include "ocirt/cli/command.hpp"
#include "ocirt/runtime/checkpoint.hpp"

namespace ocirt::cli {

/// The CRIU flags checkpoint and restore share, read from the parsed arguments.
checkpoint::CriuOptions criu_options(const ParsedArgs& a) {
    checkpoint::CriuOptions c;
    c.image_path = a.value("image-path").value_or("checkpoint");
    c.work_path = a.value("work-path").value_or("");
    c.parent_path = a.value("parent-path").value_or("");
    c.leave_running = a.has("leave-running");
    c.tcp_established = a.has("tcp-established");
    c.ext_unix_sk = a.has("ext-unix-sk");
    c.shell_job = a.has("shell-job");
    c.lazy_pages = a.has("lazy-pages");
    c.file_locks = a.has("file-locks");
    c.pre_dump = a.has("pre-dump");
    c.auto_dedup = a.has("auto-dedup");
    c.status_fd = a.has("status-fd") ? int_flag(a, "status-fd", -1) : -1;
    c.page_server = a.value("page-server").value_or("");
    c.manage_cgroups_mode = a.value("manage-cgroups-mode").value_or("");
    c.empty_ns = a.values("empty-ns");
    return c;
}

/// Flags of runc's that both commands take.
std::vector<FlagSpec> criu_common_flags() {
    return {
        {"image-path", 0, true, "path for saving CRIU image files (default: ./checkpoint)", "DIR"},
        {"work-path", 0, true, "path for saving work files and logs (default: the image path)", "DIR"},
        {"tcp-established", 0, false, "allow open TCP connections"},
        {"ext-unix-sk", 0, false, "allow external unix sockets"},
        {"shell-job", 0, false, "allow shell jobs"},
        {"lazy-pages", 0, false, "use userfaultfd to lazily restore memory pages"},
        {"file-locks", 0, false, "handle file locks"},
        {"manage-cgroups-mode", 0, true, "cgroups mode: soft (default), full, strict or ignore", "MODE"},
        {"empty-ns", 0, true, "create a namespace, but do not restore its properties (network)", "TYPE"},
        {"auto-dedup", 0, false, "enable auto deduplication of memory images"},
    };
}

namespace {
int run_checkpoint(const Context& ctx, const ParsedArgs& a) {
    require_positionals(a, 1, "checkpoint [flags] <container-id>");
    runtime::CheckpointOptions o;
    o.id = a.positionals()[0];
    o.criu = criu_options(a);
    runtime::checkpoint_container(ctx.global, o);
    return 0;
}
}  // namespace

Command checkpoint_command() {
    auto flags = criu_common_flags();
    flags.push_back({"parent-path", 0, true, "path for previous criu image files in a pre-dump", "DIR"});
    flags.push_back({"leave-running", 0, false, "leave the process running after checkpointing"});
    flags.push_back({"status-fd", 0, true, "criu writes \\0 to this fd once lazy-pages is ready", "FD"});
    flags.push_back({"page-server", 0, true, "ADDRESS:PORT of the page server", "ADDRESS:PORT"});
    flags.push_back({"pre-dump", 0, false, "dump the container's memory only, leaving it running"});
    return {"checkpoint", "checkpoint a running container with CRIU", "checkpoint [flags] <container-id>",
            "Dumps the container's processes with CRIU (`criu dump`) into --image-path, with\n"
            "descriptors.json (the container's stdio) beside the image. The container is stopped\n"
            "afterwards unless --leave-running or --pre-dump; `restore` brings it back.",
            flags, false, run_checkpoint};
}

}  // namespace ocirt::cli
