// The incident vocabulary: severities, types, phases, statuses, roles, and the time helpers
// every layer shares. Names round-trip: parse_x(to_string(v)) == v for every value.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace warroom::core {

using seconds = std::chrono::seconds;
using milliseconds = std::chrono::milliseconds;
// Event and due times, to the millisecond: a reminder computed from them never comes before its
// cadence by a rounding.
using timestamp = std::chrono::sys_time<milliseconds>;
using user_id = std::string;

enum class severity {
    p0,  // critical: complete outage, breach
    p1,  // high: major feature broken, >25% users
    p2,  // medium: minor feature, <25% users
    p3,  // low: cosmetic, no user impact
};

enum class incident_type {
    outage,       // service down, API not responding
    performance,  // slow, timeouts
    data_loss,    // missing or corrupted data
    security,     // unauthorized access, leak
    integration,  // third-party API down, payments failing
    privacy,      // PII exposure, GDPR
};

enum class phase {
    detection,      // triage, severity, IC
    investigation,  // context, logs, hypothesis
    containment,    // stop the damage, workarounds
    resolution,     // fix, deploy, verify
    recovery,       // back to normal, watch metrics
    post_incident,  // post-mortem, action items
    closed,         // nothing more to do
};

enum class status {
    investigating,     // cause unknown
    identified,        // cause known
    implementing_fix,  // fix under way
    monitoring,        // fix out, watching
    resolved,          // over
};

enum class role {
    incident_commander,     // coordinates, decides, closes
    on_call_engineer,       // first responder
    subject_matter_expert,  // several allowed
    communications_lead,    // internal and external comms
    scribe,                 // keeps the record
};

// How an alert is handled, by the procedures' alert routing table.
enum class alert_level {
    critical,  // an incident is declared at once and the on-call paged
    high,      // a triage post in the alert channel
    medium,    // a triage post in the alert channel
    low,       // recorded only
};

// A status-page component's state, as published (commands spell it with hyphens, Statuspage's API
// with underscores).
enum class component_status {
    operational,           // working normally
    degraded_performance,  // slower or less reliable than usual
    partial_outage,        // down for some customers
    major_outage,          // down
    under_maintenance,     // in a scheduled maintenance window
};

inline constexpr severity all_severities[] = {severity::p0, severity::p1, severity::p2, severity::p3};
inline constexpr incident_type all_types[] = {incident_type::outage,      incident_type::performance,
                                              incident_type::data_loss,   incident_type::security,
                                              incident_type::integration, incident_type::privacy};
inline constexpr phase all_phases[] = {phase::detection, phase::investigation, phase::containment, phase::resolution,
                                       phase::recovery,  phase::post_incident, phase::closed};
inline constexpr status all_statuses[] = {status::investigating, status::identified, status::implementing_fix,
                                          status::monitoring, status::resolved};
inline constexpr component_status all_component_statuses[] = {
    component_status::operational, component_status::degraded_performance, component_status::partial_outage,
    component_status::major_outage, component_status::under_maintenance};
inline constexpr role all_roles[] = {role::incident_commander, role::on_call_engineer, role::subject_matter_expert,
                                     role::communications_lead, role::scribe};

std::string_view to_string(severity s);       // "P0"
std::string_view to_string(incident_type t);  // "data-loss"
std::string_view to_string(phase p);          // "post-incident"
std::string_view to_string(status s);         // "implementing-fix"
std::string_view to_string(role r);           // "ic"
std::string_view to_string(alert_level l);    // "critical"
std::string_view to_string(component_status s);  // "degraded-performance"
std::string_view api_name(component_status s);   // "degraded_performance", as Statuspage's API spells it
// Statuspage's incident status: it has no "implementing fix", which is still "identified" there.
std::string_view api_name(status s);

std::string_view display_name(incident_type t);  // "Data Loss/Corruption"
std::string_view display_name(phase p);          // "Post-Incident"
std::string_view display_name(status s);         // "Implementing Fix"
std::string_view display_name(role r);           // "Incident Commander"
std::string_view display_name(component_status s);  // "Degraded Performance"

// Parsers are case-insensitive and accept the common spellings users type.
std::optional<severity> parse_severity(std::string_view s);
std::optional<incident_type> parse_incident_type(std::string_view s);
std::optional<phase> parse_phase(std::string_view s);
std::optional<status> parse_status(std::string_view s);
std::optional<role> parse_role(std::string_view s);
// Either spelling: "major-outage" or "major_outage".
std::optional<component_status> parse_component_status(std::string_view s);
// A level's name, or a `severity` label's value as monitoring spells it: critical; high, error;
// medium, warning; low, info.
std::optional<alert_level> parse_alert_level(std::string_view s);

// "90s", "30m", "2h", "1d", and sums such as "1h30m". Zero and negative are refused.
std::optional<seconds> parse_duration(std::string_view s);
// Short human form: "45s", "30m", "1h 5m", "2d 3h".
std::string format_duration(milliseconds d);  // whole seconds; less than a second is "0s"

// "2026-11-27 09:50 UTC"
std::string format_time(timestamp t);
// "09:50 UTC"
std::string format_clock(timestamp t);
// "2026-11-27"
std::string format_date(timestamp t);
// "2026-11-27T09:50:00.000Z": RFC 3339 in UTC, as JSON APIs and Atom write times.
std::string format_rfc3339(timestamp t);
// "2026-11-27" → midnight UTC of that day.
std::optional<timestamp> parse_date(std::string_view s);
// "2026-11-27T09:50Z", "2026-11-27T09:50:00Z", "2026-11-27 09:50" (UTC).
std::optional<timestamp> parse_time(std::string_view s);

std::string incident_ref(int number);  // "INC-42"

// A time zone as the core sees it: the offset from UTC at an instant, and its abbreviation. The
// rules of named zones (IANA) are loaded outside the core; UTC is built in.
class time_zone {
public:
    virtual ~time_zone() = default;
    virtual std::string name() const = 0;                      // "Europe/Berlin"
    virtual seconds offset(timestamp utc) const = 0;           // +3600 in winter
    virtual std::string abbreviation(timestamp utc) const = 0;  // "CET"
};
// Zones live as long as the program: the policy points at one.
time_zone const& utc_zone();

// In a zone: "2026-11-27 10:50 CET".
std::string format_time(timestamp t, time_zone const& z);
// "10:50 CET" on the day of `today` there, else with the date: "2026-11-28 00:46 CET".
std::string format_clock(timestamp t, time_zone const& z, timestamp today);
// "2026-11-27", the zone's date.
std::string format_date(timestamp t, time_zone const& z);

// Lowercase ASCII letters and digits, each run of anything else one hyphen, none at the ends:
// "API Gateway" → "api-gateway".
std::string slug(std::string_view s);
// Percent-encoding of everything but RFC 3986's unreserved characters: safe in a URL's path segment
// and query value.
std::string url_encode(std::string_view s);
// Text safe in HTML and XML content and attribute values: & < > " ' as entities.
std::string escape_html(std::string_view s);

// Text helpers every layer uses: whitespace trimmed from both ends; ASCII lowercase.
std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);

// Well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF): what Slack and the store accept.
bool valid_utf8(std::string_view s);

}  // namespace warroom::core
