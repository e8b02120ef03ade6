// Names, parsers and time formatting for the incident vocabulary.
#include "core/model.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <utility>

namespace warroom::core {
namespace {

// Users write "post_incident", "post incident" and "post-incident" alike.
std::string normalize(std::string_view s) {
    auto out = to_lower(s);
    std::replace(out.begin(), out.end(), '_', '-');
    std::replace(out.begin(), out.end(), ' ', '-');
    return out;
}

template <typename Enum, std::size_t N>
std::optional<Enum> find_alias(std::string_view text, std::array<std::pair<std::string_view, Enum>, N> const& aliases) {
    auto const key = normalize(text);
    for (auto const& [name, value] : aliases) {
        if (name == key) return value;
    }
    return std::nullopt;
}

std::optional<long long> parse_int(std::string_view s) {
    long long v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

std::string_view to_string(severity s) {
    constexpr std::string_view names[] = {"P0", "P1", "P2", "P3"};
    return names[static_cast<int>(s)];
}
std::string_view to_string(incident_type t) {
    constexpr std::string_view names[] = {"outage", "performance", "data-loss", "security", "integration", "privacy"};
    return names[static_cast<int>(t)];
}
std::string_view to_string(phase p) {
    constexpr std::string_view names[] = {"detection", "investigation", "containment", "resolution",
                                          "recovery",  "post-incident", "closed"};
    return names[static_cast<int>(p)];
}
std::string_view to_string(status s) {
    constexpr std::string_view names[] = {"investigating", "identified", "implementing-fix", "monitoring", "resolved"};
    return names[static_cast<int>(s)];
}
std::string_view to_string(role r) {
    constexpr std::string_view names[] = {"ic", "on-call", "sme", "comms", "scribe"};
    return names[static_cast<int>(r)];
}

std::string_view to_string(alert_level l) {
    constexpr std::string_view names[] = {"critical", "high", "medium", "low"};
    return names[static_cast<int>(l)];
}

std::string_view display_name(incident_type t) {
    constexpr std::string_view names[] = {"Service Outage",  "Performance Degradation", "Data Loss/Corruption",
                                          "Security Breach", "Integration Failure",     "Data Privacy Incident"};
    return names[static_cast<int>(t)];
}
std::string_view display_name(phase p) {
    constexpr std::string_view names[] = {"Detection", "Investigation", "Containment", "Resolution",
                                          "Recovery",  "Post-Incident", "Closed"};
    return names[static_cast<int>(p)];
}
std::string_view display_name(status s) {
    constexpr std::string_view names[] = {"Investigating", "Identified", "Implementing Fix", "Monitoring", "Resolved"};
    return names[static_cast<int>(s)];
}
std::string_view to_string(component_status s) {
    constexpr std::string_view names[] = {"operational", "degraded-performance", "partial-outage", "major-outage",
                                          "under-maintenance"};
    return names[static_cast<int>(s)];
}
std::string_view api_name(status s) {
    switch (s) {
        case status::investigating: return "investigating";
        case status::identified:
        case status::implementing_fix: return "identified";
        case status::monitoring: return "monitoring";
        case status::resolved: return "resolved";
    }
    return "investigating";
}
std::string_view api_name(component_status s) {
    constexpr std::string_view names[] = {"operational", "degraded_performance", "partial_outage", "major_outage",
                                          "under_maintenance"};
    return names[static_cast<int>(s)];
}
std::string_view display_name(component_status s) {
    constexpr std::string_view names[] = {"Operational", "Degraded Performance", "Partial Outage", "Major Outage",
                                          "Under Maintenance"};
    return names[static_cast<int>(s)];
}
std::string_view display_name(role r) {
    constexpr std::string_view names[] = {"Incident Commander", "On-Call Engineer", "Subject Matter Expert",
                                          "Communications Lead", "Scribe"};
    return names[static_cast<int>(r)];
}

std::optional<severity> parse_severity(std::string_view s) {
    static constexpr std::array<std::pair<std::string_view, severity>, 8> aliases{{
        {"p0", severity::p0},
        {"p1", severity::p1},
        {"p2", severity::p2},
        {"p3", severity::p3},
        {"sev0", severity::p0},
        {"sev1", severity::p1},
        {"sev2", severity::p2},
        {"sev3", severity::p3},
    }};
    return find_alias(s, aliases);
}

std::optional<incident_type> parse_incident_type(std::string_view s) {
    static constexpr std::array<std::pair<std::string_view, incident_type>, 10> aliases{{
        {"outage", incident_type::outage},
        {"performance", incident_type::performance},
        {"perf", incident_type::performance},
        {"data-loss", incident_type::data_loss},
        {"dataloss", incident_type::data_loss},
        {"security", incident_type::security},
        {"integration", incident_type::integration},
        {"privacy", incident_type::privacy},
        {"data-privacy", incident_type::privacy},
        {"breach", incident_type::security},
    }};
    return find_alias(s, aliases);
}

std::optional<phase> parse_phase(std::string_view s) {
    static constexpr std::array<std::pair<std::string_view, phase>, 9> aliases{{
        {"detection", phase::detection},
        {"investigation", phase::investigation},
        {"containment", phase::containment},
        {"resolution", phase::resolution},
        {"recovery", phase::recovery},
        {"post-incident", phase::post_incident},
        {"postincident", phase::post_incident},
        {"postmortem", phase::post_incident},
        {"closed", phase::closed},
    }};
    return find_alias(s, aliases);
}

std::optional<component_status> parse_component_status(std::string_view s) {
    auto const l = to_lower(s);
    for (auto const c : all_component_statuses) {
        if (l == to_string(c) || l == api_name(c)) return c;
    }
    return std::nullopt;
}

std::optional<status> parse_status(std::string_view s) {
    static constexpr std::array<std::pair<std::string_view, status>, 7> aliases{{
        {"investigating", status::investigating},
        {"identified", status::identified},
        {"implementing-fix", status::implementing_fix},
        {"implementing", status::implementing_fix},
        {"fixing", status::implementing_fix},
        {"monitoring", status::monitoring},
        {"resolved", status::resolved},
    }};
    return find_alias(s, aliases);
}

std::optional<role> parse_role(std::string_view s) {
    static constexpr std::array<std::pair<std::string_view, role>, 15> aliases{{
        {"ic", role::incident_commander},
        {"commander", role::incident_commander},
        {"incident-commander", role::incident_commander},
        {"lead", role::incident_commander},
        {"on-call", role::on_call_engineer},
        {"oncall", role::on_call_engineer},
        {"on-call-engineer", role::on_call_engineer},
        {"sme", role::subject_matter_expert},
        {"expert", role::subject_matter_expert},
        {"subject-matter-expert", role::subject_matter_expert},
        {"comms", role::communications_lead},
        {"communications", role::communications_lead},
        {"communications-lead", role::communications_lead},
        {"comms-lead", role::communications_lead},
        {"scribe", role::scribe},
    }};
    return find_alias(s, aliases);
}

std::optional<alert_level> parse_alert_level(std::string_view s) {
    static constexpr std::array<std::pair<std::string_view, alert_level>, 8> aliases{{
        {"critical", alert_level::critical},
        {"high", alert_level::high},
        {"error", alert_level::high},
        {"medium", alert_level::medium},
        {"warning", alert_level::medium},
        {"low", alert_level::low},
        {"info", alert_level::low},
        {"informational", alert_level::low},
    }};
    return find_alias(s, aliases);
}

std::optional<seconds> parse_duration(std::string_view s) {
    if (s.empty()) return std::nullopt;
    long long total = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t j = i;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        if (j == i || j == s.size() || j - i > 9) return std::nullopt;
        auto const n = parse_int(s.substr(i, j - i));
        if (!n) return std::nullopt;
        long long unit = 0;
        switch (std::tolower(static_cast<unsigned char>(s[j]))) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            case 'w':
                unit = 7 * 86400;
                break;
            default:
                return std::nullopt;
        }
        total += *n * unit;
        // Ten years is already absurd for any incident clock; refuse before overflow can matter.
        if (total > 10LL * 365 * 86400) return std::nullopt;
        i = j + 1;
    }
    if (total <= 0) return std::nullopt;
    return seconds{total};
}

std::string format_duration(milliseconds d) {
    auto s = std::chrono::duration_cast<seconds>(d).count();
    std::string sign;
    if (s < 0) {
        sign = "-";
        s = -s;
    }
    // Up to three days read better in hours ("48h", as the procedures say); beyond, in days.
    auto const days = s >= 4 * 86400 ? s / 86400 : 0;
    auto const hours = (s - days * 86400) / 3600, mins = s % 3600 / 60, secs = s % 60;
    std::string out;
    auto part = [&out](long long v, char unit) {
        if (!out.empty()) out += ' ';
        out += std::to_string(v) + unit;
    };
    if (days) part(days, 'd');
    if (hours) part(hours, 'h');
    if (mins && !days) part(mins, 'm');
    if ((secs && !days && !hours) || s == 0) part(secs, 's');
    return sign + out;
}

namespace {
struct civil {
    int year;
    unsigned month, day, hour, minute, second;
};
civil to_civil(timestamp t) {
    auto const day = std::chrono::floor<std::chrono::days>(t);
    std::chrono::year_month_day const ymd{day};
    std::chrono::hh_mm_ss const hms{t - day};
    return {static_cast<int>(ymd.year()),
            static_cast<unsigned>(ymd.month()),
            static_cast<unsigned>(ymd.day()),
            static_cast<unsigned>(hms.hours().count()),
            static_cast<unsigned>(hms.minutes().count()),
            static_cast<unsigned>(hms.seconds().count())};
}
}  // namespace

std::string format_time(timestamp t) {
    auto const c = to_civil(t);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02u:%02u UTC", c.year, c.month, c.day, c.hour, c.minute);
    return buf;
}

std::string format_clock(timestamp t) {
    auto const c = to_civil(t);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%02u:%02u UTC", c.hour, c.minute);
    return buf;
}

std::string format_date(timestamp t) {
    auto const c = to_civil(t);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.year, c.month, c.day);
    return buf;
}

std::string format_rfc3339(timestamp t) {
    auto const day = std::chrono::floor<std::chrono::days>(t);
    std::chrono::year_month_day const date{day};
    std::chrono::hh_mm_ss const time{t - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
    return buf;
}

std::string escape_html(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char const c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string slug(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) && c < 0x80) {
            out += static_cast<char>(std::tolower(c));
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

std::optional<timestamp> parse_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto const y = parse_int(s.substr(0, 4)), m = parse_int(s.substr(5, 2)), d = parse_int(s.substr(8, 2));
    if (!y || !m || !d) return std::nullopt;
    std::chrono::year_month_day const ymd{std::chrono::year{static_cast<int>(*y)},
                                          std::chrono::month{static_cast<unsigned>(*m)},
                                          std::chrono::day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    return timestamp{std::chrono::sys_days{ymd}};
}

std::optional<timestamp> parse_time(std::string_view s) {
    if (s.size() < 16) return std::nullopt;
    auto const day = parse_date(s.substr(0, 10));
    if (!day || (s[10] != 'T' && s[10] != ' ') || s[13] != ':') return std::nullopt;
    auto rest = s.substr(16);
    auto const h = parse_int(s.substr(11, 2)), m = parse_int(s.substr(14, 2));
    long long sec = 0;
    if (rest.size() >= 3 && rest[0] == ':') {
        auto const v = parse_int(rest.substr(1, 2));
        if (!v) return std::nullopt;
        sec = *v;
        rest = rest.substr(3);
    }
    if (rest == "Z" || rest == "z") rest = {};
    if (!h || !m || !rest.empty() || *h < 0 || *h > 23 || *m < 0 || *m > 59 || sec < 0 || sec > 59) return std::nullopt;
    return *day + std::chrono::hours{*h} + std::chrono::minutes{*m} + seconds{sec};
}

std::string url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char const c : s) {
        auto const u = static_cast<unsigned char>(c);
        bool const unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
                                u == '-' || u == '_' || u == '.' || u == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 0x0F];
        }
    }
    return out;
}

std::string_view trim(std::string_view s) {
    constexpr std::string_view space = " \t\r\n\v\f";
    auto const b = s.find_first_not_of(space);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(space) - b + 1);
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string incident_ref(int number) { return "INC-" + std::to_string(number); }

namespace {
class utc final : public time_zone {
public:
    std::string name() const override { return "UTC"; }
    seconds offset(timestamp) const override { return seconds{0}; }
    std::string abbreviation(timestamp) const override { return "UTC"; }
};
}  // namespace

time_zone const& utc_zone() {
    static utc const zone;
    return zone;
}

std::string format_time(timestamp t, time_zone const& z) {
    auto const c = to_civil(t + z.offset(t));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02u:%02u ", c.year, c.month, c.day, c.hour, c.minute);
    return buf + z.abbreviation(t);
}

std::string format_clock(timestamp t, time_zone const& z, timestamp today) {
    auto const day = [&](timestamp x) { return std::chrono::floor<std::chrono::days>(x + z.offset(x)); };
    if (day(t) != day(today)) return format_time(t, z);
    auto const c = to_civil(t + z.offset(t));
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u:%02u ", c.hour, c.minute);
    return buf + z.abbreviation(t);
}

std::string format_date(timestamp t, time_zone const& z) { return format_date(t + z.offset(t)); }

bool valid_utf8(std::string_view s) {
    std::size_t k = 0;
    while (k < s.size()) {
        auto const c = static_cast<unsigned char>(s[k]);
        if (c < 0x80) {
            ++k;
            continue;
        }
        int len = 0;
        unsigned cp = 0, min = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (k + static_cast<std::size_t>(len) > s.size()) return false;
        for (int b = 1; b < len; ++b) {
            auto const cc = static_cast<unsigned char>(s[k + static_cast<std::size_t>(b)]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        k += static_cast<std::size_t>(len);
    }
    return true;
}

}  // namespace warroom::core
