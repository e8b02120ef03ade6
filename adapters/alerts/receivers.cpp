// Payload shapes as Alertmanager (webhook_config, version 4), Grafana (webhook contact point) and the
// Standard Webhooks specification describe them.
#include "adapters/alerts/receivers.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <climits>

#include <nlohmann/json.hpp>

namespace warroom::alerts {
namespace {

using nlohmann::json;
using digest = std::array<unsigned char, 32>;

// Labels and annotations become Slack text and log fields: no control characters.
std::string printable(std::string text) {
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    }
    return text;
}

std::string text_at(json const& obj, char const* key) {
    auto const it = obj.find(key);
    return it != obj.end() && it->is_string() ? printable(it->get<std::string>()) : std::string{};
}

// String values only: a label or annotation of another type is no label.
std::map<std::string, std::string> strings_at(json const& obj, char const* key) {
    std::map<std::string, std::string> out;
    auto const it = obj.find(key);
    if (it == obj.end() || !it->is_object()) return out;
    for (auto const& [k, v] : it->items()) {
        if (v.is_string()) out.emplace(printable(k), printable(v.get<std::string>()));
    }
    return out;
}

int digits(std::string_view s, std::size_t at, std::size_t n) {
    if (at + n > s.size()) return -1;
    int v = 0;
    for (std::size_t k = at; k < at + n; ++k) {
        if (s[k] < '0' || s[k] > '9') return -1;
        v = v * 10 + (s[k] - '0');
    }
    return v;
}

// RFC 3339, as Go writes it: "2026-01-05T09:00:00.123456789Z" or with an offset "+02:00".
std::optional<core::timestamp> parse_rfc3339(std::string_view s) {
    int const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
    int const h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':' || h > 23 || mi > 59 ||
        sec > 60) {
        return std::nullopt;
    }
    auto const day = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(mo)} /
                     std::chrono::day{static_cast<unsigned>(d)};
    if (!day.ok()) return std::nullopt;
    std::size_t at = 19;
    core::milliseconds fraction{0};
    if (at < s.size() && s[at] == '.') {
        ++at;
        int scale = 100;
        std::size_t const first = at;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
            fraction += core::milliseconds{(s[at] - '0') * scale};
            scale /= 10;
            ++at;
        }
        if (at == first) return std::nullopt;
    }
    std::chrono::minutes offset{0};
    if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
        ++at;
    } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
        int const oh = digits(s, at + 1, 2), om = digits(s, at + 4, 2);
        if (oh < 0 || om < 0 || s[at + 3] != ':' || oh > 23 || om > 59) return std::nullopt;
        offset = std::chrono::hours{oh} + std::chrono::minutes{om};
        if (s[at] == '-') offset = -offset;
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != s.size()) return std::nullopt;
    return std::chrono::sys_days{day} + std::chrono::hours{h} + std::chrono::minutes{mi} + core::seconds{sec} +
           fraction - offset;
}

// Go's zero time ("0001-01-01T00:00:00Z") is Alertmanager's "not ended".
bool is_zero_time(core::timestamp t) { return t < std::chrono::sys_days{std::chrono::year{1970} / 1 / 2}; }

std::string fingerprint_of(std::map<std::string, std::string> const& labels) {
    std::string out;
    for (auto const& [k, v] : labels) out += k + "=" + v + ",";
    return out;
}

std::optional<digest> hmac_sha256(std::string_view key, std::string_view message) {
    digest out{};
    unsigned int length = 0;
    if (key.size() > INT_MAX ||
        !HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<unsigned char const*>(message.data()), message.size(), out.data(), &length) ||
        length != out.size()) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0 || text.size() > INT_MAX) return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    int const n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<unsigned char const*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    auto size = static_cast<std::size_t>(n);
    for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) --size;
    out.resize(size);
    return out;
}

std::string base64_encode(digest const& d) {
    std::string out(4 * ((d.size() + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), d.data(), static_cast<int>(d.size()));
    return out;
}

// A Standard Webhooks secret's key: the base64 after "whsec_".
std::optional<std::string> key_of(std::string_view secret) {
    if (secret.starts_with("whsec_")) secret.remove_prefix(6);
    return base64_decode(secret);
}

json parse_object(std::string_view body, std::string& problem) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) {
        problem = "the body is not JSON";
    } else if (!j.is_object()) {
        problem = "the body is not a JSON object";
    }
    return j;
}

}  // namespace

parsed parse_alertmanager(std::string_view body, std::string const& source) {
    std::string problem;
    auto const j = parse_object(body, problem);
    if (!problem.empty()) return bad_delivery{problem};
    if (source == "alertmanager") {
        auto const v = j.find("version");
        if (v != j.end() && (!v->is_string() || v->get<std::string>() != "4"))
            return bad_delivery{"version " + printable(v->dump()) +
                                " is not supported (Alertmanager's webhook version 4)"};
    }
    auto const list = j.find("alerts");
    if (list == j.end() || !list->is_array()) return bad_delivery{"\"alerts\" is missing or not a list"};
    core::alert_delivery out{source, text_at(j, "groupKey"), {}};
    for (std::size_t k = 0; k < list->size(); ++k) {
        auto const& a = (*list)[k];
        auto const where = "alerts[" + std::to_string(k) + "]";
        if (!a.is_object()) return bad_delivery{where + " is not an object"};
        core::alert alert;
        auto const status = text_at(a, "status");
        if (status == "firing") {
            alert.status = core::alert_status::firing;
        } else if (status == "resolved") {
            alert.status = core::alert_status::resolved;
        } else {
            return bad_delivery{where + ".status must be \"firing\" or \"resolved\""};
        }
        alert.labels = strings_at(a, "labels");
        alert.annotations = strings_at(a, "annotations");
        auto const starts = parse_rfc3339(text_at(a, "startsAt"));
        if (!starts) return bad_delivery{where + ".startsAt is missing or not an RFC 3339 time"};
        alert.starts_at = *starts;
        if (auto const ends = parse_rfc3339(text_at(a, "endsAt")); ends && !is_zero_time(*ends)) alert.ends_at = ends;
        alert.url = text_at(a, "generatorURL");
        alert.fingerprint = text_at(a, "fingerprint");
        if (alert.fingerprint.empty()) alert.fingerprint = fingerprint_of(alert.labels);
        out.alerts.push_back(std::move(alert));
    }
    return out;
}

parsed parse_generic(std::string_view body, core::timestamp now) {
    std::string problem;
    auto const j = parse_object(body, problem);
    if (!problem.empty()) return bad_delivery{problem};
    core::alert alert;
    auto const title = std::string(core::trim(text_at(j, "title")));
    if (title.empty()) return bad_delivery{"\"title\" is missing or empty"};
    alert.fingerprint = text_at(j, "dedup_key");
    if (alert.fingerprint.empty()) return bad_delivery{"\"dedup_key\" is missing or empty"};
    auto const status = j.contains("status") ? text_at(j, "status") : std::string("firing");
    if (status == "firing") {
        alert.status = core::alert_status::firing;
    } else if (status == "resolved") {
        alert.status = core::alert_status::resolved;
        alert.ends_at = now;
    } else {
        return bad_delivery{"\"status\" must be \"firing\" or \"resolved\""};
    }
    alert.labels = strings_at(j, "labels");
    alert.labels.insert_or_assign("alertname", title);
    if (auto const severity = text_at(j, "severity"); !severity.empty())
        alert.labels.insert_or_assign("severity", severity);
    if (auto const source = text_at(j, "source"); !source.empty()) alert.labels.insert_or_assign("source", source);
    alert.annotations.emplace("summary", title);
    if (auto const description = text_at(j, "description"); !description.empty())
        alert.annotations.emplace("description", description);
    alert.url = text_at(j, "url");
    alert.starts_at = now;
    return core::alert_delivery{"generic", alert.fingerprint, {std::move(alert)}};
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
    constexpr std::string_view scheme = "Bearer ";
    if (token.empty() || authorization.size() < scheme.size()) return false;
    for (std::size_t k = 0; k < scheme.size(); ++k) {
        if (std::tolower(static_cast<unsigned char>(authorization[k])) !=
            std::tolower(static_cast<unsigned char>(scheme[k])))
            return false;
    }
    authorization.remove_prefix(scheme.size());
    // Digests of equal length compared in constant time: neither the token nor its length leaks.
    auto const given = hmac_sha256("bearer", authorization);
    auto const wanted = hmac_sha256("bearer", token);
    return given && wanted && CRYPTO_memcmp(given->data(), wanted->data(), given->size()) == 0;
}

std::optional<std::string> verify_standard_webhook(std::string_view id, std::string_view timestamp,
                                                   std::string_view signature, std::string_view body,
                                                   std::vector<std::string> const& secrets, core::timestamp now) {
    if (id.empty() || timestamp.empty() || signature.empty())
        return "webhook-id, webhook-timestamp and webhook-signature are required";
    long long seconds = 0;
    auto const [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
    if (ec != std::errc{} || end != timestamp.data() + timestamp.size())
        return "webhook-timestamp is not a Unix time in seconds";
    auto const now_s = std::chrono::floor<core::seconds>(now).time_since_epoch().count();
    if (seconds < now_s - signature_tolerance.count() || seconds > now_s + signature_tolerance.count())
        return "webhook-timestamp is more than 5 minutes from now";
    auto const signed_content = std::string(id) + "." + std::string(timestamp) + "." + std::string(body);
    std::vector<digest> expected;
    for (auto const& secret : secrets) {
        auto const key = key_of(secret);
        if (!key) continue;
        if (auto const mac = hmac_sha256(*key, signed_content)) expected.push_back(*mac);
    }
    while (!signature.empty()) {
        auto const space = signature.find(' ');
        auto const entry = signature.substr(0, space);
        signature = space == std::string_view::npos ? std::string_view{} : signature.substr(space + 1);
        if (!entry.starts_with("v1,")) continue;
        auto const given = base64_decode(entry.substr(3));
        if (!given || given->size() != digest{}.size()) continue;
        for (auto const& mac : expected) {
            if (CRYPTO_memcmp(given->data(), mac.data(), mac.size()) == 0) return std::nullopt;
        }
    }
    return "no webhook-signature matches";
}

std::string sign_standard_webhook(std::string_view id, std::string_view timestamp, std::string_view body,
                                  std::string_view secret) {
    auto const key = key_of(secret);
    auto const mac = key ? hmac_sha256(*key, std::string(id) + "." + std::string(timestamp) + "." + std::string(body))
                         : std::nullopt;
    return mac ? "v1," + base64_encode(*mac) : std::string{};
}

}  // namespace warroom::alerts
