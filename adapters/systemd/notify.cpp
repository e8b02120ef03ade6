#include "adapters/systemd/notify.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <utility>

namespace warroom::systemd {
namespace {

template <class Int>
std::optional<Int> number(std::string_view text) {
    Int value{};
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::optional<unix_address> notify_address(std::string_view notify_socket) {
    bool const abstract = notify_socket.starts_with('@');
    if (notify_socket.size() < 2 || (!abstract && !notify_socket.starts_with('/'))) return std::nullopt;
    unix_address out;
    out.addr.sun_family = AF_UNIX;
    // A path needs room for its NUL; an abstract name's '@' becomes the leading NUL.
    if (notify_socket.size() + (abstract ? 0 : 1) > sizeof out.addr.sun_path) return std::nullopt;
    std::memcpy(out.addr.sun_path, notify_socket.data(), notify_socket.size());
    if (abstract) out.addr.sun_path[0] = '\0';
    out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + notify_socket.size() + (abstract ? 0 : 1));
    return out;
}

std::optional<std::chrono::microseconds> watchdog_interval(std::optional<std::string> const& usec,
                                                           std::optional<std::string> const& pid, pid_t self) {
    if (!usec) return std::nullopt;
    if (pid) {
        auto const owner = number<long long>(*pid);
        if (!owner || *owner != self) return std::nullopt;
    }
    auto const us = number<long long>(*usec);
    if (!us || *us <= 0) return std::nullopt;
    return std::chrono::microseconds{*us};
}

notifier::notifier(std::optional<unix_address> to) : to_(std::move(to)) {
    if (to_) fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

notifier::~notifier() {
    if (fd_ >= 0) ::close(fd_);
}

std::error_code notifier::send(std::string_view state) {
    if (!to_) return {};
    if (fd_ < 0) return {EBADF, std::generic_category()};
    auto const* to = reinterpret_cast<sockaddr const*>(&to_->addr);
    if (::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL, to, to_->length) < 0) {
        return {errno, std::generic_category()};
    }
    return {};
}

}  // namespace warroom::systemd
