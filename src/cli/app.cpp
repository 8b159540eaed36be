#include "ocirt/cli/app.hpp"

#include <fmt/format.h>

namespace ocirt::cli {
int run_app(int, char**) {
    fmt::print("ocirt version 0.1.0\n");
    return 0;
}
}  // namespace ocirt::cli
