// Signatures as PagerDuty's "Verifying Signatures" describes them; the payload shape is the v3
// webhook's { "event": { event_type, agent, data } }.
#include "adapters/paging/pagerduty_webhook.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <climits>
#include <ostream>

#include <nlohmann/json.hpp>

#include "core/model.hpp"

namespace warroom::paging {

namespace {

using digest = std::array<unsigned char, 32>;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<digest> from_hex(std::string_view hex) {
    if (hex.size() != 2 * digest{}.size()) return std::nullopt;
    digest out{};
    for (std::size_t k = 0; k < out.size(); ++k) {
        int const hi = hex_value(hex[2 * k]);
        int const lo = hex_value(hex[2 * k + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[k] = static_cast<unsigned char>(hi << 4 | lo);
    }
    return out;
}

std::string string_at(nlohmann::json const& j, char const* key) {
    if (!j.is_object()) return {};
    auto const it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

bool verify_signature(std::string_view body, std::string_view header, std::string_view secret) {
    if (secret.empty() || secret.size() > INT_MAX) return false;
    digest expected{};
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<unsigned char const*>(body.data()), body.size(), expected.data(), &length) ||
        length != expected.size()) {
        return false;
    }
    bool matched = false;
    while (!header.empty()) {
        auto const comma = header.find(',');
        auto const item = core::trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        // Other versions may appear some day: they are skipped, as PagerDuty asks.
        if (!item.starts_with("v1=")) continue;
        auto const given = from_hex(item.substr(3));
        if (given && CRYPTO_memcmp(given->data(), expected.data(), expected.size()) == 0) matched = true;
    }
    return matched;
}

namespace {

// "2020-10-02T18:45:22.169Z": ISO 8601 in UTC, with or without a fraction of a second.
std::optional<core::timestamp> iso_time(std::string_view s) {
    auto const dot = s.find('.');
    if (dot == std::string_view::npos) return core::parse_time(s);
    auto const end = s.find_first_not_of("0123456789", dot + 1);
    if (end == std::string_view::npos || end == dot + 1) return std::nullopt;
    auto const whole = core::parse_time(std::string(s.substr(0, dot)) + std::string(s.substr(end)));
    if (!whole) return std::nullopt;
    auto digits = std::string(s.substr(dot + 1, std::min<std::size_t>(end - dot - 1, 3)));
    digits.resize(3, '0');
    return *whole + core::milliseconds{std::stoi(digits)};
}

}  // namespace

std::optional<webhook_event> parse_webhook(std::string_view body) {
    auto const j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    auto const event = j.find("event");
    if (event == j.end() || !event->is_object()) return std::nullopt;
    auto const type = event->find("event_type");
    if (type == event->end() || !type->is_string()) return std::nullopt;
    webhook_event e;
    e.type = type->get<std::string>();
    if (auto const agent = event->find("agent"); agent != event->end()) e.agent = string_at(*agent, "summary");
    if (auto const when = string_at(*event, "occurred_at"); !when.empty()) e.occurred_at = iso_time(when);
    if (auto const data = event->find("data"); data != event->end() && data->is_object()) {
        e.incident_key = string_at(*data, "incident_key");
        if (auto const service = data->find("service"); service != data->end()) e.service_id = string_at(*service, "id");
        // Incident events carry the incident itself; notes, responders and status updates refer to it.
        if (string_at(*data, "type") == "incident") {
            e.pd_incident_id = string_at(*data, "id");
        } else if (auto const incident = data->find("incident"); incident != data->end()) {
            e.pd_incident_id = string_at(*incident, "id");
        }
    }
    return e;
}

std::ostream& operator<<(std::ostream& os, webhook_event const& e) {
    return os << "webhook_event{" << e.type << ", key " << e.incident_key << ", " << e.pd_incident_id << ", by "
              << e.agent << ", service " << e.service_id << ", at "
              << (e.occurred_at ? core::format_time(*e.occurred_at) : std::string("-")) << "}";
}

}  // namespace warroom::paging
