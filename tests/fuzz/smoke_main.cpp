// A main() for the libFuzzer targets that needs no clang: feeds every seed file given on the
// command line (files or directories) to LLVMFuzzerTestOneInput, then a fixed number of
// mutations of them, from a fixed random seed so that a failure repeats. It is what the unit
// suite runs (cheap, g++); tests/fuzz/build.sh builds the same targets with libFuzzer for the
// long runs.
//
// usage: TARGET_smoke [--mutations N] [--seed S] SEED_FILE_OR_DIR...

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

constexpr std::size_t kMaxInput = 64 * 1024;

// Fragments that make JSON interesting: structure, escapes (NUL included), extreme numbers,
// the keys of config.json and state.json.
const std::string_view kTokens[] = {
    "{", "}", "[", "]", ":", ",", "\"", "\\u0000", "\\ud800", "\\\"", "null", "true", "-0", "1e999",
    "18446744073709551616", "-9223372036854775809", "{\"a\":1,\"a\":2}", "[[[[[[[[", "]]]]]]]]",
    "\"ociVersion\":\"1.3.0\"", "\"root\":{\"path\":\"r\"}", "\"process\"", "\"args\":[\"sh\"]", "\"cwd\":\"/\"",
    "\"env\"", "\"mounts\"", "\"linux\"", "\"namespaces\"", "\"capabilities\"", "\"rlimits\"", "\"devices\"",
    "\"hooks\"", "\"annotations\"", "\"id\"", "\"pid\"", "\"start_time\"", "\"cgroup_created\"", "\"errno\"",
    "\"message\"", "\"mode\"", "\"exec\"", "\x06", "\x0a", "\x86", "\x8a",
};

struct Rng {
    std::uint64_t state;
    std::uint64_t next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string mutate(std::string s, const std::vector<std::string>& seeds, Rng& rng) {
    const int steps = 1 + static_cast<int>(rng.below(4));
    for (int k = 0; k < steps; ++k) {
        const std::size_t at = rng.below(s.size() + 1);
        switch (rng.below(6)) {
            case 0:  // flip a bit
                if (!s.empty()) s[rng.below(s.size())] ^= static_cast<char>(1u << rng.below(8));
                break;
            case 1:  // insert a random byte
                s.insert(at, 1, static_cast<char>(rng.below(256)));
                break;
            case 2:  // erase a range
                s.erase(at, rng.below(16));
                break;
            case 3: {  // insert a token
                const auto& t = kTokens[rng.below(std::size(kTokens))];
                s.insert(at, t);
                break;
            }
            case 4: {  // repeat a range
                const std::size_t len = rng.below(64);
                const std::string part = s.substr(at, len);
                for (std::size_t n = rng.below(8); n > 0; --n) s.insert(at, part);
                break;
            }
            default: {  // splice in part of another seed
                const std::string& other = seeds[rng.below(seeds.size())];
                const std::size_t from = rng.below(other.size() + 1);
                s.insert(at, other.substr(from, rng.below(256)));
            }
        }
        if (s.size() > kMaxInput) s.resize(kMaxInput);
    }
    return s;
}

void run(const std::string& input) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
    long mutations = 2000;
    std::uint64_t seed = 0x9e3779b97f4a7c15ull;
    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--mutations" && i + 1 < argc) {
            mutations = std::strtol(argv[++i], nullptr, 10);
        } else if (arg == "--seed" && i + 1 < argc) {
            seed = std::strtoull(argv[++i], nullptr, 0);
        } else if (std::filesystem::is_directory(arg)) {
            for (const auto& e : std::filesystem::recursive_directory_iterator(arg))
                if (e.is_regular_file()) files.push_back(e.path());
        } else {
            files.emplace_back(arg);
        }
    }
    std::sort(files.begin(), files.end());  // the same order on every file system: a failure repeats
    std::vector<std::string> seeds;
    for (const auto& f : files) seeds.push_back(read_all(f));
    if (seeds.empty()) seeds.emplace_back("{}");
    for (const auto& s : seeds) run(s);
    Rng rng{seed};
    for (long n = 0; n < mutations; ++n) {
        const std::string input = mutate(seeds[rng.below(seeds.size())], seeds, rng);
        run(input);
    }
    std::printf("%zu seeds and %ld mutations: no crash\n", seeds.size(), mutations);
    return 0;
}
