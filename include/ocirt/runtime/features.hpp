#pragma once
/// The runtime-spec features document (features.md) of this build: what ocirt recognises and
/// applies. Every list comes from the table the code itself uses to parse or apply the
/// field, so the document cannot claim what the code does not do.

#include <nlohmann/json.hpp>

namespace ocirt::runtime {

nlohmann::json features_document();

}  // namespace ocirt::runtime
