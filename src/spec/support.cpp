#include "ocirt/spec/support.hpp"

#include "ocirt/util/error.hpp"

namespace ocirt::spec {

std::vector<std::string> unapplied_fields(const Config&) {
    // Every field ocirt's model knows is applied now (linux.cgroupsPath and linux.resources were
    // the last); a field that is not yet goes here, as an error naming its JSON path.
    return {};
}

void check_applicable(const Config& c) {
    const auto fields = unapplied_fields(c);
    if (!fields.empty()) fail("{}: not supported by ocirt yet", fields.front());
}

}  // namespace ocirt::spec
