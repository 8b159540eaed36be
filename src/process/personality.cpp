#include <sys/personality.h>

#include "ocirt/process/process_extras.hpp"
#include "ocirt/sys/memory_policy.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::process {
namespace {

unsigned long domain_value(const std::string& d) { return d == "LINUX32" ? PER_LINUX32 : PER_LINUX; }

}  // namespace

std::vector<std::string> personality_domains() { return {"LINUX", "LINUX32"}; }

void check_personality(const spec::Personality& p) {
    if (p.domain != "LINUX" && p.domain != "LINUX32")
        fail("/linux/personality/domain: \"{}\" is not LINUX or LINUX32", p.domain);
    // runtime-spec defines no flags yet; one ocirt does not know would be silently ignored.
    if (!p.flags.empty()) fail("/linux/personality/flags: \"{}\" is not a supported flag", p.flags.front());
}

void apply_personality(const spec::Personality& p) {
    with_context("/linux/personality", [&] { sys::set_personality(domain_value(p.domain)); });
}

}  // namespace ocirt::process
