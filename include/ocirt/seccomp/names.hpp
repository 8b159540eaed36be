#pragma once
/// The names linux.seccomp uses (runtime-spec config-linux.md) and what each means to the kernel
/// and libseccomp: actions, argument operators, architectures and filter flags. One table each;
/// the compiler and `ocirt features` both read them, so what features reports is what the
/// compiler accepts.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocirt::seccomp {

/// An action name and its libseccomp value (the errno or trace code is added by the caller).
struct ActionName {
    const char* name;
    uint32_t scmp_action;  ///< SCMP_ACT_* without a return code
    bool takes_ret;        ///< ERRNO and TRACE carry errnoRet (default EPERM)
};

/// An argument operator name and its libseccomp comparison (enum scmp_compare).
struct OperatorName {
    const char* name;
    int scmp_compare;
};

/// An architecture name (SCMP_ARCH_X86_64) and its libseccomp token.
struct ArchName {
    const char* name;
    uint32_t scmp_arch;
};

/// A filter flag name and its SECCOMP_FILTER_FLAG_* bit.
struct FlagName {
    const char* name;
    unsigned bit;
};

/// The action called `name`, if the spec defines it.
std::optional<ActionName> find_action(const std::string& name);
/// The operator called `name`, if the spec defines it.
std::optional<OperatorName> find_operator(const std::string& name);
/// The architecture called `name`, if libseccomp knows it.
std::optional<ArchName> find_arch(const std::string& name);
/// The filter flag called `name`, if the spec defines it.
std::optional<FlagName> find_flag(const std::string& name);

/// Every action name, for `ocirt features` (linux.seccomp.actions).
std::vector<std::string> supported_actions();
/// Every operator name (linux.seccomp.operators).
std::vector<std::string> supported_operators();
/// Every architecture name (linux.seccomp.archs).
std::vector<std::string> supported_architectures();
/// Every filter flag name ocirt knows (linux.seccomp.knownFlags).
std::vector<std::string> known_flags();
/// The known flags this kernel accepts (linux.seccomp.supportedFlags); asks the kernel.
std::vector<std::string> supported_flags();

}  // namespace ocirt::seccomp
