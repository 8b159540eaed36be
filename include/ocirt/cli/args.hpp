#pragma once
/// Command-line parsing in runc's style: flags before positional arguments ("--flag value",
/// "--flag=value", "-f value", boolean "-d"), the first positional ends flag parsing.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocirt::cli {

/// One flag a command accepts.
struct FlagSpec {
    std::string name;        ///< long name without dashes ("pid-file")
    char short_name = 0;     ///< single-letter alias or 0
    bool takes_value = false;
    std::string help;
    std::string value_name = "VALUE";
    bool hidden = false;     ///< accepted, but not listed in --help (obsolete flags)
};

/// The result of parsing.
class ParsedArgs {
public:
    /// True if the boolean flag was given.
    bool has(const std::string& name) const { return values_.count(name) != 0; }
    /// The last value of a flag, if given.
    std::optional<std::string> value(const std::string& name) const;
    /// Every value of a repeatable flag, in order.
    std::vector<std::string> values(const std::string& name) const;
    /// The positional arguments.
    const std::vector<std::string>& positionals() const { return positionals_; }

private:
    friend ParsedArgs parse_args(const std::vector<FlagSpec>&, const std::vector<std::string>&, size_t, bool);
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positionals_;
};

/// Parses args[start..]. With `stop_at_positional`, everything from the first positional on is
/// positional (exec's command). Throws ocirt::Error on an unknown flag or a missing value.
ParsedArgs parse_args(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args, size_t start,
                      bool stop_at_positional);

/// Renders the flag list for --help.
std::string flags_help(const std::vector<FlagSpec>& specs);

}  // namespace ocirt::cli
