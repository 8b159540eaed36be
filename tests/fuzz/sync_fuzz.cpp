// libFuzzer target: the decoders of the parent <-> init-stage protocol, which read what the
// other process wrote: one message (kind byte, payload; an error message's JSON) and the
// bootstrap document. Both must return a value or throw ocirt::Error, nothing else.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ocirt/runtime/bootstrap.hpp"
#include "ocirt/runtime/sync.hpp"
#include "ocirt/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ocirt::runtime;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const Message m = decode_message(bytes, {});
        if (m.payload != bytes.substr(1)) __builtin_trap();  // without fds, the payload is inline
    } catch (const ocirt::Error&) {
    }
    try {
        (void)bootstrap_from_json(std::string(bytes));
    } catch (const ocirt::Error&) {
    }
    return 0;
}
