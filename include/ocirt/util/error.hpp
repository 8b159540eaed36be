#pragma once
/// The one error type of ocirt: an errno (0 if none) plus a context chain, outermost first.
/// It renders as "create c1: mount proc on /proc: Operation not permitted".

#include <cerrno>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace ocirt {

/// An error with an errno (0 when none applies) and a chain of context, outermost first.
class Error : public std::exception {
public:
    /// An error with a message and an errno (0: no system error).
    Error(int err, std::string message);
    /// An error with a message only.
    explicit Error(std::string message) : Error(0, std::move(message)) {}

    /// The errno captured where the error arose, 0 if none.
    int code() const noexcept { return errno_; }
    /// The innermost message, without context or strerror.
    const std::string& message() const noexcept { return message_; }
    /// Adds an outer layer of context ("create c1").
    Error& add_context(std::string context);
    /// Contexts and message without the strerror text (for sending across a process boundary
    /// together with code(), where the receiver renders strerror itself).
    std::string without_strerror() const;
    /// The full one-line text: contexts, message, strerror.
    const char* what() const noexcept override { return text_.c_str(); }

private:
    void render();
    int errno_;
    std::string message_;
    std::vector<std::string> context_;  // outermost first
    std::string text_;
};

/// Throws an Error built from the current errno (read before anything else runs).
template <typename... Args>
[[noreturn]] void throw_errno(fmt::format_string<Args...> f, Args&&... args) {
    const int saved = errno;
    throw Error(saved, fmt::format(f, std::forward<Args>(args)...));
}

/// Throws an Error with an explicit errno.
template <typename... Args>
[[noreturn]] void throw_error_code(int err, fmt::format_string<Args...> f, Args&&... args) {
    throw Error(err, fmt::format(f, std::forward<Args>(args)...));
}

/// Throws an Error without errno.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
    throw Error(0, fmt::format(f, std::forward<Args>(args)...));
}

/// Runs fn; an Error escaping it gets `context` added as its outer layer.
template <typename Fn>
decltype(auto) with_context(const std::string& context, Fn&& fn) {
    try {
        return std::forward<Fn>(fn)();
    } catch (Error& e) {
        e.add_context(context);
        throw;
    }
}

}  // namespace ocirt
