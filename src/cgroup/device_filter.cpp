#include "ocirt/cgroup/device_filter.hpp"

#include <fcntl.h>

#include "ocirt/sys/bpf.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroup {
namespace {

// struct bpf_cgroup_dev_ctx { __u32 access_type; __u32 major; __u32 minor; }: access_type is
// (access << 16) | type.
constexpr int16_t kCtxAccessType = 0;
constexpr int16_t kCtxMajor = 4;
constexpr int16_t kCtxMinor = 8;

// Registers: r1 ctx, r2 access_type, r3 type, r4 access, r5 major, r6 minor, r7 scratch.
constexpr uint8_t R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}
bpf_insn load_u32(uint8_t dst, uint8_t src, int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0); }
bpf_insn mov32_reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn and32_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm); }
bpf_insn rsh32_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm); }
bpf_insn mov64_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
bpf_insn jump_imm(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int32_t type_code(char type) { return type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR; }

/// One rule's block; its conditional jumps skip to the end of the block. Returns false for a
/// rule with no condition (it always decides, so nothing after it can run).
bool append_rule(std::vector<bpf_insn>& out, const DeviceRule& r) {
    std::vector<bpf_insn> block;
    if (r.type != 'a') block.push_back(jump_imm(BPF_JNE, R3, type_code(r.type)));
    if ((r.access & kAccessAll) != kAccessAll) {
        block.push_back(mov32_reg(R7, R4));
        if (r.allow) {
            block.push_back(and32_imm(R7, static_cast<int32_t>(~r.access & kAccessAll)));
            block.push_back(jump_imm(BPF_JNE, R7, 0));  // asks for something the rule does not grant
        } else {
            block.push_back(and32_imm(R7, static_cast<int32_t>(r.access)));
            block.push_back(jump_imm(BPF_JEQ, R7, 0));  // asks for nothing the rule denies
        }
    }
    if (r.major != kAnyNumber) block.push_back(jump_imm(BPF_JNE, R5, static_cast<int32_t>(r.major)));
    if (r.minor != kAnyNumber) block.push_back(jump_imm(BPF_JNE, R6, static_cast<int32_t>(r.minor)));
    const bool conditional = !block.empty();
    block.push_back(mov64_imm(R0, r.allow ? 1 : 0));
    block.push_back(exit_insn());
    for (size_t i = 0; i < block.size(); ++i)
        if (BPF_CLASS(block[i].code) == BPF_JMP && BPF_OP(block[i].code) != BPF_EXIT)
            block[i].off = static_cast<int16_t>(block.size() - i - 1);
    out.insert(out.end(), block.begin(), block.end());
    return conditional;
}

}  // namespace

std::vector<bpf_insn> compile_device_filter(const std::vector<DeviceRule>& rules) {
    std::vector<bpf_insn> out{
        load_u32(R2, R1, kCtxAccessType),
        mov32_reg(R3, R2),
        and32_imm(R3, 0xffff),
        mov32_reg(R4, R2),
        rsh32_imm(R4, 16),
        load_u32(R5, R1, kCtxMajor),
        load_u32(R6, R1, kCtxMinor),
    };
    // The last rule that matches decides, so the program tries them from the end. The verifier
    // refuses unreachable instructions: stop after a rule that always decides.
    for (auto it = rules.rbegin(); it != rules.rend(); ++it)
        if (!append_rule(out, *it)) return out;
    out.push_back(mov64_imm(R0, 0));
    out.push_back(exit_insn());
    return out;
}

void install_device_filter(const std::string& dir, const std::vector<DeviceRule>& rules) {
    with_context("/linux/resources/devices", [&] {
        sys::Fd prog = sys::bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, compile_device_filter(rules), "Apache");
        sys::Fd cg = sys::open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY);
        const auto before = sys::bpf_prog_query(cg.get(), BPF_CGROUP_DEVICE);
        // Attach the new program before detaching the old ones: in between both apply (the
        // stricter wins), so the container is never without a filter.
        sys::bpf_prog_attach(cg.get(), prog.get(), BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI);
        for (uint32_t id : before) {
            sys::Fd old = sys::bpf_prog_fd_by_id(id);
            if (old) sys::bpf_prog_detach(cg.get(), old.get(), BPF_CGROUP_DEVICE);
        }
    });
}

}  // namespace ocirt::cgroup
