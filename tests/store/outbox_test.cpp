// The outbox on a real SQLite file: entries are written in the events' transaction (or not at
// all), come back in order with the effect intact, are leased to one deliverer at a time, and
// once finished never come back; delivery facts survive a reopen.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "adapters/store/effect_codec.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "core/views.hpp"
#include "tests/store/events.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using namespace warroom;
using namespace std::chrono_literals;
using app::append_result;
using store::sqlite_store;
using store::test::note;
using store::test::t0;
using store::test::temp_dir;

core::message_view sample_view() {
    core::message_view v;
    v.kind = "declaration";
    v.incident = 7;
    v.headline = "🔴 INCIDENT DECLARED - P0";
    v.fields = {{"Title", "API \"down\" <&>"}, {"War room", "#inc-7-api-down"}};
    v.sections = {{"Actions", {"one", "two"}, true}};
    v.footer = {"footer"};
    v.body = "# Report\nline";
    v.checklist = {{"Acknowledge", "7:detection:1", true, "by @U1"}};
    v.buttons = {{core::ui::action::acknowledge, "Acknowledge", "7"}};
    v.mentions = {"U1"};
    return v;
}

std::vector<core::effect> every_kind() {
    core::modal_view form{core::ui::form::update,
                          7,
                          "Post an update",
                          {{core::ui::field::status, "Status", {"investigating", "identified"}, "", false, false}}};
    return {core::open_war_room{7, "inc-7-api-down", true, {"U1", "U2"}, "P0 · Investigating · IC: none"},
            core::post{"inc-7-api-down", sample_view(), true, "", 7},
            core::post{"incidents", sample_view(), false, "announcement:7"},
            core::reply{"C1", "U1", sample_view()},
            core::set_topic{"inc-7-api-down", "P0 · Identified · IC: @U1"},
            core::open_form{"U1", form},
            core::direct_message{"U2", sample_view()},
            core::page{7, core::page_action::trigger, "warroom-inc-7", "INC-7 P0: API down", core::severity::p0, "U3",
                       "secondary", "inc-7-api-down", "warroom"},
            core::invite{7, "inc-7-api-down", {"U4", "S0SEC", "security-team", "dpo@example.com"}},
            core::archive_room{7, "inc-7-api-down"},
            core::open_ticket{3,
                              "Disk filling",
                              "low",
                              "alertmanager",
                              {{"team", "storage"}},
                              {{"DiskFilling", "db-1 is 91% full", "http://prometheus:9090/graph",
                                core::timestamp{core::milliseconds{1'767'603'600'123}}}}},
            core::email{7,
                        {"security@example.com", "legal@example.com"},
                        "[INC-7 P0] API down: Security team notified",
                        "INC-7 (P0, Service Outage): API down\nJoin #inc-7-api-down in Slack to take part.\n"},
            core::statuspage_update{7, 2, "API down", core::status::implementing_fix, "A fix is rolling out.",
                                    {"API", "Website"}, core::component_status::partial_outage, "major"},
            core::statuspage_update{8, 1, "Incident INC-8", core::status::resolved, "Resolved", {}, std::nullopt,
                                    "none"},
            core::statuspage_maintenance{3, true, "Database upgrade", core::timestamp{core::milliseconds{1'767'603'600'123}},
                                         core::timestamp{core::milliseconds{1'767'607'200'000}}, {"API"}}};
}

TEST_CASE("the samples cover every effect kind") {
    std::set<std::size_t> seen;
    for (auto const& e : every_kind()) seen.insert(e.index());
    CHECK(seen.size() == std::variant_size_v<core::effect>);
}

}  // namespace

TEST_CASE("every effect kind survives the codec unchanged") {
    for (auto const& e : every_kind()) {
        CAPTURE(e.index());
        CHECK(store::decode_effect(store::encode_effect(e)) == e);
    }
}

TEST_CASE("entries an older binary wrote (before tickets) decode as they were") {
    auto const page = store::decode_effect(
        R"({"kind":"page","incident":7,"action":"trigger","dedup_key":"warroom-inc-7","summary":"INC-7 P0: API down",)"
        R"("sev":"P0","responder":"U3","position":"primary","room":"inc-7-api-down","by":""})");
    CHECK(page == core::effect{core::page{7, core::page_action::trigger, "warroom-inc-7", "INC-7 P0: API down",
                                          core::severity::p0, "U3", "primary", "inc-7-api-down", ""}});
    CHECK(store::decode_effect(R"({"kind":"archive_room","incident":7,"channel":"inc-7-api-down"})") ==
          core::effect{core::archive_room{7, "inc-7-api-down"}});
}

TEST_CASE("a malformed outbox body is a store error") {
    for (std::string bad : {"", "[]", "{}", R"({"kind":"teleport"})", R"({"kind":"post","pin":"yes"})", "{"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(store::decode_effect(bad), app::store_error);
    }
}

TEST_CASE("outbox entries are written with their events and come back in order after a reopen") {
    temp_dir dir;
    auto const file = dir / "w.db";
    auto const effects = every_kind();
    {
        sqlite_store s{file};
        app::append_batch b{{note(7, 1)}, {}, {{7, 0}}};
        for (auto const& e : effects) b.outbox.emplace_back(7, e);
        REQUIRE(s.append(b) == append_result::written);
        REQUIRE(s.append({{note(8, 1)}, {}, {{8, 0}}, {{8, effects[1]}}}) == append_result::written);
    }
    sqlite_store s{file};
    auto const all = s.pending(0, 100);
    REQUIRE(all.size() == effects.size() + 1);
    for (std::size_t k = 0; k < effects.size(); ++k) {
        CHECK(all[k].lane == 7);
        CHECK(all[k].what == effects[k]);
        CHECK(all[k].attempts == 0);
        if (k > 0) CHECK(all[k].id > all[k - 1].id);
    }
    CHECK(all.back().lane == 8);
    auto const later = s.pending(all[1].id, 2);
    REQUIRE(later.size() == 2);
    CHECK(later[0].id == all[2].id);
}

TEST_CASE("a conflicting batch writes no outbox entry") {
    auto s = sqlite_store::in_memory();
    REQUIRE(s->append({{note(1, 1)}, {"key"}, {{1, 0}}}) == append_result::written);
    auto const effects = every_kind();
    CHECK(s->append({{note(1, 2)}, {}, {{1, 0}}, {{1, effects[1]}}}) == append_result::conflict);
    CHECK(s->append({{note(1, 2)}, {"key"}, {{1, 1}}, {{1, effects[1]}}}) == append_result::conflict);
    CHECK(s->pending(0, 10).empty());
}

TEST_CASE("a delivery lease keeps a second deliverer out until it expires") {
    auto s = sqlite_store::in_memory();
    REQUIRE(s->append({{note(1, 1)}, {}, {{1, 0}}, {{1, every_kind()[1]}}}) == append_result::written);
    auto const id = s->pending(0, 1).at(0).id;
    CHECK(s->start_delivery(id, "replica-a", t0, 60s));
    CHECK_FALSE(s->start_delivery(id, "replica-b", t0 + 30s, 60s));
    CHECK(s->start_delivery(id, "replica-a", t0 + 30s, 60s));  // renewing counts another attempt
    CHECK(s->pending(0, 1).at(0).attempts == 2);
    CHECK_FALSE(s->start_delivery(id, "replica-b", t0 + 89s, 60s));
    CHECK(s->start_delivery(id, "replica-b", t0 + 90s, 60s));
    CHECK(s->pending(0, 1).at(0).attempts == 3);
    CHECK_FALSE(s->start_delivery(id + 1, "replica-a", t0, 60s));  // no such entry
    s->release("replica-b");
    CHECK(s->start_delivery(id, "replica-c", t0 + 91s, 60s));  // released: no need to wait out the lease
}

TEST_CASE("entries born leased are counted as started and kept from other deliverers until the lease lapses") {
    auto s = sqlite_store::in_memory();
    auto const before = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    app::append_batch b{{note(1, 1)}, {}, {{1, 0}}, {{1, every_kind()[1]}, {1, every_kind()[2]}}};
    b.leased_to = app::birth_lease{"replica-a", 60s};
    REQUIRE(s->append(b) == append_result::written);
    auto const after = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    REQUIRE(s->append({{note(2, 1)}, {}, {{2, 0}}, {{2, every_kind()[1]}}}) == append_result::written);
    auto const all = s->pending(0, 10);
    REQUIRE(all.size() == 3);
    for (auto const& e : {all[0], all[1]}) {
        CHECK(e.owner == "replica-a");
        CHECK(e.attempts == 1);
        CHECK(e.lease_until >= before + 60s);
        CHECK(e.lease_until <= after + 60s);
    }
    CHECK(all[2].owner.empty());  // written without a lease: nobody holds it
    CHECK(all[2].attempts == 0);
    CHECK_FALSE(s->start_delivery(all[0].id, "replica-b", after, 60s));
    CHECK(s->start_delivery(all[0].id, "replica-a", after, 60s));
    CHECK(s->start_delivery(all[1].id, "replica-b", after + 61s, 60s));  // lapsed: taken over
    CHECK(s->pending(all[1].id - 1, 1).at(0).attempts == 2);
}

TEST_CASE("a finished entry is never pending again and its facts are recorded with it") {
    temp_dir dir;
    auto const file = dir / "w.db";
    {
        sqlite_store s{file};
        REQUIRE(s.append({{note(1, 1)}, {}, {{1, 0}}, {{1, every_kind()[0]}, {1, every_kind()[1]}}}) ==
                append_result::written);
        auto const first = s.pending(0, 1).at(0).id;
        REQUIRE(s.start_delivery(first, "a", t0, 60s));
        s.finish(first, "delivered", {{"room:1", R"({"id":"C1"})"}, {"ts:1", "1.000100"}});
        CHECK_FALSE(s.start_delivery(first, "a", t0 + 1s, 60s));
        s.put_fact("room:1", R"({"id":"C2"})");
    }
    sqlite_store s{file};
    auto const left = s.pending(0, 10);
    REQUIRE(left.size() == 1);
    CHECK(left[0].what == every_kind()[1]);
    CHECK(s.fact("room:1") == R"({"id":"C2"})");
    CHECK(s.fact("ts:1") == "1.000100");
    CHECK_FALSE(s.fact("missing").has_value());
}
