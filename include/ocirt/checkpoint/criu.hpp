#pragma once
/// The `criu` binary: finding it, `criu check`, and running a dump or restore with its errors
/// turned into one line that names CRIU's log.

#include <optional>
#include <string>
#include <vector>

#include "ocirt/sys/tool_process.hpp"

namespace ocirt::checkpoint {

/// The criu binary on PATH, or nullopt.
std::optional<std::string> find_criu();

/// The outcome of `criu check`.
struct CriuCheck {
    bool usable = false;
    std::string version;  ///< "3.17.1" when known
    std::string reason;   ///< why not usable: missing, or CRIU's own last error line
};
/// Runs `criu --version` and `criu check` (bounded).
CriuCheck check_criu();

/// Runs `criu <args>` as `launch` says (path and argv are filled in here). On failure throws
/// "criu <verb> failed (exit N): <CRIU's first Error line>; log: <log_path>". Without criu on
/// PATH throws "criu not found on PATH; checkpoint/restore need CRIU".
void run_criu(const std::vector<std::string>& args, const std::string& log_path, sys::ToolLaunch launch);

/// The first "Error" line of a CRIU log (the cause; later ones are its consequences), else its
/// last line, without CRIU's timestamp; "" for an empty log.
std::string first_error_line(const std::string& log_text);

}  // namespace ocirt::checkpoint
