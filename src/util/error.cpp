#include "ocirt/util/error.hpp"

#include <cstring>

namespace ocirt {

Error::Error(int err, std::string message) : errno_(err), message_(std::move(message)) { render(); }

Error& Error::add_context(std::string context) {
    context_.insert(context_.begin(), std::move(context));
    render();
    return *this;
}

std::string Error::without_strerror() const {
    std::string out;
    for (const auto& c : context_) out += c + ": ";
    return out + message_;
}

void Error::render() {
    text_.clear();
    for (const auto& c : context_) {
        text_ += c;
        text_ += ": ";
    }
    text_ += message_;
    if (errno_ != 0) {
        text_ += ": ";
        text_ += std::strerror(errno_);
    }
}

}  // namespace ocirt
