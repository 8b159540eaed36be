// Times parse+validate (syntax, bundled schema, semantic checks) of one config.json.
//
// usage: bench_validate CONFIG.json [ITERATIONS]
//
// Prints two figures, each as wall-clock and thread CPU time (CPU time is what the work costs;
// wall time also counts being preempted on a loaded machine):
//   first  the first validation in the process, which also compiles the bundled schema; this is
//          what `ocirt create` pays, as it validates once per process
//   warm   each later validation (median and best of ITERATIONS)

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ocirt/spec/validate/validate.hpp"

namespace {

double thread_cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double wall_us() {
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

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
    const int iterations = std::max(1, argc > 2 ? std::atoi(argv[2]) : 2000);

    namespace v = ocirt::spec::validate;

    double w0 = wall_us(), c0 = thread_cpu_us();
    auto report = v::validate_config_text(text, "config.json");
    double first_wall = wall_us() - w0, first_cpu = thread_cpu_us() - c0;

    std::vector<double> wall, cpu;
    std::size_t sink = 0;
    for (int i = 0; i < iterations; ++i) {
        double w = wall_us(), c = thread_cpu_us();
        auto r = v::validate_config_text(text, "config.json");
        cpu.push_back(thread_cpu_us() - c);
        wall.push_back(wall_us() - w);
        sink += r.diagnostics.size();
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf("file: %s (%zu bytes): %s, %zu diagnostics\n", argv[1], text.size(), report.valid() ? "valid" : "invalid",
                report.diagnostics.size());
    std::printf("first (compiles the schema): wall %.0f us, cpu %.0f us\n", first_wall, first_cpu);
    std::printf("warm, %d runs: wall median %.0f us best %.0f us; cpu median %.0f us best %.0f us\n", iterations,
                wall[wall.size() / 2], wall.front(), cpu[cpu.size() / 2], cpu.front());
    return sink == static_cast<std::size_t>(-1) ? 1 : 0;
}
