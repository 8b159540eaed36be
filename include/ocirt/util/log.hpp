#pragma once
/// Logging front end: one place that knows where log records go (stderr or --log FILE)
/// and their shape (runc's text "time= level= msg=" or json lines {"level","msg","time"}).

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace ocirt::log {

enum class Level { debug, info, warning, error };
enum class Format { text, json };

/// Sets the destination (empty: stderr), format and whether debug records are kept.
void configure(const std::string& path, Format format, bool debug);
/// The configured format.
Format format();
/// True if a --log file is in use.
bool to_file();
/// Writes one record.
void write(Level level, std::string_view msg);
/// Renders one record as it would be written, without writing it (for tests).
std::string render(Level level, std::string_view msg, Format format);

template <typename... A> void debug(fmt::format_string<A...> f, A&&... a) { write(Level::debug, fmt::format(f, std::forward<A>(a)...)); }
template <typename... A> void info(fmt::format_string<A...> f, A&&... a) { write(Level::info, fmt::format(f, std::forward<A>(a)...)); }
template <typename... A> void warn(fmt::format_string<A...> f, A&&... a) { write(Level::warning, fmt::format(f, std::forward<A>(a)...)); }
template <typename... A> void error(fmt::format_string<A...> f, A&&... a) { write(Level::error, fmt::format(f, std::forward<A>(a)...)); }

}  // namespace ocirt::log
