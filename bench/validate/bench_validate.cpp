// Times parse+validate (syntax, bundled schema, semantic checks) of one config.json.
// usage: bench_validate CONFIG.json [ITERATIONS]
// Prints the median, mean and best time per validation in microseconds.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "ocirt/spec/validate/embedded.hpp"
#include "ocirt/spec/validate/validate.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CONFIG.json [ITERATIONS]\n", argv[0]);
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "%s: cannot open\n", argv[1]);
        return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const int iterations = argc > 2 ? std::atoi(argv[2]) : 2000;

    namespace v = ocirt::spec::validate;
    using clock = std::chrono::steady_clock;

    // The one-time cost a process pays on its first validation: compiling the bundled schema.
    auto t0 = clock::now();
    v::BundledSchemas::get();
    double compile_us = std::chrono::duration<double, std::micro>(clock::now() - t0).count();

    auto report = v::validate_config_text(text, "config.json");
    std::vector<double> samples;
    samples.reserve(static_cast<std::size_t>(iterations));
    std::size_t sink = 0;
    for (int i = 0; i < iterations; ++i) {
        auto start = clock::now();
        auto r = v::validate_config_text(text, "config.json");
        samples.push_back(std::chrono::duration<double, std::micro>(clock::now() - start).count());
        sink += r.diagnostics.size();
    }
    std::sort(samples.begin(), samples.end());
    double mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
    std::printf("file: %s (%zu bytes), %s, %zu diagnostics\n", argv[1], text.size(), report.valid() ? "valid" : "invalid",
                report.diagnostics.size());
    std::printf("schema compile (once per process): %.1f us\n", compile_us);
    std::printf("parse+validate over %d runs: median %.1f us, mean %.1f us, best %.1f us, p99 %.1f us\n", iterations,
                samples[samples.size() / 2], mean, samples.front(), samples[samples.size() * 99 / 100]);
    return sink == static_cast<std::size_t>(-1) ? 1 : 0;
}
