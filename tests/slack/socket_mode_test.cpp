// The Socket Mode protocol without sockets: frames in, meanings out; connection news in, actions
// out. The supervisor cases read as the protocol doc's §1.4 table and §1.10 handover.
#include <doctest/doctest.h>

#include "adapters/slack/socket_mode.hpp"

namespace {

using namespace warroom::slack;
using namespace std::chrono_literals;
using sv = supervisor;

steady_time const t0{std::chrono::hours{1000}};

template <class T>
T as(frame const& f) {
    REQUIRE(std::holds_alternative<T>(f));
    return std::get<T>(f);
}

bool opens(std::vector<sv::action> const& a, int id) {
    return a.size() == 1 && std::holds_alternative<sv::open_connection>(a[0]) &&
           std::get<sv::open_connection>(a[0]).id == id;
}
bool closes(std::vector<sv::action> const& a, int id) {
    return a.size() == 1 && std::holds_alternative<sv::close_connection>(a[0]) &&
           std::get<sv::close_connection>(a[0]).id == id;
}

}  // namespace

TEST_CASE("hello gives the connection count and the refresh time") {
    auto const h = as<hello>(parse_frame(
        R"({"type":"hello","num_connections":2,"debug_info":{"host":"applink-7","build_number":10,"approximate_connection_time":18060},"connection_info":{"app_id":"A111"}})"));
    CHECK(h.num_connections == 2);
    CHECK(h.refresh_in == 18060s);
    CHECK(as<hello>(parse_frame(R"({"type":"hello"})")).refresh_in == 0s);
    auto const odd = as<hello>(parse_frame(R"({"type":"hello","num_connections":{"type":"x"},"debug_info":[1]})"));
    CHECK(odd.num_connections == 0);
    CHECK(odd.refresh_in == 0s);
}

TEST_CASE("disconnect carries its reason and is never an envelope") {
    CHECK(as<disconnect>(parse_frame(R"({"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"x"}})"))
              .reason == "refresh_requested");
    CHECK(as<disconnect>(parse_frame(R"({"type":"disconnect"})")).reason.empty());
}

TEST_CASE("an envelope keeps its id type retry fields and payload") {
    auto const e = as<envelope>(parse_frame(
        R"({"envelope_id":"e-1","type":"events_api","accepts_response_payload":false,"retry_attempt":2,"retry_reason":"timeout","payload":{"event_id":"Ev1"}})"));
    CHECK(e.id == "e-1");
    CHECK(e.type == "events_api");
    CHECK_FALSE(e.accepts_response_payload);
    CHECK(e.retry_attempt == 2);
    CHECK(e.retry_reason == "timeout");
    CHECK(e.payload.at("event_id") == "Ev1");
    auto const slash = as<envelope>(
        parse_frame(R"({"envelope_id":"e-2","type":"slash_commands","accepts_response_payload":true,"payload":{}})"));
    CHECK(slash.accepts_response_payload);
    CHECK(slash.retry_attempt == 0);
}

TEST_CASE("an envelope of a type we do not know is still an envelope so it gets acked") {
    CHECK(as<envelope>(parse_frame(R"({"envelope_id":"e-3","type":"app_home_opened_v9"})")).type ==
          "app_home_opened_v9");
}

TEST_CASE("frames that are not messages are ignored with a reason") {
    for (std::string_view bad : {"", "not json", "[1,2]", "\"hello\"", "42", "{}", R"({"type":7})",
                                 R"({"type":"events_api"})", R"({"type":"events_api","envelope_id":""})",
                                 R"({"type":"events_api","envelope_id":5})", "{\"type\":\"hello\"", "\xff\xfe"}) {
        CAPTURE(bad);
        CHECK_FALSE(as<ignored>(parse_frame(bad)).why.empty());
    }
}

TEST_CASE("ill-typed optional fields fall back to their defaults") {
    auto const e = as<envelope>(parse_frame(
        R"({"envelope_id":"e","type":"interactive","accepts_response_payload":"yes","retry_attempt":"1","retry_reason":3})"));
    CHECK_FALSE(e.accepts_response_payload);
    CHECK(e.retry_attempt == 0);
    CHECK(e.retry_reason.empty());
}

TEST_CASE("acks echo the envelope id with or without a payload") {
    CHECK(ack_frame("e-1") == R"({"envelope_id":"e-1"})");
    nlohmann::json const p{{"text", "ok"}};
    CHECK(nlohmann::json::parse(ack_frame("e-1", &p)) == nlohmann::json{{"envelope_id", "e-1"}, {"payload", p}});
}

TEST_CASE("backoff starts well under a second doubles and stays under its cap") {
    backoff b{200ms, 30s};
    CHECK(b.next(0.0) == 100ms);
    CHECK(b.next(0.999) < 400ms);
    CHECK(b.next(0.5) == 600ms);
    for (int k = 0; k < 40; ++k) CHECK(b.next(0.999) <= 30s);
    CHECK(b.next(0.0) == 15s);
    b.reset();
    CHECK(b.next(1.0) == 200ms);
}

TEST_CASE("start opens one connection and hello makes it ready") {
    sv s;
    CHECK(opens(s.start(t0), 1));
    CHECK(s.connecting());
    CHECK(s.on_ready(1, t0 + 100ms).empty());
    CHECK(s.ready_count() == 1);
    CHECK_FALSE(s.next_deadline());
}

TEST_CASE("refresh_requested opens the replacement first and closes the old one after its hello") {
    sv s;
    s.start(t0);
    s.on_ready(1, t0);
    CHECK(opens(s.on_disconnect(1, "refresh_requested", t0 + 1h, 0.5), 2));
    CHECK(s.ready_count() == 1);  // the old one still delivers meanwhile
    CHECK(closes(s.on_ready(2, t0 + 1h + 200ms), 1));
    CHECK(s.on_closed(1, t0 + 1h + 300ms, 0.5).empty());
    CHECK(s.ready_count() == 1);
    CHECK_FALSE(s.next_deadline());
}

TEST_CASE("warning is handled like a refresh") {
    sv s;
    s.start(t0);
    s.on_ready(1, t0);
    CHECK(opens(s.on_disconnect(1, "warning", t0 + 1s, 0.5), 2));
    // Slack closes the old one before the new one is ready: nothing more to open.
    CHECK(s.on_closed(1, t0 + 2s, 0.5).empty());
    CHECK(s.on_ready(2, t0 + 3s).empty());
}

TEST_CASE("a dropped connection is replaced within a fraction of a second") {
    sv s;
    s.start(t0);
    s.on_ready(1, t0);
    CHECK(s.on_closed(1, t0 + 5s, 0.0).empty());
    REQUIRE(s.next_deadline());
    CHECK(*s.next_deadline() - (t0 + 5s) < 250ms);
    CHECK(s.on_timer(t0 + 5s + 50ms).empty());  // not yet
    CHECK(opens(s.on_timer(*s.next_deadline()), 2));
}

TEST_CASE("failed opens back off exponentially and a success resets the delay") {
    sv s;
    s.start(t0);
    auto now = t0;
    millis last{0};
    int id = 1;
    for (int k = 0; k < 6; ++k) {
        CHECK(s.on_open_failed(id, sv::failure::retry, now, 0ms, 0.0).empty());
        auto const delay = std::chrono::duration_cast<millis>(*s.next_deadline() - now);
        CHECK(delay > last);
        last = delay;
        now = *s.next_deadline();
        auto const a = s.on_timer(now);
        REQUIRE(a.size() == 1);
        id = std::get<sv::open_connection>(a[0]).id;
    }
    s.on_ready(id, now);
    s.on_closed(id, now + 1s, 0.0);
    CHECK(*s.next_deadline() - (now + 1s) == 100ms);
}

TEST_CASE("a rate limited open waits at least Retry-After") {
    sv s;
    s.start(t0);
    s.on_open_failed(1, sv::failure::rate_limited, t0, 7s, 0.0);
    CHECK(*s.next_deadline() == t0 + 7s);
}

TEST_CASE("link_disabled and fatal errors retry slowly instead of hammering") {
    sv s;
    s.start(t0);
    s.on_ready(1, t0);
    CHECK(s.on_disconnect(1, "link_disabled", t0 + 1s, 0.0).empty());
    CHECK(s.on_closed(1, t0 + 2s, 0.0).empty());
    REQUIRE(s.next_deadline());
    CHECK(*s.next_deadline() - (t0 + 1s) >= 30s);
    auto const a = s.on_timer(*s.next_deadline());
    REQUIRE(opens(a, 2));
    s.on_open_failed(2, sv::failure::fatal, t0 + 2min, 0ms, 0.0);
    CHECK(*s.next_deadline() - (t0 + 2min) >= 30s);
}

TEST_CASE("too_many_websockets closes that connection and keeps the others") {
    sv s;
    s.start(t0);
    s.on_ready(1, t0);
    s.on_disconnect(1, "refresh_requested", t0, 0.5);
    auto const a = s.on_disconnect(2, "too_many_websockets", t0, 0.5);
    CHECK(closes(a, 2));
}

TEST_CASE("news about unknown connections changes nothing") {
    sv s;
    s.start(t0);
    CHECK(s.on_ready(9, t0).empty());
    CHECK(s.on_disconnect(9, "warning", t0, 0.5).empty());
    CHECK(s.connecting());
}
