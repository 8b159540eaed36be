#include "ocirt/spec/device_mode.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

namespace ocirt::spec {
namespace {

const char* type_bits_name(uint32_t bits) {
    switch (bits) {
        case S_IFCHR: return "S_IFCHR";
        case S_IFBLK: return "S_IFBLK";
        case S_IFIFO: return "S_IFIFO";
        case S_IFREG: return "S_IFREG";
        case S_IFDIR: return "S_IFDIR";
        case S_IFLNK: return "S_IFLNK";
        case S_IFSOCK: return "S_IFSOCK";
        default: return "unknown";
    }
}

}  // namespace

uint32_t device_file_type(const std::string& type) {
    if (type == "c" || type == "u") return S_IFCHR;
    if (type == "b") return S_IFBLK;
    if (type == "p") return S_IFIFO;
    return 0;
}

std::optional<std::string> device_file_mode_problem(uint32_t file_mode, const std::string& type) {
    if (file_mode & ~(static_cast<uint32_t>(S_IFMT) | 07777u))
        return fmt::format("{:#o} has bits beyond the file type and the permissions", file_mode);
    const uint32_t bits = file_mode & S_IFMT;
    if (bits == 0 || bits == device_file_type(type)) return std::nullopt;
    return fmt::format("the file-type bits of {} ({}, {:#o}) disagree with type \"{}\"", file_mode, type_bits_name(bits),
                       bits, type);
}

}  // namespace ocirt::spec
