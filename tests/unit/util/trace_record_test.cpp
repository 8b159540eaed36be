#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ocirt/runtime/bootstrap.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/trace.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/strings.hpp"
#include "ocirt/util/trace_record.hpp"

using namespace ocirt;

namespace {

std::string format(const util::TraceRecord& r) {
    char buf[util::kTraceRecordMax];
    const std::size_t n = util::format_trace_record(r, buf);
    REQUIRE(n <= util::kTraceRecordMax);
    return std::string(buf, n);
}

/// A temporary file for one test, removed at the end.
struct TempFile {
    std::string path;
    TempFile() {
        char tmpl[] = "/tmp/ocirt-trace-test.XXXXXX";
        const int fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = tmpl;
    }
    ~TempFile() { ::unlink(path.c_str()); }
    std::vector<nlohmann::json> records() const {
        std::vector<nlohmann::json> out;
        for (const auto& line : util::split(sys::read_file(path, 1 << 20), '\n'))
            if (!line.empty()) out.push_back(nlohmann::json::parse(line));
        return out;
    }
};

/// Turns tracing off again (and closes the test's fd): the trace state is process-wide.
void trace_off() {
    const int fd = sys::trace::fd();
    sys::trace::stop();
    if (fd >= 0) ::close(fd);
}

}  // namespace

TEST_CASE("a trace record is one JSON line with every field") {
    util::TraceRecord r;
    r.stage = "init";
    r.phase = "masked_paths";
    r.pid = 4242;
    r.start_us = 9007199254740993;  // above 2^53: written as an integer, not a double
    r.end_us = 9007199254741000;
    const std::string line = format(r);
    CHECK(line == R"({"stage":"init","phase":"masked_paths","pid":4242,"start_us":9007199254740993,"end_us":9007199254741000})"
                  "\n");
    const auto j = nlohmann::json::parse(line);
    CHECK(j.at("start_us").get<int64_t>() == 9007199254740993);
    CHECK(!j.contains("failed"));
    r.failed = true;
    CHECK(nlohmann::json::parse(format(r)).at("failed") == true);
}

TEST_CASE("trace record names stay plain JSON strings and bounded") {
    util::TraceRecord r;
    r.phase = "a\"b\\c\nd e";
    const auto j = nlohmann::json::parse(format(r));
    CHECK(j.at("phase") == "a_b_c_d_e");
    const std::string longest(500, 'x');
    r.stage = longest.c_str();
    r.phase = longest.c_str();
    r.pid = -2147483647;
    r.start_us = INT64_MIN;
    r.end_us = INT64_MAX;
    r.failed = true;
    const std::string line = format(r);
    CHECK(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    const auto k = nlohmann::json::parse(line);
    CHECK(k.at("phase").get<std::string>() == std::string(64, 'x'));
    CHECK(k.at("end_us").get<int64_t>() == INT64_MAX);
    r.phase = nullptr;
    CHECK(nlohmann::json::parse(format(r)).at("phase") == "");
}

TEST_CASE("spans write nothing while tracing is off") {
    REQUIRE(!sys::trace::enabled());
    sys::trace::Span s("off");
    s.end();
    CHECK(sys::trace::fd() == -1);
}

TEST_CASE("spans append one record each, in the order they end, failed ones marked") {
    TempFile file;
    sys::trace::open_file(file.path);
    REQUIRE(sys::trace::enabled());
    {
        sys::trace::Span outer("outer");
        { sys::trace::Span inner("inner"); }
        sys::trace::Span ended("ended");
        ended.end();
        ended.end();  // once only
        try {
            sys::trace::Span failing("failing");
            throw std::runtime_error("x");
        } catch (const std::runtime_error&) {
        }
    }
    sys::trace::stop();
    { sys::trace::Span after("after_stop"); }
    const auto recs = file.records();
    trace_off();
    REQUIRE(recs.size() == 4);
    CHECK(recs[0].at("phase") == "inner");
    CHECK(recs[1].at("phase") == "ended");
    CHECK(recs[2].at("phase") == "failing");
    CHECK(recs[2].at("failed") == true);
    CHECK(recs[3].at("phase") == "outer");
    CHECK(!recs[3].contains("failed"));
    for (const auto& r : recs) {
        CHECK(r.at("stage") == "runtime");
        CHECK(r.at("pid") == ::getpid());
        CHECK(r.at("start_us").get<int64_t>() <= r.at("end_us").get<int64_t>());
    }
    // Nesting: the inner span lies within the outer one.
    CHECK(recs[3].at("start_us").get<int64_t>() <= recs[0].at("start_us").get<int64_t>());
    CHECK(recs[0].at("end_us").get<int64_t>() <= recs[3].at("end_us").get<int64_t>());
}

TEST_CASE("the trace file is appended to, and a clock offset is taken back out") {
    TempFile file;
    sys::write_file(file.path, "earlier line\n");
    sys::trace::open_file(file.path);
    const int64_t before = sys::trace::now_us();
    sys::trace::set_clock_offset_us(1000000000);
    const int64_t shifted = sys::trace::now_us();
    sys::trace::set_clock_offset_us(0);
    CHECK(shifted < before - 999000000);
    sys::trace::write_record("point", 1, 2, false);
    trace_off();
    const std::string text = sys::read_file(file.path, 1 << 20);
    CHECK(util::starts_with(text, "earlier line\n{"));
}

TEST_CASE("an unwritable trace path throws with the path") {
    try {
        sys::trace::open_file("/nonexistent-dir/trace.jsonl");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ENOENT);
        CHECK(std::string(e.what()).find("/nonexistent-dir/trace.jsonl") != std::string::npos);
    }
    CHECK(!sys::trace::enabled());
}

TEST_CASE("the bootstrap carries the trace fd last and the init stage takes it as stage init") {
    TempFile file;
    runtime::InitBootstrap b;
    std::vector<int> fds{0};
    runtime::pass_trace(b, fds);
    CHECK(!b.trace);
    CHECK(fds.size() == 1);

    sys::trace::open_file(file.path);
    runtime::pass_trace(b, fds);
    REQUIRE(fds.size() == 2);
    CHECK(fds.back() == sys::trace::fd());
    const auto parsed = runtime::bootstrap_from_json(runtime::bootstrap_to_json(b));
    CHECK(parsed.trace);
    sys::Fd copy(::fcntl(fds.back(), F_DUPFD_CLOEXEC, 3));
    trace_off();

    std::vector<sys::Fd> received;
    received.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    received.push_back(std::move(copy));
    runtime::take_trace(parsed, received);
    CHECK(received.size() == 1);
    REQUIRE(sys::trace::enabled());
    sys::trace::write_record("cgroup_join", 5, 6, false);
    trace_off();
    const auto recs = file.records();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].at("stage") == "init");

    std::vector<sys::Fd> only_doc;
    only_doc.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    CHECK_THROWS_AS(runtime::take_trace(parsed, only_doc), Error);
}
