// The store side of bench/reminders.mjs, which measures how late `warroom run` fires update nudges, and
// of bench/slack_load.mjs's history phase, a declare's cost in a store with a past. Declaring thousands
// of incidents through Slack would take hours (channel creation is 20 a minute), so they are declared
// straight into the store through the core service, without the outbox (no Slack effects are owed), at
// past times. Every mode takes the store URL and the policy from a config file the benchmark writes
// for the daemon.
//   declare --count N --first-declared EPOCH --window S   N P1 incidents declared evenly over
//            [EPOCH, EPOCH + S); prints "<incident> <war room> <declared at, epoch s>" for each
//   history --closed C --open O   a past for bench/slack_load.mjs's history phase: C closed incidents
//            then O open ones, declared an hour apart until two hours ago; prints the last incident number
//   rooms    reads "<incident> <war room> <channel id>" lines (the rooms made in the simulator) and
//            records the delivery facts the outbox records when it creates a war room itself
//   watch    prints "<unix ms> <head>" whenever the store's head moves (polled every 10 ms) until
//            stdin closes: when each event was committed, give or take a poll
//   nudges   prints "<position> <incident> <at, epoch s>" for every nudged event in the store
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/store/open_store.hpp"
#include "config/config.hpp"
#include "core/reminders.hpp"
#include "app/service.hpp"

namespace {

using namespace warroom;

struct options {
    std::string mode;
    std::string config;
    long count = 0;
    long first_declared = 0;
    long window = 60;
    long closed = 0;
    long open = 0;
};

std::optional<long> to_long(char const* text, long min, long max) {
    char* end = nullptr;
    long const v = std::strtol(text, &end, 10);
    if (*end != '\0' || v < min || v > max) return std::nullopt;
    return v;
}

std::optional<options> parse(int argc, char** argv) {
    if (argc < 2 || argc % 2 != 0) return std::nullopt;
    options o;
    o.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string_view const arg = argv[i];
        char const* value = argv[i + 1];
        std::optional<long> n;
        if (arg == "--config") {
            o.config = value;
        } else if (arg == "--count" && (n = to_long(value, 1, 1'000'000))) {
            o.count = *n;
        } else if (arg == "--first-declared" && (n = to_long(value, 1, 1L << 40))) {
            o.first_declared = *n;
        } else if (arg == "--window" && (n = to_long(value, 1, 86'400))) {
            o.window = *n;
        } else if (arg == "--closed" && (n = to_long(value, 0, 1'000'000))) {
            o.closed = *n;
        } else if (arg == "--open" && (n = to_long(value, 0, 1'000'000))) {
            o.open = *n;
        } else {
            return std::nullopt;
        }
    }
    if (o.config.empty()) return std::nullopt;
    if (o.mode == "declare") return o.count > 0 && o.first_declared > 0 ? std::optional{o} : std::nullopt;
    if (o.mode == "history") return o.closed + o.open > 0 ? std::optional{o} : std::nullopt;
    if (o.mode == "rooms" || o.mode == "watch" || o.mode == "nudges") return o;
    return std::nullopt;
}

// The seeded commands are one user's at simulated times, many a minute: the per-user fairness limits
// (10 declares and 120 commands a minute by default) would refuse them.
app::user_limits const unlimited{{}, {}, {}};

void declare(app::event_store& store, core::policy const& rules, options const& o) {
    app::service svc{store, rules, "/incident", false, unlimited};
    for (long k = 0; k < o.count; ++k) {
        auto const at = core::timestamp{core::seconds{o.first_declared + k * o.window / o.count}};
        auto const out = svc.handle({"U111", "incidents", at}, "declare P1 Bench incident " + std::to_string(k));
        if (!out.changed) throw std::runtime_error("declare " + std::to_string(k) + " was refused");
        auto const& i = svc.incidents().rbegin()->second;
        // Acknowledged as it is declared: unacknowledged, the room would be told at start-up instead.
        if (!svc.handle({"U111", i.channel, at}, "ack").changed) {
            throw std::runtime_error("ack of incident " + std::to_string(i.number) + " was refused");
        }
        auto const pending = core::pending_reminders(i, svc.rules());
        // Any other reminder (an escalation step) would fire at start-up and crowd out the nudges.
        if (pending.size() != 1 || pending.front().kind != core::reminder_kind::update_nudge) {
            std::string keys;
            for (auto const& r : pending) keys += " " + r.key;
            throw std::runtime_error("incident " + std::to_string(i.number) + " owes " +
                                     std::to_string(pending.size()) + " reminders (" + keys.substr(1) +
                                     "): the config must give P1 an update_every and escalation = []");
        }
        std::cout << i.number << ' ' << i.channel << ' ' << at.time_since_epoch().count() << '\n';
    }
}

// Closed incidents go the whole way (declared, acknowledged, resolved, reported on, closed); open ones
// are acknowledged P3s, which owe no reminder: an open P1 would owe update nudges and escalation steps,
// and the daemon would fire them into the measured declares.
void history(app::event_store& store, core::policy const& rules, options const& o) {
    using std::chrono::hours, std::chrono::minutes;
    app::service svc{store, rules, "/incident", false, unlimited};
    auto const run = [&](core::timestamp at, std::string const& text) {
        if (!svc.handle({"U111", "incidents", at}, text).changed) {
            throw std::runtime_error("\"" + text + "\" was refused");
        }
    };
    long const total = o.closed + o.open;
    auto const first = std::chrono::floor<hours>(std::chrono::system_clock::now()) - hours{total + 1};
    for (long k = 0; k < total; ++k) {
        auto const at = core::timestamp{first + hours{k}};
        bool const closed = k < o.closed;
        run(at, (closed ? "declare P1 type:outage History outage " : "declare P3 type:performance History slowdown ") +
                    std::to_string(k));
        auto const& i = svc.incidents().rbegin()->second;
        auto const ref = std::to_string(i.number);
        run(at + minutes{5}, "ack " + ref);
        if (closed) {
            run(at + minutes{30}, "resolve " + ref + " rolled back the deploy");
            run(at + minutes{40}, "report " + ref);
            run(at + minutes{45}, "close " + ref);
        } else if (auto const pending = core::pending_reminders(i, svc.rules()); !pending.empty()) {
            throw std::runtime_error("open incident " + ref + " owes a reminder: " + pending.front().key);
        }
    }
    std::cout << svc.incidents().rbegin()->first << '\n';
}

// The facts outbox.cpp records when it creates a war room: it posts to the room by id from then on.
void rooms(app::event_store& store) {
    int number = 0;
    std::string room, id;
    while (std::cin >> number >> room >> id) {
        store.put_fact("room:" + room, R"({"id":")" + id + R"(","name":")" + room + R"("})");
        store.put_fact("channel:" + id, room);
        store.put_fact("incident:" + std::to_string(number), room);
    }
    if (!std::cin.eof()) throw std::runtime_error("rooms: expected \"<incident> <war room> <channel id>\" lines");
}

void watch(app::event_store& store) {
    std::int64_t seen = -1;
    for (;;) {
        if (auto const head = store.head(); head != seen) {
            seen = head;
            auto const now = std::chrono::system_clock::now().time_since_epoch();
            std::cout << std::chrono::duration_cast<std::chrono::milliseconds>(now).count() << ' ' << head << std::endl;
        }
        pollfd in{STDIN_FILENO, POLLIN, 0};
        if (::poll(&in, 1, 10) > 0) {
            char buffer[256];
            if (::read(STDIN_FILENO, buffer, sizeof buffer) <= 0) return;
        }
    }
}

void nudges(app::event_store& store) {
    // The port numbers events 1, 2, 3… in append order, and load() returns them in that order.
    std::int64_t position = 0;
    for (auto const& e : store.load()) {
        ++position;
        if (!std::holds_alternative<core::nudged>(e.what)) continue;
        std::cout << position << ' ' << e.incident << ' ' << e.at.time_since_epoch().count() << '\n';
    }
}

}  // namespace

int main(int argc, char** argv) {
    auto const opts = parse(argc, argv);
    if (!opts) {
        std::cerr << "usage: seed_incidents declare --config FILE --count N --first-declared EPOCH [--window SECONDS]\n"
                     "       seed_incidents history --config FILE --closed N --open N\n"
                     "       seed_incidents rooms|watch|nudges --config FILE\n";
        return 2;
    }
    try {
        // The file alone, as the benchmark wrote it: no variable of this shell may point elsewhere.
        auto const settings = config::load(opts->config, [](std::string_view) { return std::optional<std::string>{}; });
        bool const seeds = opts->mode == "declare" || opts->mode == "history";
        auto store =
            store::open_store(settings.store_url, seeds ? store::open_mode::create : store::open_mode::existing);
        if (opts->mode == "declare") declare(*store, settings.policy, *opts);
        if (opts->mode == "history") history(*store, settings.policy, *opts);
        if (opts->mode == "rooms") rooms(*store);
        if (opts->mode == "watch") watch(*store);
        if (opts->mode == "nudges") nudges(*store);
    } catch (std::exception const& e) {
        std::cerr << "seed_incidents: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
