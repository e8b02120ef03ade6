// The sd_notify datagram without libsystemd: which $NOTIFY_SOCKET values name an address (a path, an
// abstract '@' name; nothing else), when $WATCHDOG_USEC applies to this process, and a message sent
// to a real datagram socket bound at each kind of address arriving as it was written.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <string>

#include "adapters/systemd/notify.hpp"

using namespace std::chrono_literals;
using warroom::systemd::notifier;
using warroom::systemd::notify_address;
using warroom::systemd::unix_address;
using warroom::systemd::watchdog_interval;

namespace {

constexpr auto path_offset = offsetof(sockaddr_un, sun_path);

// A datagram socket bound at `a`, closed at the end of the test.
struct listener {
    explicit listener(unix_address const& a) : fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        REQUIRE(fd >= 0);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr const*>(&a.addr), a.length) == 0);
    }
    ~listener() { ::close(fd); }
    std::string receive() const {
        char buf[256];
        auto const n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        return n < 0 ? std::string("(nothing)") : std::string(buf, static_cast<std::size_t>(n));
    }
    int fd;
};

}  // namespace

TEST_CASE("NOTIFY_SOCKET names a path or an abstract socket, and nothing else") {
    auto const path = notify_address("/run/systemd/notify");
    REQUIRE(path);
    CHECK(path->addr.sun_family == AF_UNIX);
    CHECK(std::string(path->addr.sun_path) == "/run/systemd/notify");
    CHECK(path->length == path_offset + std::string("/run/systemd/notify").size() + 1);

    auto const abstract = notify_address("@warroom/notify");
    REQUIRE(abstract);
    CHECK(abstract->addr.sun_path[0] == '\0');
    CHECK(std::string(abstract->addr.sun_path + 1, 14) == "warroom/notify");
    CHECK(abstract->length == path_offset + 15);  // the NUL and the name, no terminator

    std::string const too_long = "/" + std::string(sizeof(sockaddr_un::sun_path), 'x');
    for (std::string const bad : {"", "@", "/", "relative/notify", "vsock:2:1234", too_long.c_str()}) {
        CAPTURE(bad);
        CHECK_FALSE(notify_address(bad));
    }
    // The longest path that fits with its NUL, and the longest abstract name (no NUL needed).
    CHECK(notify_address("/" + std::string(sizeof(sockaddr_un::sun_path) - 2, 'x')));
    CHECK(notify_address("@" + std::string(sizeof(sockaddr_un::sun_path) - 1, 'x')));
}

TEST_CASE("WATCHDOG_USEC applies when WATCHDOG_PID is unset or names this process") {
    struct row {
        char const* usec;  // nullptr: unset
        char const* pid;   // nullptr: unset
        std::optional<std::chrono::microseconds> expected;
    };
    row const rows[] = {
        {"400000", nullptr, 400ms},
        {"400000", "4242", 400ms},
        {"400000", "4243", std::nullopt},  // inherited from another process
        {"400000", "x", std::nullopt},
        {nullptr, "4242", std::nullopt},
        {"0", nullptr, std::nullopt},
        {"-5", nullptr, std::nullopt},
        {"30s", nullptr, std::nullopt},
        {"", nullptr, std::nullopt},
    };
    for (auto const& r : rows) {
        auto const text = [](char const* v) { return v ? std::optional<std::string>{v} : std::nullopt; };
        CAPTURE(r.usec ? r.usec : "(unset)");
        CAPTURE(r.pid ? r.pid : "(unset)");
        CHECK(watchdog_interval(text(r.usec), text(r.pid), 4242) == r.expected);
    }
}

TEST_CASE("each message is one datagram at the address, abstract or a path") {
    auto const abstract = notify_address("@warroom-notify-test-" + std::to_string(::getpid()));
    REQUIRE(abstract);
    auto const file = std::filesystem::temp_directory_path() / ("warroom-notify-" + std::to_string(::getpid()));
    std::filesystem::remove(file);
    auto const path = notify_address(file.string());
    REQUIRE(path);
    for (auto const* a : {&*abstract, &*path}) {
        listener l{*a};
        notifier n{*a};
        CHECK(n.enabled());
        CHECK_FALSE(n.send("READY=1"));
        CHECK_FALSE(n.send("WATCHDOG=1"));
        CHECK(l.receive() == "READY=1");
        CHECK(l.receive() == "WATCHDOG=1");
    }
    std::filesystem::remove(file);
}

TEST_CASE("without NOTIFY_SOCKET nothing is sent and nothing fails") {
    notifier n{std::nullopt};
    CHECK_FALSE(n.enabled());
    CHECK_FALSE(n.send("READY=1"));
}
