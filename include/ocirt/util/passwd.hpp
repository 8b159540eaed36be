#pragma once
/// Reading /etc/passwd text (the container's, not the host's NSS).

#include <cstdint>
#include <optional>
#include <string>

namespace ocirt::util {

/// The home directory of `uid` in passwd-format `text`, if listed.
std::optional<std::string> home_of_uid(const std::string& text, uint32_t uid);
/// The user name of `uid` in passwd-format `text`, if listed.
std::optional<std::string> name_of_uid(const std::string& text, uint32_t uid);

}  // namespace ocirt::util
