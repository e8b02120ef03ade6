// Reminders fire exactly once: across a restart, after downtime (each past-due reminder once, in
// due order), and with two replicas on the same file (the second sees the claim or the conflict).
#include "tests/service/support.hpp"

namespace {

using namespace warroom::service_test;

std::string const room = "inc-1-api-down";

// Declared and acknowledged at once, so the clock owes only the escalation steps and the nudges.
void declare_p0(warroom::app::service& svc) {
    auto const out = svc.handle({"alice", "incidents", t0}, "declare P0 API down");
    REQUIRE(out.changed);
    REQUIRE(svc.handle({"alice", room, t0}, "ack").changed);
}

payload step(std::string const& target, std::string const& label) { return escalated{target, label, false, "", {}, false}; }
// No rotation in these tests: nobody to page, and the step says so.
payload const on_call = step("on-call", "the on-call step is due, but nobody is on call to page");
payload const manager = step("engineering-manager", "Engineering manager notified");
payload const vp = step("vp-engineering", "VP Engineering notified");
payload const executives = step("executives", "Executive team notified");

void check_fired(std::vector<event> const& events, std::vector<payload> const& want, timestamp when) {
    CHECK(describe(payloads(events)) == describe(want));
    CHECK(payloads(events) == want);
    for (auto const& e : events) {
        CHECK(e.incident == 1);
        CHECK(e.at == when);
        CHECK(e.by == bot_user);
    }
}

std::size_t count_escalations(event_store& s, std::string const& target) {
    std::size_t n = 0;
    for (auto const& e : s.load()) {
        if (auto const* x = std::get_if<escalated>(&e.what); x && x->target == target) ++n;
    }
    return n;
}

// A replica that lost the race: it looked at the head and the claim table before the other
// wrote, so only the store's transaction (version and claim) can stop the second firing.
class racing_store final : public event_store {
public:
    explicit racing_store(event_store& inner) : inner_(inner), head_(inner.head()) {}
    std::vector<event> load() override { return inner_.load(); }
    std::vector<event> load_between(std::int64_t after, std::int64_t through) override {
        return inner_.load_between(after, through);
    }
    std::vector<write_result> write(std::vector<write_op> const& ops) override {
        auto const r = inner_.write(ops);
        for (auto const& one : r) conflicts += one.status == append_result::conflict;
        return r;
    }
    bool claimed(std::string const&) override { return false; }
    std::int64_t head() override { return head_; }
    std::vector<outbox_entry> pending(std::int64_t after, std::size_t limit) override {
        return inner_.pending(after, limit);
    }
    std::optional<std::string> fact(std::string const& key) override { return inner_.fact(key); }
    int conflicts = 0;

private:
    event_store& inner_;
    std::int64_t head_;
};

}  // namespace

TEST_CASE("the 0 and 5 minute escalations fire once and not again after a restart") {
    harness h;
    declare_p0(h.svc());
    auto const declared_only = h.store().load().size();
    auto const out = h.svc().tick(t0 + 6min);
    CHECK(out.changed);
    check_fired(since(h.store(), declared_only), {on_call, manager}, t0 + 6min);
    CHECK(joined(view_kinds(out)) == "escalation, escalation");
    for (auto const& e : out.effects) {
        if (auto const* p = std::get_if<post>(&e)) CHECK(p->channel == room);
    }
    CHECK(h.svc().next_due() == t0 + 15min);

    h.restart();
    auto const after_restart = h.store().load().size();
    auto const again = h.svc().tick(t0 + 6min);
    CHECK_FALSE(again.changed);
    CHECK(again.effects.empty());
    CHECK(h.store().load().size() == after_restart);
    CHECK(h.svc().next_due() == t0 + 15min);
}

TEST_CASE("after downtime each past-due reminder fires once in due order") {
    harness h;
    declare_p0(h.svc());
    h.restart();
    auto const before = h.store().load().size();
    auto const out = h.svc().tick(t0 + 45min);
    CHECK(out.changed);
    // Due at 0, 5, 15 and 30 (the nudge, then the 30-minute step, as planned in that order).
    check_fired(since(h.store(), before), {on_call, manager, vp, nudged{}, executives}, t0 + 45min);
    CHECK(joined(view_kinds(out)) == "escalation, escalation, escalation, nudge, escalation");
    // The next nudge counts from the one that just went out; the 60-minute step is next.
    CHECK(h.svc().next_due() == t0 + 60min);

    auto const fired = h.store().load().size();
    auto const again = h.svc().tick(t0 + 45min);
    CHECK_FALSE(again.changed);
    CHECK(again.effects.empty());
    CHECK(h.store().load().size() == fired);

    h.restart();
    CHECK_FALSE(h.svc().tick(t0 + 45min).changed);
    CHECK(h.store().load().size() == fired);
}

TEST_CASE("the scheduler fires earliest first across incidents and follows each incident's changes") {
    // P2 with an hourly cadence and no escalation: the clock owes each incident only its nudges.
    auto rules = policy::defaults();
    rules.of(severity::p2).update_every = 1h;
    rules.of(severity::p2).escalation.clear();
    harness h{rules};
    // Three P2 incidents a minute apart: their nudges are due a minute apart too.
    for (int k = 0; k < 3; ++k) {
        auto const at = t0 + std::chrono::minutes{k};
        REQUIRE(h.svc().handle({"alice", "incidents", at}, "declare P2 Queue " + std::to_string(k + 1)).changed);
        REQUIRE(h.svc().handle({"alice", "inc-" + std::to_string(k + 1) + "-queue-" + std::to_string(k + 1), at}, "ack")
                    .changed);
    }
    auto const cadence = std::chrono::duration_cast<seconds>(1h);
    CHECK(h.svc().next_due() == t0 + cadence);
    // An update to the first incident re-plans its nudge: the second incident's is now the earliest.
    h.run("alice", "inc-1-queue-1", t0 + 3min, "update Draining");
    CHECK(h.svc().next_due() == t0 + 1min + cadence);
    auto const before = h.store().load().size();
    h.svc().tick(t0 + 3min + cadence);
    std::string order;
    for (auto const& e : since(h.store(), before)) {
        if (std::holds_alternative<nudged>(e.what)) order += std::to_string(e.incident);
    }
    CHECK(order == "231");
    // Resolved, an incident owes no nudge: the schedule drops it.
    h.run("alice", "inc-2-queue-2", t0 + 4min + cadence, "resolve Drained");
    h.run("alice", "inc-3-queue-3", t0 + 4min + cadence, "resolve Drained");
    h.run("alice", "inc-1-queue-1", t0 + 4min + cadence, "resolve Drained");
    auto const next = h.svc().next_due();
    REQUIRE(next);
    CHECK(*next > t0 + 4min + cadence + cadence);
    h.restart();
    CHECK(h.svc().next_due() == next);
}

TEST_CASE("two replicas on the same file fire a reminder once in total") {
    harness h;
    declare_p0(h.svc());
    auto b = h.another();
    auto const declared_only = h.store().load().size();

    CHECK(h.svc().tick(t0 + 6min).changed);
    auto const second = b.svc().tick(t0 + 6min);
    CHECK_FALSE(second.changed);
    CHECK(second.effects.empty());
    check_fired(since(h.store(), declared_only), {on_call, manager}, t0 + 6min);

    // The other way round: B, now up to date, fires the 15-minute step; A, stale, sees the claim.
    auto const two = h.store().load().size();
    CHECK(b.svc().tick(t0 + 16min).changed);
    CHECK_FALSE(h.svc().tick(t0 + 16min).changed);
    check_fired(since(h.store(), two), {vp}, t0 + 16min);
    for (auto const* target : {"on-call", "engineering-manager", "vp-engineering"}) {
        CAPTURE(target);
        CHECK(count_escalations(h.store(), target) == 1);
    }
    CHECK(h.svc().incidents() == b.svc().incidents());
}

TEST_CASE("a replica that lost the race is stopped by the store's conflict") {
    harness h;
    declare_p0(h.svc());
    auto b = h.another();
    racing_store racing{b.store()};
    warroom::app::service late{racing, policy::defaults()};
    auto const declared_only = h.store().load().size();

    CHECK(h.svc().tick(t0 + 6min).changed);
    auto const out = late.tick(t0 + 6min);
    CHECK_FALSE(out.changed);
    CHECK(out.effects.empty());
    CHECK(racing.conflicts == 1);
    check_fired(since(h.store(), declared_only), {on_call, manager}, t0 + 6min);
    CHECK(late.incidents() == h.svc().incidents());
}

TEST_CASE("a command from a stale replica is decided again on the fresh state") {
    harness h;
    declare_p0(h.svc());
    auto b = h.another();
    h.run("alice", room, t0 + 1min, "assign ic @bob");
    auto const before = h.store().load().size();
    // B has not seen the IC: its append conflicts on the version, it reloads and decides again.
    auto const out = b.svc().handle({"bob", room, t0 + 2min}, "assign comms @carol");
    CHECK(out.changed);
    auto const recorded = since(h.store(), before);
    CHECK(recorded == std::vector<event>{
                          event{1, t0 + 2min, "bob", role_assigned{role::communications_lead, "carol", std::nullopt}},
                          event{1, t0 + 2min, "bob", invited{{"carol"}}}});
    CHECK(b.svc().incidents() == replay(h.store().load()));
    CHECK(b.svc().find(1)->holder(role::incident_commander) == user_id{"bob"});
}

TEST_CASE("two replicas declaring at the same time get consecutive numbers") {
    harness h;
    auto b = h.another();
    h.run("alice", "incidents", t0, "declare P2 Search is slow");
    // B still believes the installation is empty: number 1 conflicts, it reloads and takes 2.
    auto const out = b.svc().handle({"bob", "incidents", t0}, "declare P2 Exports fail");
    CHECK(out.changed);
    std::vector<event> log;
    for (auto const& e : h.store().load()) {
        if (std::holds_alternative<declared>(e.what)) log.push_back(e);
    }
    REQUIRE(log.size() == 2);
    CHECK(log[0].incident == 1);
    CHECK(log[1].incident == 2);
    CHECK(std::get<declared>(log[1].what).channel == "inc-2-exports-fail");
    CHECK(std::get<open_war_room>(out.effects.front()).name == "inc-2-exports-fail");
}

TEST_CASE("a replica decides on what another replica recorded since it last looked") {
    harness h;
    auto b = h.another();
    declare_p0(h.svc());
    h.run("alice", room, t0 + 1min, "assign ic @bob");
    // B opened before both: it must know the war room and its IC, or it would refuse.
    auto const out = b.svc().handle({"bob", room, t0 + 2min}, "advance");
    CHECK(out.changed);
    REQUIRE(b.svc().find(1) != nullptr);
    CHECK(b.svc().find(1)->ph == phase::investigation);
    CHECK(h.svc().handle({"alice", room, t0 + 3min}, "status").effects.size() == 1);
    CHECK(h.svc().find(1)->ph == phase::investigation);
}
