#include "ocirt/cgroup/systemd/bus.hpp"

#include <dlfcn.h>
#include <systemd/sd-bus.h>

#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::cgroup::systemd {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kPrivateSocket = "unix:path=/run/systemd/private";

/// The sd-bus functions ocirt calls, resolved from libsystemd.so.0 at first use.
struct Api {
    decltype(&sd_bus_open_system) open_system;
    decltype(&sd_bus_new) new_bus;
    decltype(&sd_bus_set_address) set_address;
    decltype(&sd_bus_start) start;
    decltype(&sd_bus_set_bus_client) set_bus_client;
    decltype(&sd_bus_get_property_string) get_property_string;
    decltype(&sd_bus_flush_close_unref) flush_close_unref;
    decltype(&sd_bus_slot_unref) slot_unref;
    decltype(&sd_bus_match_signal) match_signal;
    decltype(&sd_bus_process) process;
    decltype(&sd_bus_wait) wait;
    decltype(&sd_bus_call) call;
    decltype(&sd_bus_call_method) call_method;
    decltype(&sd_bus_message_new_method_call) new_method_call;
    decltype(&sd_bus_message_append) append;
    decltype(&sd_bus_message_append_array) append_array;
    decltype(&sd_bus_message_open_container) open_container;
    decltype(&sd_bus_message_close_container) close_container;
    decltype(&sd_bus_message_read) read;
    decltype(&sd_bus_message_unref) message_unref;
    decltype(&sd_bus_error_free) error_free;
};

template <typename Fn>
void resolve(void* lib, Fn& fn, const char* name) {
    void* sym = dlsym(lib, name);
    if (!sym) fail("libsystemd.so.0 has no {}", name);
    static_assert(sizeof(fn) == sizeof(sym));
    std::memcpy(&fn, &sym, sizeof(fn));
}

const Api& api() {
    static const Api a = [] {
        void* lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!lib) fail("the systemd cgroup driver needs libsystemd.so.0 (Debian: libsystemd0): {}", dlerror());
        Api r{};
        resolve(lib, r.open_system, "sd_bus_open_system");
        resolve(lib, r.new_bus, "sd_bus_new");
        resolve(lib, r.set_address, "sd_bus_set_address");
        resolve(lib, r.start, "sd_bus_start");
        resolve(lib, r.set_bus_client, "sd_bus_set_bus_client");
        resolve(lib, r.get_property_string, "sd_bus_get_property_string");
        resolve(lib, r.flush_close_unref, "sd_bus_flush_close_unref");
        resolve(lib, r.slot_unref, "sd_bus_slot_unref");
        resolve(lib, r.match_signal, "sd_bus_match_signal");
        resolve(lib, r.process, "sd_bus_process");
        resolve(lib, r.wait, "sd_bus_wait");
        resolve(lib, r.call, "sd_bus_call");
        resolve(lib, r.call_method, "sd_bus_call_method");
        resolve(lib, r.new_method_call, "sd_bus_message_new_method_call");
        resolve(lib, r.append, "sd_bus_message_append");
        resolve(lib, r.append_array, "sd_bus_message_append_array");
        resolve(lib, r.open_container, "sd_bus_message_open_container");
        resolve(lib, r.close_container, "sd_bus_message_close_container");
        resolve(lib, r.read, "sd_bus_message_read");
        resolve(lib, r.message_unref, "sd_bus_message_unref");
        resolve(lib, r.error_free, "sd_bus_error_free");
        return r;
    }();
    return a;
}

/// sd-bus returns -errno; a failed message build is a bug or memory exhaustion.
void check(int r, const char* what) {
    if (r < 0) throw_error_code(-r, "D-Bus: {}", what);
}

/// An sd_bus_error, freed on scope exit.
struct BusError {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    ~BusError() { api().error_free(&e); }
    bool is(const char* name) const { return e.name && std::strcmp(e.name, name) == 0; }
    /// "message (org.freedesktop.systemd1.UnitExists)", or strerror of `r` when systemd sent none.
    std::string text(int r) const {
        if (!e.name) return std::strerror(-r);
        return fmt::format("{} ({})", e.message ? e.message : "", e.name);
    }
};

/// An sd_bus_message, unreferenced on scope exit.
struct Message {
    sd_bus_message* m = nullptr;
    ~Message() {
        if (m) api().message_unref(m);
    }
};

void append_value(sd_bus_message* m, const PropertyValue& v) {
    const Api& a = api();
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bool>) {
                check(a.open_container(m, 'v', "b"), "variant");
                check(a.append(m, "b", static_cast<int>(x)), "append b");
            } else if constexpr (std::is_same_v<T, uint64_t>) {
                check(a.open_container(m, 'v', "t"), "variant");
                check(a.append(m, "t", x), "append t");
            } else if constexpr (std::is_same_v<T, std::string>) {
                check(a.open_container(m, 'v', "s"), "variant");
                check(a.append(m, "s", x.c_str()), "append s");
            } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                check(a.open_container(m, 'v', "as"), "variant");
                check(a.open_container(m, 'a', "s"), "array");
                for (const auto& s : x) check(a.append(m, "s", s.c_str()), "append s");
                check(a.close_container(m), "array");
            } else if constexpr (std::is_same_v<T, std::vector<uint32_t>>) {
                check(a.open_container(m, 'v', "au"), "variant");
                check(a.append_array(m, 'u', x.data(), x.size() * sizeof(uint32_t)), "append au");
            } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
                check(a.open_container(m, 'v', "ay"), "variant");
                check(a.append_array(m, 'y', x.data(), x.size()), "append ay");
            } else {
                check(a.open_container(m, 'v', "a(ss)"), "variant");
                check(a.open_container(m, 'a', "(ss)"), "array");
                for (const auto& [first, second] : x) check(a.append(m, "(ss)", first.c_str(), second.c_str()), "append (ss)");
                check(a.close_container(m), "array");
            }
        },
        v);
    check(a.close_container(m), "variant");
}

void append_properties(sd_bus_message* m, const std::vector<Property>& props) {
    const Api& a = api();
    check(a.open_container(m, 'a', "(sv)"), "properties");
    for (const auto& p : props) {
        check(a.open_container(m, 'r', "sv"), "property");
        check(a.append(m, "s", p.name.c_str()), "property name");
        append_value(m, p.value);
        check(a.close_container(m), "property");
    }
    check(a.close_container(m), "properties");
}

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
    uint32_t id = 0;
    const char* job = nullptr;
    const char* unit = nullptr;
    const char* result = nullptr;
    if (api().read(m, "uoss", &id, &job, &unit, &result) < 0) return 0;
    static_cast<std::map<std::string, std::string>*>(userdata)->insert_or_assign(job, result);
    return 0;
}

}  // namespace

Bus::Bus(sd_bus* bus, bool direct) : bus_(bus), direct_(direct) {
    const Api& a = api();
    // Match before any job starts: the signal may come before the method's reply is read.
    // A direct connection carries no sender names.
    int r = a.match_signal(bus_, &slot_, direct_ ? nullptr : kService, kPath, kManager, "JobRemoved", on_job_removed,
                           &removed_);
    if (r < 0) {
        a.flush_close_unref(bus_);
        throw_error_code(-r, "D-Bus: subscribe to systemd's JobRemoved");
    }
    BusError err;
    r = a.call_method(bus_, kService, kPath, kManager, "Subscribe", &err.e, nullptr, "");
    if (r < 0) {
        a.slot_unref(slot_);
        a.flush_close_unref(bus_);
        fail("D-Bus: systemd's Subscribe: {}", err.text(r));
    }
}

Bus::~Bus() {
    if (slot_) api().slot_unref(slot_);
    if (bus_) api().flush_close_unref(bus_);
}

Bus Bus::connect() {
    const Api& a = api();
    sd_bus* bus = nullptr;
    const int r = a.open_system(&bus);
    if (r >= 0) return Bus(bus, false);
    log::debug("systemd driver: the system bus: {}; trying {}", std::strerror(-r), kPrivateSocket);
    sd_bus* direct = nullptr;
    check(a.new_bus(&direct), "sd_bus_new");
    int s = a.set_address(direct, kPrivateSocket);
    if (s >= 0) s = a.start(direct);
    if (s < 0) {
        a.flush_close_unref(direct);
        fail("D-Bus: cannot reach systemd: the system bus: {}; {}: {}", std::strerror(-r), kPrivateSocket,
             std::strerror(-s));
    }
    return Bus(direct, true);
}

Bus Bus::connect_address(const std::string& address) {
    const Api& a = api();
    sd_bus* bus = nullptr;
    check(a.new_bus(&bus), "sd_bus_new");
    // A bus client (Hello sent, the systemd1 name resolved by the bus daemon), as sd_bus_open_user.
    int r = a.set_address(bus, address.c_str());
    if (r >= 0) r = a.set_bus_client(bus, 1);
    if (r >= 0) r = a.start(bus);
    if (r < 0) {
        a.flush_close_unref(bus);
        throw_error_code(-r, "{}", address);
    }
    return Bus(bus, false);
}

std::string Bus::control_group() {
    BusError err;
    char* value = nullptr;
    const int r = api().get_property_string(bus_, kService, kPath, kManager, "ControlGroup", &err.e, &value);
    if (r < 0) throw_error_code(-r, "systemd's ControlGroup property: {}", err.text(r));
    std::string out = value ? value : "";
    std::free(value);
    return out;
}

void Bus::attach_processes(const std::string& unit, const std::string& subcgroup, const std::vector<uint32_t>& pids) {
    const Api& a = api();
    Message m;
    check(a.new_method_call(bus_, &m.m, kService, kPath, kManager, "AttachProcessesToUnit"), "AttachProcessesToUnit");
    check(a.append(m.m, "ss", unit.c_str(), subcgroup.c_str()), "AttachProcessesToUnit");
    check(a.append_array(m.m, 'u', pids.data(), pids.size() * sizeof(uint32_t)), "AttachProcessesToUnit");
    BusError err;
    const int r = a.call(bus_, m.m, 0, &err.e, nullptr);
    if (r < 0) throw_error_code(-r, "AttachProcessesToUnit {}: {}", unit, err.text(r));
}

std::string Bus::wait_job(const std::string& job, const std::string& what) {
    const Api& a = api();
    const auto deadline = std::chrono::steady_clock::now() + kJobTimeout;
    while (true) {
        if (const auto it = removed_.find(job); it != removed_.end()) return it->second;
        const int r = a.process(bus_, nullptr);
        if (r < 0) throw_error_code(-r, "{}: D-Bus: waiting for job {}", what, job);
        if (r > 0) continue;
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero())
            fail("{}: systemd's job {} did not finish in {} s", what, job, kJobTimeout.count());
        const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(left).count();
        const int w = a.wait(bus_, static_cast<uint64_t>(usec));
        if (w < 0) throw_error_code(-w, "{}: D-Bus: waiting for job {}", what, job);
    }
}

void Bus::start_transient_unit(const std::string& unit, const std::string& label, const std::vector<Property>& props) {
    const Api& a = api();
    const std::string what = "StartTransientUnit " + label;
    std::string job;
    for (int attempt = 0;; ++attempt) {
        Message m;
        check(a.new_method_call(bus_, &m.m, kService, kPath, kManager, "StartTransientUnit"), "StartTransientUnit");
        check(a.append(m.m, "ss", unit.c_str(), "fail"), "StartTransientUnit");
        append_properties(m.m, props);
        check(a.append(m.m, "a(sa(sv))", 0), "StartTransientUnit");
        BusError err;
        Message reply;
        const int r = a.call(bus_, m.m, 0, &err.e, &reply.m);
        if (r >= 0) {
            const char* path = nullptr;
            check(a.read(reply.m, "o", &path), "StartTransientUnit's reply");
            job = path;
            break;
        }
        // A unit of that name that failed earlier (an OOM-killed container nobody deleted)
        // stays loaded until reset; as runc, reset it and try once more. A live one stays.
        if (attempt == 0 && err.is("org.freedesktop.systemd1.UnitExists")) {
            reset_failed_unit(unit);
            continue;
        }
        throw_error_code(-r, "{}: {}", what, err.text(r));
    }
    // From here the unit is ours: a start that does not finish leaves none behind.
    try {
        const std::string result = wait_job(job, what);
        if (result != "done") fail("{}: systemd's start job ended \"{}\" (see `journalctl -u {}`)", what, result, unit);
    } catch (const Error&) {
        try {
            stop_unit(unit);
        } catch (const Error& e) {
            log::warn("StopUnit {} after its failed start: {}", unit, e.what());
        }
        reset_failed_unit(unit);
        throw;
    }
}

void Bus::set_unit_properties(const std::string& unit, const std::vector<Property>& props) {
    const Api& a = api();
    Message m;
    check(a.new_method_call(bus_, &m.m, kService, kPath, kManager, "SetUnitProperties"), "SetUnitProperties");
    check(a.append(m.m, "sb", unit.c_str(), 1), "SetUnitProperties");
    append_properties(m.m, props);
    BusError err;
    const int r = a.call(bus_, m.m, 0, &err.e, nullptr);
    if (r < 0) throw_error_code(-r, "SetUnitProperties {}: {}", unit, err.text(r));
}

bool Bus::stop_unit(const std::string& unit) {
    const Api& a = api();
    BusError err;
    Message reply;
    const int r = a.call_method(bus_, kService, kPath, kManager, "StopUnit", &err.e, &reply.m, "ss", unit.c_str(),
                                "replace");
    if (r < 0) {
        if (err.is("org.freedesktop.systemd1.NoSuchUnit")) return false;
        throw_error_code(-r, "StopUnit {}: {}", unit, err.text(r));
    }
    const char* job = nullptr;
    check(a.read(reply.m, "o", &job), "StopUnit's reply");
    const std::string result = wait_job(job, "StopUnit " + unit);
    if (result != "done") log::debug("StopUnit {}: systemd's stop job ended \"{}\"", unit, result);
    return true;
}

void Bus::reset_failed_unit(const std::string& unit) noexcept {
    BusError err;
    const int r = api().call_method(bus_, kService, kPath, kManager, "ResetFailedUnit", &err.e, nullptr, "s", unit.c_str());
    if (r < 0 && !err.is("org.freedesktop.systemd1.NoSuchUnit"))
        log::debug("ResetFailedUnit {}: {}", unit, err.text(r));
}

}  // namespace ocirt::cgroup::systemd
