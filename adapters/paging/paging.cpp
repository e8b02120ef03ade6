// Request shapes follow PagerDuty's Events API v2 (POST /v2/enqueue) and Opsgenie's Alert API v2
// (create, add responder, add note, acknowledge, close; the alert named by its alias).
#include "adapters/paging/paging.hpp"

#include <charconv>
#include <cstdint>
#include <ostream>

namespace warroom::paging {

namespace {

using json = nlohmann::json;

// The vendors' documented limits.
constexpr std::size_t pagerduty_summary_max = 1024;
constexpr std::size_t opsgenie_message_max = 130;
constexpr std::size_t opsgenie_description_max = 15000;

// At most `max` bytes, never splitting a UTF-8 sequence. Bytes, not characters: the vendors count
// characters in ways they do not document (code points, UTF-16 units), and a text over the limit
// could cost the page itself, so the one count no vendor can exceed is used.
std::string truncate_utf8(std::string_view s, std::size_t max) {
    if (s.size() <= max) return std::string(s);
    auto cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return std::string(s.substr(0, cut));
}

std::string base_url(settings const& s) {
    if (s.base_url.empty()) {
        return s.kind == vendor::pagerduty ? "https://events.pagerduty.com/" : "https://api.opsgenie.com/";
    }
    return s.base_url.back() == '/' ? s.base_url : s.base_url + '/';
}

std::optional<std::string> username(settings const& s, core::user_id const& slack_user) {
    auto const it = s.users.find(slack_user);
    if (it == s.users.end() || it->second.empty()) return std::nullopt;
    return it->second;
}

std::string_view pagerduty_severity(core::severity sev) {
    switch (sev) {
        case core::severity::p0:
            return "critical";
        case core::severity::p1:
            return "error";
        case core::severity::p2:
            return "warning";
        case core::severity::p3:
            return "info";
    }
    return "critical";
}

std::string_view opsgenie_priority(core::severity sev) {
    switch (sev) {
        case core::severity::p0:
            return "P1";
        case core::severity::p1:
            return "P2";
        case core::severity::p2:
            return "P3";
        case core::severity::p3:
            return "P4";
    }
    return "P1";
}


request pagerduty(core::page const& p, settings const& s) {
    json body{{"routing_key", s.key}, {"event_action", core::to_string(p.action)}, {"dedup_key", p.dedup_key}};
    if (p.action == core::page_action::trigger) {
        json details{
            {"incident", core::incident_ref(p.incident)}, {"severity", core::to_string(p.sev)}, {"room", p.room}};
        if (!p.position.empty()) details["position"] = p.position;
        if (!p.responder.empty()) details["responder"] = p.responder;
        if (auto const name = username(s, p.responder)) details["responder_email"] = *name;
        // No timestamp (the effect carries no time: PagerDuty stamps its arrival) and no links.
        body["payload"] = {{"summary", truncate_utf8(p.summary, pagerduty_summary_max)},
                           {"source", s.source},
                           {"severity", pagerduty_severity(p.sev)},
                           {"component", "warroom"},
                           {"group", p.room},
                           {"class", "incident"},
                           {"custom_details", std::move(details)}};
        body["client"] = "warroom";
    }
    return {base_url(s) + "v2/enqueue", {}, std::move(body)};
}

std::vector<request> opsgenie(core::page const& p, settings const& s) {
    std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "GenieKey " + s.key}};
    auto const alerts = base_url(s) + "v2/alerts";
    auto const alert = alerts + "/" + core::url_encode(p.dedup_key);
    auto const by_alias = std::string("?identifierType=alias");
    switch (p.action) {
        case core::page_action::trigger: {
            if (p.position == "secondary") {
                std::string const note = "unacknowledged: paging the secondary";
                if (auto const name = username(s, p.responder)) {
                    json body{
                        {"responder", {{"type", "user"}, {"username", *name}}}, {"source", s.source}, {"note", note}};
                    return {{alert + "/responders" + by_alias, std::move(headers), std::move(body)}};
                }
                // Opsgenie cannot page someone it does not know: the alert's own escalation goes on, and
                // the note tells its readers who was meant.
                auto const who =
                    p.responder.empty() ? std::string{} : ", Slack user " + p.responder + " (no Opsgenie username)";
                json body{{"user", s.source}, {"source", s.source}, {"note", note + who}};
                return {{alert + "/notes" + by_alias, std::move(headers), std::move(body)}};
            }
            auto const sev = std::string(core::to_string(p.sev));
            json details{{"incident", core::incident_ref(p.incident)}, {"severity", sev}, {"room", p.room}};
            if (!p.position.empty()) details["position"] = p.position;
            json body{{"message", truncate_utf8(p.summary, opsgenie_message_max)},
                      {"alias", p.dedup_key},
                      {"description", truncate_utf8(p.summary, opsgenie_description_max)},
                      {"tags", json::array({"warroom", sev})},
                      {"details", std::move(details)},
                      {"entity", core::incident_ref(p.incident)},
                      {"source", s.source},
                      {"priority", opsgenie_priority(p.sev)}};
            // Without a responder the alert goes where the API key's integration routes it.
            if (auto const name = username(s, p.responder)) {
                body["responders"] = json::array({{{"type", "user"}, {"username", *name}}});
            }
            return {{alerts, std::move(headers), std::move(body)}};
        }
        case core::page_action::acknowledge:
        case core::page_action::resolve: {
            bool const ack = p.action == core::page_action::acknowledge;
            auto const user = p.by.empty() ? s.source : username(s, p.by).value_or(p.by);
            auto const where = p.room.empty() ? std::string{} : " (#" + p.room + ")";
            json body{{"user", user},
                      {"source", s.source},
                      {"note", (ack ? "acknowledged in Slack" : "resolved in Slack") + where}};
            return {{alert + (ack ? "/acknowledge" : "/close") + by_alias, std::move(headers), std::move(body)}};
        }
    }
    return {};
}

}  // namespace

std::vector<request> requests_for(core::page const& p, settings const& s) {
    if (s.kind == vendor::pagerduty) return {pagerduty(p, s)};
    return opsgenie(p, s);
}

std::ostream& operator<<(std::ostream& os, request const& r) {
    os << "POST " << r.url;
    for (auto const& [name, value] : r.headers) {
        os << " [" << name << ": " << (name == "Authorization" ? "<redacted>" : value) << ']';
    }
    auto body = r.body;
    if (body.is_object() && body.contains("routing_key")) body["routing_key"] = "<redacted>";
    return os << ' ' << body.dump(-1, ' ', false, json::error_handler_t::replace);
}

verdict judge(int http_status) {
    if (http_status >= 200 && http_status < 300) return verdict::delivered;
    if (http_status == 0 || http_status == 429 || (http_status >= 500 && http_status < 600)) return verdict::retry;
    return verdict::give_up;
}

std::ostream& operator<<(std::ostream& os, verdict v) {
    switch (v) {
        case verdict::delivered:
            return os << "delivered";
        case verdict::retry:
            return os << "retry";
        case verdict::give_up:
            return os << "give_up";
    }
    return os << "verdict(" << static_cast<int>(v) << ")";
}

std::optional<std::chrono::seconds> retry_after(std::string_view header) {
    header = core::trim(header);
    if (header.empty() || header.front() < '0' || header.front() > '9') return std::nullopt;
    std::int64_t n = 0;
    auto const [end, ec] = std::from_chars(header.data(), header.data() + header.size(), n);
    if (ec != std::errc{} || end != header.data() + header.size()) return std::nullopt;
    return std::chrono::seconds{n};
}

std::string failure_reason(int http_status, std::string_view body) {
    std::string out = http_status == 0 ? "no answer" : "HTTP " + std::to_string(http_status);
    std::string said;
    auto const j = json::parse(body, nullptr, false);
    if (j.is_object()) {
        if (auto const m = j.find("message"); m != j.end() && m->is_string()) said = m->get<std::string>();
        // PagerDuty lists errors as strings, Opsgenie as field -> message.
        std::string errors;
        if (auto const e = j.find("errors"); e != j.end() && (e->is_array() || e->is_object())) {
            for (auto const& item : *e) {
                if (!item.is_string()) continue;
                errors += (errors.empty() ? "" : "; ") + item.get<std::string>();
            }
        }
        if (!errors.empty()) said += (said.empty() ? "" : " ") + ("(" + errors + ")");
    } else if (!j.is_null()) {  // "null": the HTTP client's stand-in for a body that was not JSON
        said = std::string(core::trim(body));
    }
    said = truncate_utf8(said, 300);
    // One line, whatever the vendor (or a proxy's error page) sent.
    for (char& c : said) {
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return said.empty() ? out : out + ": " + said;
}

}  // namespace warroom::paging
