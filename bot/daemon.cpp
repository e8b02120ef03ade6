// Wiring of the Slack adapter around the service, and the scheduler loop: the service knows when
// the next reminder is due; the loop sleeps until then (at most a second, so incidents declared
// meanwhile, here or by another replica, are seen) and fires what is due. Under systemd it says when
// it is ready, pings the watchdog from the loop and says when it stops.
#include "bot/daemon.hpp"

#include <unistd.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <csignal>
#include <cstdlib>
#include <list>
#include <random>

#include "adapters/boost/coro.hpp"
#include "adapters/charts/png.hpp"
#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "adapters/outbox/runner.hpp"
#include "adapters/slack/deliverer.hpp"
#include "adapters/slack/directory.hpp"
#include "adapters/slack/interactions.hpp"
#include "adapters/slack/socket_mode_client.hpp"
#include "adapters/slack/web_api.hpp"
#include "adapters/status_page/status_page.hpp"
#include "adapters/statuspage/deliverer.hpp"
#include "adapters/store/open_store.hpp"
#include "adapters/systemd/notify.hpp"
#include "app/service.hpp"
#include "bot/endpoints.hpp"

namespace warroom::bot {
namespace {

namespace asio = boost::asio;
using slack::task;
using slack::tuple_awaitable;
using slack::wall_clock_now;

task<void> scheduler(app::service& svc, asio::steady_timer& timer, std::shared_ptr<spdlog::logger> log) {
    for (;;) {
        auto wait = std::chrono::milliseconds{1000};
        if (auto const due = svc.next_due()) {
            auto const until =
                std::chrono::duration_cast<std::chrono::milliseconds>(*due - std::chrono::system_clock::now());
            wait = std::clamp(until, std::chrono::milliseconds{0}, wait);
        }
        timer.expires_after(wait);
        co_await timer.async_wait(tuple_awaitable);
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
        auto const now = wall_clock_now();
        co_await coro::called_back(co_await asio::this_coro::executor, app::commit_deadline,
                                   [&](std::function<void()> done) { svc.read_before_tick(now, std::move(done)); });
        // A stop that came during the read: nothing more is fired.
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
        try {
            svc.tick(now);
        } catch (app::store_error const& err) {
            log->error("scheduler: store: {}", err.what());
        }
    }
}

// auth.test until it answers: the bot's own user id (war rooms it created are recognised by it).
task<std::string> who_am_i(slack::web_api& api, std::shared_ptr<spdlog::logger> log) {
    slack::backoff delays{std::chrono::milliseconds{500}, std::chrono::milliseconds{30'000}};
    asio::steady_timer timer{co_await asio::this_coro::executor};
    std::minstd_rand random{std::random_device{}()};
    for (;;) {
        auto const r = co_await api.call("auth.test", nlohmann::json::object());
        if (r.ok()) {
            log->info("slack: connected to team {} as bot user {}", r.body.value("team", std::string{}),
                      r.body.value("user_id", std::string{}));
            co_return r.body.value("user_id", std::string{});
        }
        if (!r.transient()) throw std::runtime_error("SLACK_BOT_TOKEN was refused by auth.test: " + r.error());
        log->warn("slack: auth.test: {}; retrying", r.error());
        timer.expires_after(delays.next(std::uniform_real_distribution<double>{0, 1}(random)));
        co_await timer.async_wait(asio::use_awaitable);
    }
}

// WATCHDOG=1 every `every` from a timer on this loop: a loop that stops turning stops the pings, and
// systemd restarts the daemon.
task<void> watchdog(systemd::notifier& systemd, std::chrono::microseconds every, std::shared_ptr<spdlog::logger> log) {
    asio::steady_timer timer{co_await asio::this_coro::executor};
    for (;;) {
        if (auto const ec = systemd.send("WATCHDOG=1")) log->warn("systemd: WATCHDOG=1: {}", ec.message());
        timer.expires_after(every);
        co_await timer.async_wait(tuple_awaitable);
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
    }
}

// Replicas on one store: each says it is alive every 2 s (for 6 s) and keeps its Web API calls to its
// share of what Slack allows the app, counting the processes alive. A count that cannot be read
// leaves the share as it was.
task<void> share_slack_budget(app::event_store& store, slack::web_api& api, std::string owner,
                              std::shared_ptr<spdlog::logger> log) {
    constexpr std::chrono::seconds every{2};
    asio::steady_timer timer{co_await asio::this_coro::executor};
    int sharing = 1;
    for (;;) {
        auto const now = wall_clock_now();
        store.submit(app::heartbeat{owner, now + 3 * every}, {});
        try {
            if (auto const live = std::max(1, store.live_processes(now)); live != sharing) {
                log->info("slack: {} process(es) share the app's Web API budget: this one keeps to 1/{} of each "
                          "method's limit",
                          live, live);
                api.share_budget(live);
                sharing = live;
            }
        } catch (app::store_error const& err) {
            log->warn("slack: cannot count the processes sharing the store: {}", err.what());
        }
        timer.expires_after(every);
        co_await timer.async_wait(tuple_awaitable);
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
    }
}

std::optional<std::string> env(char const* name) {
    auto const* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string{v};
}

// The one shutdown signal: every task is bound to a slot of it (an Asio signal has a single slot,
// so each bind gets its own) and one emit stops them all.
class stop_signal {
public:
    asio::cancellation_slot slot() { return signals_.emplace_back().slot(); }
    void emit() {
        for (auto& s : signals_) s.emit(asio::cancellation_type::terminal);
    }

private:
    std::list<asio::cancellation_signal> signals_;  // a list: slots keep their signal's address
};

std::string owner_id() {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(std::random_device{}());
}

}  // namespace

int run_daemon(config::settings const& settings, std::string const& store_url, std::shared_ptr<spdlog::logger> log) {
    asio::io_context ioc{1};
    // First, so it outlives everything that records into it (the store's writer thread included).
    metrics::registry measured;
    // Commits happen on the store's writer thread; their completions come back to this loop.
    auto const owned_store = store::open_store(store_url, store::open_mode::create,
                                               [&ioc](std::function<void()> fn) { asio::post(ioc, std::move(fn)); });
    auto& store = *owned_store;
    auto tls = slack::make_tls_context(settings.slack.ca_file);
    // Bursts of a third to a half of the per-minute rate: a person clicking fast is never held back.
    app::user_limits const limits{
        {settings.limits.declares_per_minute, std::max(1, settings.limits.declares_per_minute / 2)},
        {settings.limits.commands_per_minute, std::max(1, settings.limits.commands_per_minute / 4)},
        {settings.limits.marks_per_minute, std::max(1, settings.limits.marks_per_minute / 3)}};
    app::service svc{store, settings.policy, settings.slack.command, true, limits};
    for (auto const& w : config::warnings(settings)) log->warn("config: {}", w);
    constexpr std::chrono::milliseconds request_timeout{10'000};
    slack::web_api api{ioc.get_executor(), tls,
                       slack::web_api_settings{settings.slack.api_url, settings.slack.bot_token,
                                               settings.slack.app_token, settings.slack.rate_limit_scale,
                                               request_timeout},
                       log};
    slack::deliverer to_slack{ioc.get_executor(), store, api, log};
    std::optional<paging::settings> pager;
    if (!settings.paging.vendor.empty()) pager = paging_of(settings.paging);
    // The paging vendor, the ticket system and Statuspage have their own connections: a Slack outage or
    // Slack's rate shaping never holds a page, a ticket or a publication.
    http::client to_vendor{ioc.get_executor(), tls, request_timeout};
    // SMTP runs on the mailer's own threads: a slow mail server never holds this loop.
    std::optional<email::smtp_client> mailer;
    if (auto const& e = settings.email; !e.smtp_url.empty())
        mailer.emplace(email::smtp_settings{e.smtp_url, e.starttls, e.username, e.password, e.timeout,
                                            settings.slack.ca_file});
    std::optional<statuspage::deliverer> to_statuspage;
    if (auto const& sp = settings.status_page.statuspage; !sp.page_id.empty()) {
        to_statuspage.emplace(to_vendor, store, statuspage::settings{sp.api_url, sp.page_id, sp.api_key, sp.components},
                              log);
        log->info("statuspage: publications go to page {} at {}", sp.page_id, sp.api_url);
    }
    deliverer to_world{to_slack,
                       to_vendor,
                       pager,
                       settings.alerts,
                       mailer ? &*mailer : nullptr,
                       settings.email.from,
                       to_statuspage ? &*to_statuspage : nullptr,
                       log};
    if (settings.alerts.ticket_url.empty() &&
        (!settings.alerts.token.empty() || !settings.alerts.webhook_secrets.empty()))
        log->info("alerts: low alerts are recorded only: no ticket system ([alerts] ticket_url) is configured");
    outbox::runner_settings const delivery{owner_id()};
    outbox::runner out{ioc.get_executor(), store, to_world, log, delivery};
    svc.lease_outbox_to({delivery.owner, delivery.lease});
    slack::directory people{ioc.get_executor(), api, log};
    svc.set_directory(&people);
    to_slack.set_directory(&people);
    to_slack.set_chart_renderer([](core::chart const& c) { return charts::render_png(c); });
    slack::interactions router{
        ioc.get_executor(), svc, to_slack, api, settings.slack.command, settings.slack.timeline_reaction, log};
    slack::socket_mode_client socket{ioc.get_executor(), tls, api,
                                     [&router](slack::envelope e) { return router.handle(std::move(e)); }, log};
    // A write on disk has outbox entries to deliver, and may make a reminder due now (a P1's 0-minute page).
    asio::steady_timer scheduler_timer{ioc};
    svc.on_written([&] {
        out.wake();
        scheduler_timer.cancel();
    });
    // Another replica's writes: new outbox entries or leases let go, events to catch up with.
    bool const shared_store = store.on_others_wrote([&](std::int64_t head) {
        svc.others_wrote(head);
        out.wake();
    });
    if (shared_store) svc.told_of_others();
    router.on_groups_changed([&people] { people.refresh(); });
    socket.measure(measured);
    api.measure(measured);
    out.measure(measured);
    if (auto* grouped = dynamic_cast<store::group_commit*>(&store)) grouped->measure(measured);
    measure_incidents(measured, svc);
    metrics::measure_process(measured);
    // Binds now: a taken port is a start-up error, not a surprise later.
    http::server web{
        ioc.get_executor(), http::server_settings{settings.http_listen},
        endpoints(svc, store, settings.paging, settings.alerts,
                  readiness_sources{[&socket] { return socket.connections_ready(); },
                                    [&out] { return out.oldest_since(); }, settings.http_outbox_stuck_after},
                  measured, dashboard_guard{settings.dashboard_token, config::loopback_listen(settings.http_listen)},
                  log),
        log};
    // The public status page, when configured: a listener of its own, so it can face the internet
    // while /metrics and the webhooks do not.
    std::optional<status_page::site> page;
    std::optional<http::server> page_web;
    if (auto const& sp = settings.status_page; !sp.listen.empty()) {
        page.emplace(sp.page, svc.rules(),
                     status_page::source{[&svc] {
                                             std::vector<core::incident const*> out;
                                             for (int n : svc.published()) {
                                                 if (auto const* i = svc.find(n)) out.push_back(i);
                                             }
                                             return out;
                                         },
                                         [&svc] {
                                             std::vector<core::maintenance const*> out;
                                             for (auto const& [n, m] : svc.maintenances()) out.push_back(&m);
                                             return out;
                                         },
                                         [&svc] { return svc.publications_seen(); }});
        page_web.emplace(ioc.get_executor(), http::server_settings{sp.listen},
                         [&page](http::request r) -> http::task<http::response> {
                             co_return page->answer(r, wall_clock_now());
                         },
                         log);
        log->info("status page: listening on port {} ({} component(s))", page_web->port(), sp.page.components.size());
    }
    // systemd (Type=notify): READY=1 at the first Socket Mode hello, not when the process merely
    // serves, because only then does warroom take incident commands; until then `systemctl start`
    // waits, and a Slack that stays unreachable fails the start visibly (TimeoutStartSec).
    std::optional<systemd::unix_address> notify_to;
    if (auto const where = env("NOTIFY_SOCKET")) {
        notify_to = systemd::notify_address(*where);
        if (!notify_to) log->warn("systemd: NOTIFY_SOCKET {} is not a socket address; not notifying", *where);
    }
    systemd::notifier systemd_notify{notify_to};
    auto const tell_systemd = [&](std::string_view state) {
        if (auto const ec = systemd_notify.send(state)) log->warn("systemd: {}: {}", state, ec.message());
    };
    bool told_ready = false;
    socket.on_ready([&] {
        if (told_ready) return;
        told_ready = true;
        tell_systemd("READY=1");
    });
    log->info("warroom run: {} incident(s) in the store, Slack API {}", svc.incidents().size(), settings.slack.api_url);

    int exit_code = 0;
    stop_signal stop;
    int running = 0;
    auto const done = [&](char const* what) {
        return [&, what](std::exception_ptr e) {
            --running;
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (boost::system::system_error const& err) {
                if (err.code() == asio::error::operation_aborted) return;
                log->error("{}: {}", what, err.what());
            } catch (std::exception const& err) {
                log->error("{}: {}", what, err.what());
            }
            exit_code = 1;
            stop.emit();
        };
    };

    asio::signal_set signals{ioc, SIGINT, SIGTERM};
    bool stopping = false;
    signals.async_wait([&](boost::system::error_code ec, int signal) {
        if (ec) return;
        stopping = true;
        tell_systemd("STOPPING=1");
        log->info("warroom run: signal {}: draining", signal);
        stop.emit();
    });

    ++running;
    asio::co_spawn(ioc, web.run(), asio::bind_cancellation_slot(stop.slot(), done("http")));
    if (page_web) {
        ++running;
        asio::co_spawn(ioc, page_web->run(), asio::bind_cancellation_slot(stop.slot(), done("status page")));
    }
    if (shared_store) {
        ++running;
        asio::co_spawn(ioc, share_slack_budget(store, api, delivery.owner, log),
                       asio::bind_cancellation_slot(stop.slot(), done("slack budget")));
    }
    if (auto const interval = systemd::watchdog_interval(env("WATCHDOG_USEC"), env("WATCHDOG_PID"), getpid());
        interval && systemd_notify.enabled()) {
        ++running;
        asio::co_spawn(ioc, watchdog(systemd_notify, *interval / 2, log),
                       asio::bind_cancellation_slot(stop.slot(), done("systemd watchdog")));
    }

    ++running;
    asio::co_spawn(ioc, who_am_i(api, log),
                   asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, std::string bot_user) {
                       --running;
                       if (e || stopping) {
                           if (e) done("slack auth.test")(e);
                           signals.cancel();
                           return;
                       }
                       to_slack.set_bot_user(bot_user);
                       router.set_bot_user(bot_user);
                       running += 4;
                       asio::co_spawn(ioc, people.run(),
                                      asio::bind_cancellation_slot(stop.slot(), done("user groups")));
                       asio::co_spawn(ioc, socket.run(),
                                      asio::bind_cancellation_slot(stop.slot(), done("socket mode")));
                       asio::co_spawn(ioc, out.run(), asio::bind_cancellation_slot(stop.slot(), done("outbox")));
                       asio::co_spawn(ioc, scheduler(svc, scheduler_timer, log),
                                      asio::bind_cancellation_slot(stop.slot(), done("scheduler")));
                   }));
    // Runs until every task has finished: after a signal they drain and return.
    while (ioc.run_one()) {
        if (running == 0) {
            signals.cancel();
        }
    }
    if (auto const* grouped = dynamic_cast<store::group_commit const*>(&store)) {
        auto const c = grouped->written();
        log->info("store: {} writes in {} transactions", c.writes, c.transactions);
    }
    charts::release_static_data();
    log->info("warroom run: stopped (exit {})", exit_code);
    return exit_code;
}

}  // namespace warroom::bot
