#include "ocirt/util/log.hpp"

#include "ocirt/util/time.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace ocirt::log {
namespace {

struct Sink {
    std::string path;
    Format format = Format::text;
    bool debug = false;
};

Sink& sink() {
    static Sink s;
    return s;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warning: return "warning";
        case Level::error: return "error";
    }
    return "info";
}

}  // namespace

void configure(const std::string& path, Format format, bool debug) { sink() = Sink{path, format, debug}; }

Format format() { return sink().format; }

bool to_file() { return !sink().path.empty(); }

std::string render(Level level, std::string_view msg, Format fmt_) {
    if (fmt_ == Format::json) {
        nlohmann::json j = {{"level", level_name(level)}, {"msg", msg}, {"time", util::now_rfc3339()}};
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    nlohmann::json quoted = std::string(msg);
    return fmt::format("time=\"{}\" level={} msg={}", util::now_rfc3339(), level_name(level),
                       quoted.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void write(Level level, std::string_view msg) {
    const Sink& s = sink();
    if (level == Level::debug && !s.debug) return;
    const std::string line = render(level, msg, s.format) + "\n";
    if (s.path.empty()) {
        std::fwrite(line.data(), 1, line.size(), stderr);
        return;
    }
    if (std::FILE* f = std::fopen(s.path.c_str(), "ae")) {
        std::fwrite(line.data(), 1, line.size(), f);
        std::fclose(f);
    }
}

}  // namespace ocirt::log
