#include "ocirt/util/time.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace ocirt::util {

std::string now_rfc3339() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t t = system_clock::to_time_t(now);
    const auto ns = duration_cast<nanoseconds>(now.time_since_epoch()).count() % 1000000000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return fmt::format("{}.{:09}Z", buf, ns);
}

}  // namespace ocirt::util
