#include <unistd.h>

#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include <cstdlib>
#include <string>

#include "ocirt/runtime/state_dir.hpp"
#include "ocirt/runtime/state_record.hpp"
#include "ocirt/sys/files.hpp"
#include "ocirt/sys/process.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::runtime;

namespace {
struct TempRoot {
    std::string path;
    TempRoot() {
        char tmpl[] = "/tmp/ocirt-unit-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempRoot() { sys::remove_tree(path); }
};

}  // namespace

TEST_CASE("container IDs follow runc's rules") {
    CHECK_NOTHROW(validate_id("abc-123_x.y+z"));
    CHECK_NOTHROW(validate_id(std::string(255, 'a')));
    CHECK(error_of([] { validate_id(""); }) == "invalid container ID: it is empty");
    CHECK(error_of([] { validate_id(std::string(256, 'a')); }).find("longer than 255") != std::string::npos);
    for (const char* bad : {"..", ".", "../x", "a/b", "a b", "x\n", "é"})
        CHECK(error_of([bad] { validate_id(bad); }).find("invalid container ID") != std::string::npos);
}

TEST_CASE("a container dir is created once, saved and loaded") {
    TempRoot root;
    {
        ContainerDir d = ContainerDir::create(root.path + "/state", "c1");
        CHECK(d.path() == root.path + "/state/c1");
        CHECK_FALSE(d.load().has_value());  // still being created
        ContainerRecord r;
        r.id = "c1";
        r.bundle = "/b";
        r.rootfs = "/b/rootfs";
        r.created = "2026-01-01T00:00:00Z";
        r.owner = "root";
        r.annotations = {{"k", "v"}};
        r.pid = 42;
        r.start_time = 7;
        d.save(r);
        const auto back = d.load();
        REQUIRE(back);
        CHECK(back->pid == 42);
        CHECK(back->start_time == 7);
        CHECK(back->annotations.at("k") == "v");
        CHECK(back->rootfs == "/b/rootfs");
    }
    CHECK(error_of([&] { ContainerDir::create(root.path + "/state", "c1"); }) == "container already exists");
    CHECK(list_ids(root.path + "/state") == std::vector<std::string>{"c1"});
    ContainerDir d = ContainerDir::open(root.path + "/state", "c1");
    d.destroy();
    CHECK(list_ids(root.path + "/state").empty());
    CHECK(error_of([&] { ContainerDir::open(root.path + "/state", "c1"); }) == "container does not exist");
    CHECK(list_ids(root.path + "/nowhere").empty());
}

TEST_CASE("a corrupt state file is an error naming the file") {
    TempRoot root;
    ContainerDir d = ContainerDir::create(root.path, "c2");
    sys::write_file(d.path() + "/state.json", "{not json", 0600);
    CHECK(error_of([&] { d.load(); }).find("corrupt state file") != std::string::npos);
    CHECK(error_of([&] { d.load(); }).find(d.path() + "/state.json") != std::string::npos);
}

TEST_CASE("a state file a crash left empty, cut short or missing is an error naming it") {
    TempRoot root;
    const std::string file = root.path + "/c3/state.json";
    {
        ContainerDir d = ContainerDir::create(root.path, "c3");
        sys::write_file(d.path() + "/config.json", "{}", 0600);
        ContainerRecord r;
        r.id = "c3";
        r.pid = 42;
        d.save(r);
    }
    const std::string whole = sys::read_file(file);
    const auto load_error = [&] { return error_of([&] { ContainerDir::open_for_reading(root.path, "c3").load(); }); };
    sys::write_file(file, "", 0600);
    CHECK(load_error() == file + ": empty (lost in a crash before it reached the disk); delete --force removes the container");
    sys::write_file(file, whole.substr(0, whole.size() / 2), 0600);
    CHECK(load_error().rfind(file + ": corrupt state file: ", 0) == 0);
    sys::remove_file(file);
    // Missing while no create holds the lock: the create was interrupted (a reader, or a holder
    // of the lock other than the create, says so).
    CHECK(load_error().rfind(file + ": missing", 0) == 0);
    CHECK(error_of([&] { ContainerDir::open(root.path, "c3").load(); }).rfind(file + ": missing", 0) == 0);
}

TEST_CASE("a reader finds no record while a create holds the lock before its first save") {
    TempRoot root;
    ContainerDir d = ContainerDir::create(root.path, "c4");
    sys::write_file(d.path() + "/config.json", "{}", 0600);
    CHECK_FALSE(ContainerDir::open_for_reading(root.path, "c4").load().has_value());
    CHECK_FALSE(d.load().has_value());
}

TEST_CASE("the state file reader is strict and round-trips a record") {
    ContainerRecord r;
    r.id = "c1";
    r.bundle = "/b";
    r.rootfs = "/b/rootfs";
    r.created = "2026-01-01T00:00:00Z";
    r.pid = 42;
    r.start_time = 7;
    r.annotations = {{"big", std::string(1u << 16, 'x')}};
    r.cgroup_created = {"/ocirt", "/ocirt/c1"};
    const ContainerRecord back = record_from_json(record_to_json(r));
    CHECK(back.id == r.id);
    CHECK(back.annotations == r.annotations);
    CHECK(back.cgroup_created == r.cgroup_created);
    CHECK(back.start_time == 7);
    CHECK(error_of([] { record_from_json(R"({"id": "a", "id": "b"})"); }) == "corrupt state file: duplicate key \"id\"");
    CHECK(error_of([] { record_from_json("[]"); }) == "corrupt state file: not a JSON object");
    CHECK(error_of([] { record_from_json(std::string(1000, '[')); }) == "corrupt state file: nesting deeper than 128 levels");
    CHECK(error_of([] { record_from_json(R"({"id": 1})"); }).starts_with("corrupt state file: "));
}

TEST_CASE("status comes from the live process and survives PID reuse") {
    TempRoot root;
    ContainerDir d = ContainerDir::create(root.path, "c3");
    ContainerRecord r;
    r.id = "c3";
    CHECK(compute_status(d, std::nullopt) == spec::Status::creating);

    r.pid = sys::self_pid();
    r.start_time = *sys::process_start_time(r.pid);
    CHECK(compute_status(d, r) == spec::Status::running);
    sys::write_file(d.start_socket_path(), "", 0600);
    CHECK(compute_status(d, r) == spec::Status::created);

    r.start_time += 1;  // same PID, another process: it must read as stopped
    CHECK(compute_status(d, r) == spec::Status::stopped);
    const auto s = make_state(d, r);
    CHECK(s.status == spec::Status::stopped);
    CHECK(s.pid == 0);

    const pid_t child = sys::fork_process();
    if (child == 0) sys::exit_now(0);
    sys::wait_process(child);
    r.pid = child;  // gone
    CHECK(compute_status(d, r) == spec::Status::stopped);
}

TEST_CASE("an interrupted create is recorded as creating, with its live pid only") {
    TempRoot root;
    {
        ContainerDir d = ContainerDir::create(root.path, "c4");
        ContainerRecord r;
        r.id = "c4";
        r.creating = true;
        r.init_pid = sys::self_pid();
        r.init_start_time = *sys::process_start_time(r.init_pid);
        r.host_resources = true;
        d.save(r);
        const ContainerRecord back = record_from_json(record_to_json(r));
        CHECK(back.creating);
        CHECK(back.init_pid == r.init_pid);
        CHECK(back.init_start_time == r.init_start_time);
        CHECK(back.host_resources);
        CHECK_FALSE(back.hooks_started);
        CHECK(compute_status(d, r) == spec::Status::creating);
        CHECK(make_state(d, r).pid == r.init_pid);  // alive: shown
        r.init_start_time += 1;                     // another process under that PID: not shown
        CHECK(make_state(d, r).pid == 0);
    }
    // A second create of the ID says what to do.
    CHECK(error_of([&] { ContainerDir::create(root.path, "c4"); }) == "container exists in state creating; delete --force it");
    CHECK(error_of([] { record_from_json(R"({"id":"a","bundle":"","rootfs":"","created":"","pid":0,"start_time":0,"phase":"x"})"); }) ==
          "corrupt state file: phase \"x\"");
    // A record from before the phase existed is of a finished create.
    const ContainerRecord old = record_from_json(R"({"id":"a","bundle":"","rootfs":"","created":"","pid":0,"start_time":0})");
    CHECK_FALSE(old.creating);
    CHECK(old.hooks_started);
}

TEST_CASE("a dir a killed create left before its first record is taken over, or removed by delete") {
    TempRoot root;
    sys::make_dir(root.path + "/c5", 0711, false);
    sys::write_file(root.path + "/c5/state.json.tmp-0000abcd", "{", 0600);
    CHECK_FALSE(container_exists(root.path, "c5"));
    { ContainerDir d = ContainerDir::create(root.path, "c5"); }
    CHECK(sys::list_dir(root.path + "/c5").empty());
    CHECK(remove_abandoned(root.path, "c5"));
    CHECK_FALSE(sys::exists(root.path + "/c5"));
    // Another tool's directory is not a container's: left alone.
    sys::make_dir(root.path + "/c6", 0711, false);
    sys::write_file(root.path + "/c6/notes", "x", 0600);
    CHECK_FALSE(remove_abandoned(root.path, "c6"));
    CHECK(error_of([&] { ContainerDir::create(root.path, "c6"); }) == "container already exists");
}
