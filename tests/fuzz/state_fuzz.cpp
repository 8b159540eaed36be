// libFuzzer target: the state.json reader. Another ocirt process (or a person) wrote the file;
// reading it must give a record or a clear error, and a record must survive a write and a read.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ocirt/runtime/state_record.hpp"
#include "ocirt/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ocirt::runtime;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    ContainerRecord r;
    try {
        r = record_from_json(text);
    } catch (const ocirt::Error&) {
        return 0;
    }
    const ContainerRecord back = record_from_json(record_to_json(r));  // must not throw
    if (back.id != r.id || back.bundle != r.bundle || back.rootfs != r.rootfs || back.created != r.created ||
        back.owner != r.owner || back.pid != r.pid || back.start_time != r.start_time || back.cgroup_path != r.cgroup_path ||
        back.cgroup_created != r.cgroup_created || back.annotations.size() != r.annotations.size())
        __builtin_trap();
    return 0;
}
