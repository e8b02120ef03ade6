// Bad commands through service::handle on a real store: one ephemeral reply with the precise
// reason and the verb's usage, nothing recorded, no state changed.
#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

std::string const room1 = "inc-1-api-down";
std::string const room2 = "inc-2-typo-on-the-pricing-page";

// INC-1: an open P0 without an IC. INC-2: a P3 closed with a reason.
void prepare(harness& h) {
    h.run("alice", "incidents", t0, "declare P0 impact:\"All requests fail\" API down");
    h.run("alice", "incidents", t0 + 1min, "declare P3 Typo on the pricing page");
    h.run("alice", room2, t0 + 2min, "close not worth an incident");
    REQUIRE(h.svc().find(1) != nullptr);
    REQUIRE(h.svc().find(2) != nullptr);
    REQUIRE(h.svc().find(2)->is_closed());
}

struct row {
    std::string channel;
    std::string text;
    std::string reason;
    std::string usage_line;  // the second line of the reply starts with this
};

std::string const closed2 = "INC-2 is closed; nothing can change";

std::vector<row> const rows = {
    {room1, "declare P1 " + std::string(5000, 'x'), "the title is 5000 characters long; the limit is 200",
     "Usage: /incident declare "},
    {"incidents", "declare P0", "an incident needs a title: what is broken", "Usage: /incident declare "},
    {room1, "severity P7", "unknown severity 'P7' (P0, P1, P2, P3)", "Usage: /incident severity P0-P3"},
    {room1, "severity P0", "INC-1 is already P0", ""},
    {room1, "phase investigation",
     "a P0 incident needs an Incident Commander before it leaves Detection: `assign ic @user`",
     ""},
    {room1, "advance", "a P0 incident needs an Incident Commander before it leaves Detection: `assign ic @user`",
     ""},
    {room1, "phase nowhere", "unknown phase 'nowhere' (detection, investigation, containment, resolution, recovery, post-incident, closed)", "Usage: /incident phase "},
    {room1, "phase detection", "INC-1 is already in Detection", ""},
    {room1, "phase post-incident",
     "a P0 incident needs an Incident Commander before it leaves Detection: `assign ic @user`",
     ""},
    {room1, "assign ic", "who? mention them: @user", "Usage: /incident assign "},
    {room1, "assign boss @bob", "unknown role 'boss' (ic, on-call, sme, comms, scribe)", "Usage: /incident assign "},
    {room1, "done 7", "INC-1 has no action item #7 (it has 0)", ""},
    {room1, "note", "a note needs text", "Usage: /incident note "},
    {room1, "reopen it is back", "INC-1 is not resolved; only a resolved or closed incident can be reopened",
     ""},
    {room1, "report", "the report is written once INC-1 is resolved", ""},
    {room1, "close", "closing INC-1 needs its report first (`report`), or a reason: `close <reason>`",
     ""},
    {room1, "action Fix it due:2026-02-01", "the due date 2026-02-01 is in the past", ""},
    {"incidents", "update Found it", "run this in the incident's war room, or give its number first: `update 42 ...`",
     "Usage: /incident update "},
    {"incidents", "status 99", "there is no INC-99", ""},
    {"incidents", "update 99 hello", "there is no INC-99", ""},
    {room2, "note too late", closed2, ""},
    {room2, "reopen it came back",
     "only an incident admin can reopen INC-2 after it was closed", ""},
    {room2, "update status:identified found it", closed2, ""},
    {room2, "severity P0", closed2, ""},
    {room1, "update #2 hi", closed2, ""},
};

// Exactly one ephemeral reply to the asker; returns its text.
std::string only_reply(outcome const& out, std::string const& channel, user_id const& user) {
    REQUIRE(out.effects.size() == 1);
    auto const* r = std::get_if<reply>(&out.effects.front());
    REQUIRE(r != nullptr);
    CHECK(r->channel == channel);
    CHECK(r->user == user);
    return render_text(r->view);
}

}  // namespace

TEST_CASE("bad input changes nothing and replies with the reason and the usage") {
    harness h{without_lead()};
    prepare(h);
    auto const events_before = h.store().load();
    auto const state_before = h.svc().incidents();
    for (auto const& r : rows) {
        CAPTURE(r.channel);
        CAPTURE(r.text.substr(0, 60));
        // The declarer: one of the incident's people, so what answers is the command's own problem.
        auto const out = h.svc().handle({"alice", r.channel, t0 + 1h}, r.text);
        CHECK_FALSE(out.changed);
        CHECK(out.field_errors.empty());
        auto const text = only_reply(out, r.channel, "alice");
        CAPTURE(text);
        CHECK(text.rfind("⚠️ " + r.reason + "\n", 0) == 0);
        auto const second_line = text.substr(text.find('\n') + 1);
        // A usage error shows the verb's usage; a refusal of the incident's state is one line.
        if (r.usage_line.empty()) {
            CHECK(second_line.empty());
        } else {
            CHECK(second_line.rfind(r.usage_line, 0) == 0);
        }
        CHECK(h.store().load().size() == events_before.size());
    }
    CHECK(h.store().load() == events_before);
    CHECK(h.svc().incidents() == state_before);
}

TEST_CASE("an unknown subcommand replies with the commands on one line, a typo with its correction") {
    harness h;
    prepare(h);
    auto const before = h.store().load().size();
    auto const out = h.svc().handle({"mallory", room1, t0 + 1h}, "frobnicate now");
    CHECK_FALSE(out.changed);
    auto const text = only_reply(out, room1, "mallory");
    CHECK(text.rfind("⚠️ unknown command 'frobnicate' (declare, ", 0) == 0);
    CHECK(text.ends_with("\nUsage: /incident help [command] — usage\n"));
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
    auto const typo = h.svc().handle({"mallory", room1, t0 + 1h}, "delcare P1 API down");
    CHECK(only_reply(typo, room1, "mallory").rfind("⚠️ unknown command 'delcare' — did you mean declare?\nUsage: "
                                                  "/incident declare ",
                                                  0) == 0);
    CHECK(h.store().load().size() == before);
}

TEST_CASE("a command with no text replies with the overview") {
    harness h;
    auto const out = h.svc().handle({"mallory", "incidents", t0}, "  ");
    CHECK_FALSE(out.changed);
    CHECK(only_reply(out, "incidents", "mallory") == "⚠️ no command given\n" + help_text() + "\n");
    CHECK(h.store().load().empty());
}

TEST_CASE("help and queries answer without recording anything") {
    harness h;
    prepare(h);
    auto const before = h.store().load().size();
    for (auto const* text : {"help", "help update", "status", "role", "actions", "list", "list all", "stats 7d"}) {
        CAPTURE(text);
        auto const out = h.svc().handle({"mallory", room1, t0 + 1h}, text);
        CHECK_FALSE(out.changed);
        CHECK(out.effects.size() == 1);
        CHECK(std::holds_alternative<reply>(out.effects.front()));
    }
    CHECK(h.store().load().size() == before);
    auto const help = h.svc().handle({"mallory", room1, t0 + 1h}, "help update");
    CHECK(render_text(std::get<reply>(help.effects.front()).view) == usage("update") + "\n");
}
