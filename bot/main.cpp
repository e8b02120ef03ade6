// The composition root: command line, configuration, store, service, adapter. Only this file knows
// every piece. Exit codes: 0 success, 1 a runtime failure (store, missing incident, a copy not made),
// 2 bad usage (an unknown option, a missing argument), configuration, or a store that cannot be opened.
#include <unistd.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "adapters/console/console.hpp"
#include "adapters/console/line_editor.hpp"
#include "adapters/store/copy_tables.hpp"
#include "adapters/store/open_store.hpp"
#include "app/service.hpp"
#include "bot/daemon.hpp"
#include "bot/logging.hpp"
#include "config/config.hpp"
#include "core/period_report.hpp"
#include "core/report.hpp"

namespace {

using namespace warroom;

constexpr char const* console_store = "sqlite://data/warroom.db";

core::timestamp system_now() { return std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now()); }

std::string config_source(std::optional<std::string> const& flag) {
    if (flag) return *flag;
    if (auto const* env = std::getenv("WARROOM_CONFIG"); env && *env) return env;
    return "built-in defaults";
}

std::string default_user() {
    if (auto const* u = std::getenv("USER"); u && *u) return u;
    return "you";
}

// Exit 0 copied, 1 not copied (a target that is not empty, counts that disagree, a failure midway:
// nothing of it written), 2 a store that cannot be opened. Messages show URLs without passwords.
int migrate_store(std::string const& from_url, std::string const& to_url) {
    auto const from_shown = config::redact_url(from_url), to_shown = config::redact_url(to_url);
    std::unique_ptr<store::table_store> from, to;
    try {
        // The source first: a mistyped one creates no target file.
        from = store::open_tables(from_url, store::open_mode::existing);
        to = store::open_tables(to_url, store::open_mode::create);
    } catch (app::store_error const& e) {
        std::cerr << "warroom migrate-store: " << (from ? "target " + to_shown : "source " + from_shown) << ": "
                  << e.what() << '\n';
        return 2;
    }
    try {
        for (auto const& t : store::copy_tables(*from, *to)) {
            std::cout << t.table << ": " << t.copied << " rows copied (source " << t.source << ", target " << t.target
                      << ")\n";
        }
        std::cout << "copied " << from_shown << " into " << to_shown << '\n';
        return 0;
    } catch (std::exception const& e) {
        std::cerr << "warroom migrate-store: from " << from_shown << " into " << to_shown << ": " << e.what() << '\n';
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"warroom — incident response in Slack, by the team's procedures"};
    app.set_version_flag("--version", std::string("warroom ") + WARROOM_VERSION);
    app.require_subcommand(1);
    // Global options may follow the subcommand too: `warroom console --store ...`.
    app.fallthrough();
    std::optional<std::string> config_path;
    app.add_option("-c,--config", config_path, "TOML config file (default: $WARROOM_CONFIG, else built-in defaults)");
    std::optional<std::string> store_url;
    app.add_option("--store", store_url, "store URL, overriding the config (sqlite:///path.db)");

    auto* run = app.add_subcommand("run", "the daemon: Slack Socket Mode, HTTP endpoints, timers");
    auto* console_cmd = app.add_subcommand("console", "the same core in a terminal, no Slack needed");
    std::string as_user = default_user(), in_channel = "incidents";
    std::optional<std::string> start_clock;
    console_cmd->add_option("--as", as_user, "the user you start as");
    console_cmd->add_option("--in", in_channel, "the channel you start in");
    console_cmd->add_option("--clock", start_clock, "simulated start time, UTC (2026-01-05T09:00Z); default now");
    auto* check = app.add_subcommand("check-config", "validate the configuration and print what is in force");
    auto* report = app.add_subcommand(
        "report", "print incident N's report, or the latest weekly, monthly, quarterly or annual report, as Markdown");
    std::optional<int> report_number;
    auto* number_option = report->add_option("N", report_number, "incident number");
    std::optional<core::period_kind> report_period;
    auto* period_options = report->add_option_group("period", "the periodic report posted to [reports] channel");
    for (auto const kind : core::all_period_kinds) {
        auto const name = std::string(core::to_string(kind));
        period_options
            ->add_flag_callback("--" + name, [&report_period, kind] { report_period = kind; },
                                "the " + name + " report last due (as posted at 09:00 in [reports] time_zone)")
            ->excludes(number_option);
    }
    period_options->require_option(0, 1);
    std::optional<std::string> report_as_of;
    report->add_option("--as-of", report_as_of, "the report as it read at this time, UTC (2026-01-06T10:01Z); default now");
    auto* migrate_schema = app.add_subcommand(
        "migrate", "make the store's tables or bring them to this version's schema, then exit (a Kubernetes migration Job)");
    auto* migrate = app.add_subcommand("migrate-store", "copy a store into an empty one (SQLite to PostgreSQL)");
    std::string migrate_from, migrate_to;
    migrate->add_option("--from", migrate_from, "the store to copy (sqlite:///path.db, postgresql://…)")->required();
    migrate->add_option("--to", migrate_to, "the empty store to copy into")->required();

    try {
        app.parse(argc, argv);
    } catch (CLI::CallForHelp const& e) {
        return app.exit(e);
    } catch (CLI::CallForVersion const& e) {
        return app.exit(e);
    } catch (CLI::RequiredError const& e) {
        // CLI11 checks for a subcommand before it looks at what it could not place: name the
        // mistyped option (`warroom --bogus`) rather than only "a subcommand is required".
        if (app.remaining().empty()) app.exit(e);
        else app.exit(CLI::ExtrasError(app.remaining()));
        return 2;
    } catch (CLI::ParseError const& e) {
        // Every usage error exits 2, as a bad configuration does (CLI11's own codes vary by error).
        app.exit(e);
        return 2;
    }

    config::settings settings;
    try {
        settings = config::load(config_path, config::process_env());
    } catch (config::config_error const& e) {
        std::cerr << "warroom: " << e.what() << '\n';
        return 2;
    }
    auto const log = bot::make_logger(*console_cmd || *report ? std::string("warn") : settings.log_level);

    if (*check) {
        std::cout << config::describe(settings);
        return 0;
    }
    if (*migrate) return migrate_store(migrate_from, migrate_to);

    std::string url = settings.store_url;
    if (store_url) {
        url = *store_url;
    } else if ((*console_cmd || *report) && url == config::settings{}.store_url) {
        // The daemon's default lives under /var/lib; a newcomer's console keeps its data here,
        // and `warroom report` reads what that console wrote.
        url = console_store;
    }

    if (*migrate_schema) {
        // What every process does at start, under the store's write lock; alone, an upgrade's
        // migration runs (or is refused: a newer schema) before any pod of the new version starts.
        try {
            store::open_tables(url, store::open_mode::create);
        } catch (app::store_error const& e) {
            std::cerr << "warroom migrate: " << e.what() << '\n';
            return 2;
        }
        std::cout << "warroom migrate: " << config::redact_url(url) << " has this version's tables\n";
        return 0;
    }

    try {
        if (*run) {
            if (settings.slack.app_token.empty() || settings.slack.bot_token.empty()) {
                std::cerr << "warroom run: SLACK_APP_TOKEN and SLACK_BOT_TOKEN must be set (or the credentials "
                             "slack-app-token and slack-bot-token, or slack.app_token_file and slack.bot_token_file; "
                             "see README); try `warroom console` to run incidents without Slack\n";
                return 2;
            }
            log->info("config={} store={}", config_source(config_path), config::redact_url(url));
            return bot::run_daemon(settings, url, log);
        }

        // A time option, or now; nullopt (after saying why) when it is not a time.
        auto const time_option = [](char const* option, std::optional<std::string> const& text,
                                    char const* command) -> std::optional<core::timestamp> {
            if (!text) return system_now();
            auto const parsed = core::parse_time(*text);
            if (!parsed) std::cerr << "warroom " << command << ": " << option << " " << *text << ": use YYYY-MM-DDTHH:MMZ (UTC)\n";
            return parsed;
        };
        // Read before the store is opened: a mistyped option creates no store.
        auto const at = *report ? time_option("--as-of", report_as_of, "report")
                                : time_option("--clock", start_clock, "console");
        if (!at) return 2;
        if (*report && !report_number && !report_period) {
            std::cerr << "warroom report: give an incident number N, or --weekly, --monthly, --quarterly or --annual\n";
            return 2;
        }

        auto store = store::open_store(url, *report ? store::open_mode::existing : store::open_mode::create);
        // One person at a keyboard (or a script replaying a session at one simulated instant): no rate limits.
        app::service svc(*store, settings.policy, settings.slack.command, false, app::user_limits{{}, {}, {}});
        log->info("store={} incidents={}", config::redact_url(url), svc.incidents().size());

        if (*report && report_period) {
            auto const of = core::latest_due(*report_period, *at, svc.rules().report_zone());
            std::cerr << "warroom report: the " << core::to_string(*report_period) << " report for " << of.label
                      << " from " << config::redact_url(url) << '\n';
            std::cout << core::render_period_report(svc.report_of(of, *at), svc.rules(), svc.rules().report_zone());
            return 0;
        }
        if (*report) {
            auto const* i = svc.find(*report_number);
            if (!i) {
                std::cerr << "warroom report: there is no " << core::incident_ref(*report_number) << " in "
                          << config::redact_url(url) << '\n';
                return 1;
            }
            // Named on stderr, so stdout stays the report: a wrong store is seen at once.
            std::cerr << "warroom report: " << core::incident_ref(*report_number) << " from "
                      << config::redact_url(url) << '\n';
            std::cout << core::render_report(*i, svc.rules(), *at);
            return 0;
        }

        auto start = *at;
        if (auto const newest = svc.last_event_at(); newest && *newest > start) {
            // Reminders already fired up to the newest event; a clock behind it would replay time.
            std::cout << "🕐 the store's newest event is at " << core::format_time(*newest)
                      << "; the simulated clock starts there\n";
            start = *newest;
        }
        bool const interactive = isatty(STDIN_FILENO) != 0;
        console::console_options options{as_user, in_channel, settings.slack.command, !interactive};
        options.on_denial = [log](app::denial const& d) {
            log->warn("refused: {} {} on {}: {}", d.user, d.what, d.incident ? core::incident_ref(d.incident) : "-",
                      d.reason);
        };
        console::console term(svc, std::cout, start, options);
        if (interactive) {
            std::cout << "warroom console — " << svc.incidents().size() << " incident(s) in " << url
                      << ". /help for console commands, " << settings.slack.command << " help for incident commands.\n";
        }
        if (interactive) {
            auto const* home = std::getenv("HOME");
            console::line_editor editor(home && *home ? std::string(home) + "/.warroom_history" : std::string{});
            term.run([&](std::string const& prompt) { return editor.read(prompt); });
        } else {
            term.run(std::cin);
        }
        return 0;
    } catch (app::store_error const& e) {
        // A store that cannot be reached, read or migrated is the operator's to fix, as a bad configuration is.
        std::cerr << "warroom: store " << config::redact_url(url) << ": " << e.what() << '\n';
        return 2;
    } catch (std::exception const& e) {
        std::cerr << "warroom: " << e.what() << '\n';
        return 1;
    }
}
