#pragma once
/// A CLI command: its name, help, flags and handler. One cmd_<verb>.cpp defines each.

#include <string>
#include <vector>

#include "ocirt/cli/args.hpp"
#include "ocirt/runtime/container.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {

/// What every command handler receives besides its own arguments.
struct Context {
    runtime::GlobalOptions global;
};

/// One command of the table.
struct Command {
    std::string name;
    std::string summary;      ///< one line for `ocirt --help`
    std::string usage;        ///< "create [flags] <container-id>"
    std::string description;  ///< a paragraph for `ocirt <cmd> --help`
    std::vector<FlagSpec> flags;
    bool stop_at_positional = false;  ///< everything after the first positional is positional
    int (*run)(const Context&, const ParsedArgs&) = nullptr;
};

/// An error that ends the command with `status` rather than 1.
class StatusError : public Error {
public:
    /// `e` as it is, to exit with `status`.
    StatusError(const Error& e, int status) : Error(e), status_(status) {}
    /// The exit status.
    int status() const { return status_; }

private:
    int status_;
};

/// Throws unless exactly `n` positionals were given ("<cmd> requires exactly 1 argument").
void require_positionals(const ParsedArgs& a, size_t n, const std::string& usage);

/// Parses a non-negative integer flag value.
int int_flag(const ParsedArgs& a, const std::string& name, int fallback);

Command create_command();
Command start_command();
Command run_command();
Command state_command();
Command kill_command();
Command delete_command();
Command list_command();
Command spec_command();
Command exec_command();
Command validate_command();
Command features_command();
Command pause_command();
Command resume_command();
Command update_command();
Command events_command();
Command ps_command();
Command checkpoint_command();
Command restore_command();

}  // namespace ocirt::cli
