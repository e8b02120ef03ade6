// systemd's notification protocol (sd_notify(3)) without libsystemd: each message ("READY=1",
// "WATCHDOG=1", "STOPPING=1") is one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET, a path
// or, starting with '@', an abstract name. Without the variable (not started by systemd with
// Type=notify) nothing is sent. The parsing is separate from the socket, so tests need neither.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace warroom::systemd {

struct unix_address {
    sockaddr_un addr{};
    socklen_t length = 0;  // an abstract name is exactly this long: no trailing NUL counts
};

// The address $NOTIFY_SOCKET names; nothing for an empty, relative or too long value (or a vsock
// address, which this daemon does not speak).
std::optional<unix_address> notify_address(std::string_view notify_socket);

// How often systemd wants WATCHDOG=1: $WATCHDOG_USEC, when $WATCHDOG_PID is unset or names this
// process (the variables may have been inherited from a parent). Nothing when the watchdog is off.
std::optional<std::chrono::microseconds> watchdog_interval(std::optional<std::string> const& usec,
                                                           std::optional<std::string> const& pid, pid_t self);

class notifier {
public:
    // Sends nothing when `to` is nothing.
    explicit notifier(std::optional<unix_address> to);
    ~notifier();
    notifier(notifier const&) = delete;
    notifier& operator=(notifier const&) = delete;

    bool enabled() const { return to_.has_value(); }
    // One message; the error of the send when it failed (systemd gone, socket full).
    std::error_code send(std::string_view state);

private:
    std::optional<unix_address> to_;
    int fd_ = -1;
};

}  // namespace warroom::systemd
