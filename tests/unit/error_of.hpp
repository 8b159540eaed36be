#pragma once
/// Unit-test helper: the message of the ocirt::Error that `fn` throws, or "" if it throws none.

#include <functional>
#include <string>

#include "ocirt/util/error.hpp"

inline std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const ocirt::Error& e) {
        return e.what();
    }
    return "";
}
