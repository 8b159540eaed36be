#include <linux/bpf.h>

#include <catch2/catch.hpp>

#include "ocirt/cgroup/device_filter.hpp"
#include "ocirt/cgroup/device_rules.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt::cgroup;

namespace {

/// Runs the compiled program the way the kernel would for one access: a small interpreter of
/// the instructions the compiler emits (anything else fails the test).
int run(const std::vector<bpf_insn>& prog, char type, uint32_t major, uint32_t minor, uint32_t access) {
    const uint32_t ctx[3] = {(access << 16) | static_cast<uint32_t>(type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                             major, minor};
    uint64_t reg[11] = {};
    for (size_t pc = 0; pc < prog.size(); ++pc) {
        const bpf_insn& i = prog[pc];
        const uint8_t cls = BPF_CLASS(i.code);
        if (cls == BPF_LDX) {
            REQUIRE(i.src_reg == 1);
            reg[i.dst_reg] = ctx[i.off / 4];
        } else if (cls == BPF_ALU || cls == BPF_ALU64) {
            const uint64_t src = BPF_SRC(i.code) == BPF_X ? reg[i.src_reg] : static_cast<uint64_t>(static_cast<int64_t>(i.imm));
            uint64_t& dst = reg[i.dst_reg];
            switch (BPF_OP(i.code)) {
                case BPF_MOV: dst = src; break;
                case BPF_AND: dst &= src; break;
                case BPF_RSH: dst >>= src; break;
                default: FAIL("unexpected ALU op");
            }
            if (cls == BPF_ALU) dst &= 0xffffffffu;
        } else if (cls == BPF_JMP) {
            if (BPF_OP(i.code) == BPF_EXIT) return static_cast<int>(reg[0]);
            const uint64_t imm = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
            bool taken = false;
            switch (BPF_OP(i.code)) {
                case BPF_JEQ: taken = reg[i.dst_reg] == imm; break;
                case BPF_JNE: taken = reg[i.dst_reg] != imm; break;
                default: FAIL("unexpected jump op");
            }
            if (taken) pc += static_cast<size_t>(i.off);
        } else {
            FAIL("unexpected instruction class");
        }
    }
    FAIL("the program ran off its end");
    return -1;
}

std::vector<DeviceRule> with_defaults(std::vector<DeviceRule> rules) {
    for (const auto& d : default_allowed_devices()) rules.push_back(d);
    return rules;
}

constexpr uint32_t R = kAccessRead, W = kAccessWrite, M = kAccessMknod;

}  // namespace

TEST_CASE("deny-all plus runc's defaults: the default nodes only, mknod of anything") {
    const auto prog = compile_device_filter(with_defaults({DeviceRule{false, 'a', kAnyNumber, kAnyNumber, kAccessAll}}));
    CHECK(run(prog, 'c', 1, 3, R | W) == 1);    // /dev/null
    CHECK(run(prog, 'c', 1, 9, R) == 1);        // /dev/urandom
    CHECK(run(prog, 'c', 136, 7, R | W) == 1);  // a pty
    CHECK(run(prog, 'c', 1, 11, R) == 0);       // /dev/kmsg
    CHECK(run(prog, 'b', 8, 0, R) == 0);        // a disk
    CHECK(run(prog, 'b', 8, 0, M) == 1);        // mknod is allowed for any device
    CHECK(run(prog, 'b', 8, 0, M | R) == 0);
    CHECK(run(prog, 'c', 1, 3, M) == 1);
}

TEST_CASE("the last matching rule decides; partial access is checked bit by bit") {
    const std::vector<DeviceRule> rules{
        DeviceRule{true, 'a', kAnyNumber, kAnyNumber, kAccessAll},
        DeviceRule{false, 'c', 1, 11, W},
        DeviceRule{true, 'b', 8, kAnyNumber, R},
    };
    const auto prog = compile_device_filter(rules);
    CHECK(run(prog, 'c', 1, 11, R) == 1);      // only writing is denied
    CHECK(run(prog, 'c', 1, 11, R | W) == 0);
    CHECK(run(prog, 'b', 8, 3, R) == 1);
    CHECK(run(prog, 'b', 8, 3, W) == 1);       // the r-only allow does not match; allow-all does
    CHECK(run(prog, 'c', 4, 1, W) == 1);
    // Nothing but a read allow: the rest is denied.
    const auto only = compile_device_filter({DeviceRule{true, 'b', 8, kAnyNumber, R}});
    CHECK(run(only, 'b', 8, 3, R) == 1);
    CHECK(run(only, 'b', 8, 3, R | W) == 0);
    CHECK(run(only, 'c', 8, 3, R) == 0);
    CHECK(run(compile_device_filter({}), 'c', 1, 3, R) == 0);
}

TEST_CASE("a rule that always decides ends the program (the verifier refuses dead code)") {
    const auto prog = compile_device_filter({DeviceRule{false, 'c', 1, 3, kAccessAll}, DeviceRule{true, 'a', kAnyNumber, kAnyNumber, kAccessAll}});
    CHECK(prog.size() == 7 + 2);
    CHECK(run(prog, 'c', 1, 3, R) == 1);
}

TEST_CASE("device rules from the config") {
    using ocirt::spec::DeviceCgroupRule;
    const auto rules = rules_from_spec({DeviceCgroupRule{false, std::nullopt, std::nullopt, std::nullopt, std::string("rwm")},
                                        DeviceCgroupRule{true, std::string("c"), 10, 229, std::string("rw")}});
    REQUIRE(rules.size() == 2);
    CHECK(rules[0].type == 'a');
    CHECK(rules[0].major == kAnyNumber);
    CHECK(rules[1].access == (R | W));
    try {
        rules_from_spec({DeviceCgroupRule{true, std::string("x"), 1, 1, std::nullopt}});
        FAIL("no error");
    } catch (const ocirt::Error& e) {
        CHECK(std::string(e.what()) == "/linux/resources/devices/0/type: \"x\" is not a, c or b");
    }
    CHECK_THROWS_WITH(parse_device_access("rwx", "/f"), "/f/access: \"rwx\" is not a combination of r, w and m");

    ocirt::spec::Config c;
    c.linux_ = ocirt::spec::Linux{};
    ocirt::spec::Device tun;
    tun.type = "c";
    tun.path = "/dev/fuse";
    tun.major = 10;
    tun.minor = 229;
    c.linux_->devices.push_back(tun);
    const auto all = effective_device_rules(c);
    CHECK(all.size() == 1 + default_allowed_devices().size());
    CHECK(run(compile_device_filter(all), 'c', 10, 229, R | W) == 1);
}
