// Runs the official JSON-Schema-Test-Suite (draft4, Debian package json-schema-test-suite)
// against ocirt's validator: every required keyword file, plus the optional files for the
// formats ocirt checks. Exits 77 (skip) when the suite is not installed.
//
// usage: json_schema_suite [SUITE_DIR] [DRAFT4_METASCHEMA]

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "ocirt/spec/validate/json_source.hpp"
#include "ocirt/spec/validate/schema.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
namespace v = ocirt::spec::validate;

namespace {

std::optional<json> read_json(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = v::parse_json(ss.str());  // the suite doubles as a test of the parser
    if (!parsed.ok) {
        std::cerr << path << ": " << parsed.error << " at byte " << parsed.error_offset << "\n";
        return std::nullopt;
    }
    return std::move(parsed.value);
}

// Optional groups (by description) that test formats ocirt does not check.
bool skipped_group(const std::string& file, const json& group) {
    if (file != "optional/format.json") return false;
    static const std::set<std::string> kChecked = {"hostname", "ipv4", "ipv6"};
    const auto& format = group["schema"].value("format", "");
    return kChecked.count(format) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    fs::path suite = argc > 1 ? argv[1] : "/usr/share/json-schema-test-suite";
    fs::path metaschema = argc > 2 ? argv[2] : "/usr/lib/python3/dist-packages/jsonschema/schemas/draft4.json";
    fs::path tests = suite / "tests" / "draft4";
    if (!fs::is_directory(tests)) {
        std::cout << "SKIP: " << tests << " not found (apt-get install json-schema-test-suite)\n";
        return 77;
    }

    v::SchemaSet::Loader loader = [&](const std::string& uri) -> std::optional<json> {
        const std::string remote = "http://localhost:1234/";
        if (uri.rfind(remote, 0) == 0) return read_json(suite / "remotes" / uri.substr(remote.size()));
        if (uri == "http://json-schema.org/draft-04/schema") return read_json(metaschema);
        return std::nullopt;
    };

    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(tests))
        if (entry.path().extension() == ".json") files.push_back(fs::relative(entry.path(), tests).string());
    std::sort(files.begin(), files.end());

    int passed = 0, failed = 0, skipped = 0;
    for (const auto& file : files) {
        auto groups = read_json(tests / file);
        if (!groups) {
            ++failed;
            continue;
        }
        int file_passed = 0, file_failed = 0;
        for (std::size_t g = 0; g < groups->size(); ++g) {
            const json& group = (*groups)[g];
            const std::string description = group.value("description", "");
            if (skipped_group(file, group)) {
                skipped += static_cast<int>(group["tests"].size());
                continue;
            }
            try {
                v::SchemaSet set(loader);
                std::string uri = "ocirt:/suite/" + file + "/" + std::to_string(g);
                set.add_document(uri, group["schema"]);
                v::Schema schema = set.compile(uri);
                for (const auto& test : group["tests"]) {
                    bool expected = test["valid"].get<bool>();
                    bool accepted = schema.accepts(test["data"]);
                    auto errors = schema.validate(test["data"]);
                    bool consistent = accepted == errors.empty();
                    if (accepted == expected && consistent) {
                        ++file_passed;
                    } else {
                        ++file_failed;
                        std::cout << "FAIL " << file << ": " << description << ": " << test.value("description", "")
                                  << (consistent ? "" : " (accepts() and validate() disagree)") << "\n";
                    }
                }
            } catch (const std::exception& e) {
                file_failed += static_cast<int>(group["tests"].size());
                std::cout << "FAIL " << file << ": " << description << ": " << e.what() << "\n";
            }
        }
        std::printf("%-36s %3d passed %3d failed\n", file.c_str(), file_passed, file_failed);
        passed += file_passed;
        failed += file_failed;
    }
    std::printf("total: %d passed, %d failed, %d skipped (formats ocirt does not check)\n", passed, failed, skipped);
    return failed == 0 ? 0 : 1;
}
