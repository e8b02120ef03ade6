// The vocabulary's helpers: durations and times in and out, and every enum's name round trip.
#include <doctest/doctest.h>

#include <cctype>

#include "tests/core/support.hpp"

namespace {

using namespace warroom::core;
using namespace warroom::core::test;

template <typename Enum, std::size_t N, typename Parse>
void check_round_trip(Enum const (&values)[N], Parse parse) {
    for (auto const v : values) {
        auto const name = std::string(to_string(v));
        CAPTURE(name);
        CHECK(parse(name) == v);
        // Users type names in any case.
        std::string upper = name;
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        CHECK(parse(upper) == v);
    }
    CHECK_FALSE(parse("").has_value());
    CHECK_FALSE(parse("nonsense").has_value());
}

}  // namespace

TEST_CASE("durations parse as units and sums and refuse zero and junk and overflow") {
    struct row {
        std::string text;
        std::optional<seconds> want;
    };
    std::vector<row> const rows = {
        {"90s", seconds{90}},
        {"30m", seconds{30min}},
        {"2h", seconds{2h}},
        {"1d", seconds{24h}},
        {"2w", seconds{14 * 24h}},
        {"1h30m", seconds{90min}},
        {"1H30M", seconds{90min}},
        {"3650d", seconds{3650 * 24h}},
        {"0m", std::nullopt},
        {"0s0m", std::nullopt},
        {"3x", std::nullopt},
        {"", std::nullopt},
        {"m", std::nullopt},
        {"5", std::nullopt},
        {"-5m", std::nullopt},
        {"1h 30m", std::nullopt},
        {"3651d", std::nullopt},
        {"9999999999m", std::nullopt},
        {"999999999d999999999d", std::nullopt},
    };
    for (auto const& r : rows) {
        CAPTURE(r.text);
        CHECK(parse_duration(r.text) == r.want);
    }
}

TEST_CASE("durations format in the short human form and parse back") {
    struct row {
        seconds value;
        std::string text;
    };
    std::vector<row> const rows = {
        {seconds{0}, "0s"},    {seconds{45}, "45s"},      {seconds{60}, "1m"},     {seconds{30min}, "30m"},
        {seconds{1h}, "1h"},   {seconds{65min}, "1h 5m"}, {seconds{24h}, "24h"},   {seconds{48h}, "48h"},
        {seconds{72h}, "72h"}, {seconds{96h}, "4d"},      {seconds{97h}, "4d 1h"}, {seconds{-90}, "-1m 30s"},
    };
    for (auto const& r : rows) {
        CAPTURE(r.text);
        CHECK(format_duration(r.value) == r.text);
    }
    // The forms without spaces read back to the same value.
    for (auto const d : {seconds{45}, seconds{30min}, seconds{2h}, seconds{48h}, seconds{96h}}) {
        CAPTURE(d.count());
        CHECK(parse_duration(format_duration(d)) == d);
    }
    // Minutes are the finest unit shown once hours appear: 1h 1m 5s reads "1h 1m".
    CHECK(format_duration(seconds{3665}) == "1h 1m");
}

TEST_CASE("times and dates parse in UTC and refuse what is not a real time") {
    struct row {
        std::string text;
        std::optional<timestamp> want;
    };
    std::vector<row> const times = {
        {"2026-03-02T09:50Z", t0 + 50min},
        {"2026-03-02T09:50:30Z", t0 + 50min + 30s},
        {"2026-03-02 09:50", t0 + 50min},
        {"2026-03-02t09:50z", std::nullopt},
        {"2026-03-02T24:00Z", std::nullopt},
        {"2026-03-02T09:60Z", std::nullopt},
        {"2026-03-02T09:50:60Z", std::nullopt},
        {"2026-02-30T09:00Z", std::nullopt},
        {"2026-03-02T09:50+01:00", std::nullopt},
        {"2026-03-02T9:50Z", std::nullopt},
        {"2026-03-02T-1:50Z", std::nullopt},
        {"2026-03-02T09:-5Z", std::nullopt},
        {"2026-03-02T09:50:-1Z", std::nullopt},
        {"2026-03-02", std::nullopt},
        {"", std::nullopt},
    };
    for (auto const& r : times) {
        CAPTURE(r.text);
        CHECK(parse_time(r.text) == r.want);
    }
    // The lowercase 't' separator is not accepted but a lowercase 'z' is.
    CHECK(parse_time("2026-03-02T09:50z") == t0 + 50min);

    auto const day = [](int y, unsigned m, unsigned d) {
        return timestamp{std::chrono::sys_days{std::chrono::year{y} / m / d}};
    };
    std::vector<row> const dates = {
        {"2026-03-02", day(2026, 3, 2)}, {"2024-02-29", day(2024, 2, 29)}, {"2026-02-29", std::nullopt},
        {"2026-3-2", std::nullopt},      {"20260302", std::nullopt},       {"2026-03-02x", std::nullopt},
        {"2026-13-01", std::nullopt},    {"2026-00-10", std::nullopt},     {"", std::nullopt},
    };
    for (auto const& r : dates) {
        CAPTURE(r.text);
        CHECK(parse_date(r.text) == r.want);
    }
}

TEST_CASE("times format as date and clock in UTC") {
    CHECK(format_time(t0 + 50min + 59s) == "2026-03-02 09:50 UTC");
    CHECK(format_clock(t0 + 50min) == "09:50 UTC");
    CHECK(format_date(t0 + 50min) == "2026-03-02");
    CHECK(parse_time(format_time(t0 + 50min).substr(0, 16)) == t0 + 50min);
    CHECK(parse_date(format_date(t0)) == t0 - 9h);
    CHECK(incident_ref(42) == "INC-42");
}

TEST_CASE("every enum's name parses back to the same value") {
    check_round_trip(all_severities, [](std::string_view s) { return parse_severity(s); });
    check_round_trip(all_types, [](std::string_view s) { return parse_incident_type(s); });
    check_round_trip(all_phases, [](std::string_view s) { return parse_phase(s); });
    check_round_trip(all_statuses, [](std::string_view s) { return parse_status(s); });
    check_round_trip(all_roles, [](std::string_view s) { return parse_role(s); });
}

TEST_CASE("enum names and display names are the procedures' words") {
    CHECK(to_string(severity::p0) == "P0");
    CHECK(to_string(incident_type::data_loss) == "data-loss");
    CHECK(to_string(phase::post_incident) == "post-incident");
    CHECK(to_string(status::implementing_fix) == "implementing-fix");
    CHECK(to_string(role::incident_commander) == "ic");
    CHECK(display_name(incident_type::data_loss) == "Data Loss/Corruption");
    CHECK(display_name(incident_type::privacy) == "Data Privacy Incident");
    CHECK(display_name(phase::post_incident) == "Post-Incident");
    CHECK(display_name(status::implementing_fix) == "Implementing Fix");
    CHECK(display_name(role::subject_matter_expert) == "Subject Matter Expert");
    CHECK(display_name(role::communications_lead) == "Communications Lead");
}

TEST_CASE("the common spellings users type are accepted") {
    CHECK(parse_severity("sev0") == severity::p0);
    CHECK(parse_severity("SEV3") == severity::p3);
    CHECK_FALSE(parse_severity("P4").has_value());
    CHECK(parse_incident_type("data_loss") == incident_type::data_loss);
    CHECK(parse_incident_type("perf") == incident_type::performance);
    CHECK(parse_incident_type("breach") == incident_type::security);
    CHECK(parse_phase("post incident") == phase::post_incident);
    CHECK(parse_phase("post_incident") == phase::post_incident);
    CHECK(parse_phase("postmortem") == phase::post_incident);
    CHECK(parse_status("implementing") == status::implementing_fix);
    CHECK(parse_status("Implementing Fix") == status::implementing_fix);
    CHECK(parse_role("commander") == role::incident_commander);
    CHECK(parse_role("oncall") == role::on_call_engineer);
    CHECK(parse_role("Subject Matter Expert") == role::subject_matter_expert);
    CHECK(parse_role("comms-lead") == role::communications_lead);
}

TEST_CASE("a time on another day than today in the zone carries its date") {
    struct new_york_winter : time_zone {
        std::string name() const override { return "America/New_York"; }
        seconds offset(timestamp) const override { return -5h; }
        std::string abbreviation(timestamp) const override { return "EST"; }
    };
    new_york_winter const ny;
    // t0 is 09:00 UTC, 04:00 in New York.
    CHECK(format_clock(t0 + 50min, utc_zone(), t0) == "09:50 UTC");
    CHECK(format_clock(t0 + 15h, utc_zone(), t0) == "2026-03-03 00:00 UTC");
    CHECK(format_clock(t0 + 15h, ny, t0) == "19:00 EST");
    // 03:00 UTC is the previous evening in New York: the same day there as 23:00 is not.
    CHECK(format_clock(t0 - 6h, ny, t0) == "2026-03-01 22:00 EST");
    CHECK(format_clock(t0 - 6h, utc_zone(), t0) == "03:00 UTC");
    CHECK(format_time(t0, ny) == "2026-03-02 04:00 EST");
    CHECK(format_date(t0 - 6h, ny) == "2026-03-01");
}
