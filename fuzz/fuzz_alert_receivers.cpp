// Whatever reaches the alert receivers: parsing never throws or crashes, and whatever it reads is
// valid UTF-8 without control characters (it becomes Slack text and log fields); checking a
// signature never throws, and a delivery signed with the secret always verifies, among other
// entries too. The input is the body, and also "webhook-id \n webhook-signature \n body".
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/alerts/receivers.hpp"

namespace {

using namespace warroom;

constexpr std::string_view secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
core::timestamp const now{core::seconds{1'780'000'000}};

void check_text(std::string const& s) {
    if (!core::valid_utf8(s)) __builtin_trap();
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7F) __builtin_trap();
    }
}

void check(alerts::parsed const& p) {
    auto const* d = std::get_if<core::alert_delivery>(&p);
    if (!d) return;
    check_text(d->group_key);
    for (auto const& a : d->alerts) {
        check_text(a.fingerprint);
        check_text(a.url);
        for (auto const& [k, v] : a.labels) check_text(k), check_text(v);
        for (auto const& [k, v] : a.annotations) check_text(k), check_text(v);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    check(alerts::parse_alertmanager(input, "alertmanager"));
    check(alerts::parse_alertmanager(input, "grafana"));
    check(alerts::parse_generic(input, now));

    auto const first = input.find('\n');
    auto const id = input.substr(0, first);
    auto const rest = first == std::string_view::npos ? std::string_view{} : input.substr(first + 1);
    auto const second = rest.find('\n');
    auto const signature = rest.substr(0, second);
    auto const body = second == std::string_view::npos ? std::string_view{} : rest.substr(second + 1);
    auto const ts = std::to_string(std::chrono::floor<core::seconds>(now).time_since_epoch().count());
    std::vector<std::string> const secrets{std::string(secret)};
    (void)alerts::verify_standard_webhook(id, ts, signature, body, secrets, now);
    (void)alerts::verify_standard_webhook(id, signature, signature, body, secrets, now);
    if (!id.empty()) {
        auto const good = alerts::sign_standard_webhook(id, ts, body, secret);
        if (alerts::verify_standard_webhook(id, ts, std::string(signature) + " " + good, body, secrets, now))
            __builtin_trap();
    }
    return 0;
}
