#include "ocirt/spec/validate/path.hpp"

namespace ocirt::spec::validate {

void append_pointer_token(std::string& out, std::string_view token) {
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out.push_back(c);
    }
}

std::string to_json_pointer(std::span<const PathElem> path) {
    std::string out;
    for (const PathElem& step : path) {
        out.push_back('/');
        if (step.is_index)
            out += std::to_string(step.index);
        else
            append_pointer_token(out, step.key);
    }
    return out;
}

}  // namespace ocirt::spec::validate
