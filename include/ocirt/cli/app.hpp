#pragma once
/// The command-line front end: global flags, the command table, dispatch.

namespace ocirt::cli {

/// Runs ocirt with argv; returns the process exit status.
int run_app(int argc, char** argv);

}  // namespace ocirt::cli
