// Loading settings: built-in defaults, every key of the file, the environment over the file,
// secrets from files, the shipped example, and describe() keeping secrets out of its summary.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "config/config.hpp"
#include "config_test_support.hpp"

using namespace std::chrono_literals;
using warroom::config::describe;
using warroom::config::load;
using warroom::config::parse;
using warroom::config::settings;
using warroom::config::warnings;
using warroom::config::testing::env_of;
using warroom::config::testing::error_of;
using warroom::config::testing::no_env;
using warroom::config::testing::scratch_dir;
namespace core = warroom::core;

namespace {

std::vector<core::seconds> afters(core::severity_policy const& sp) {
    std::vector<core::seconds> out;
    for (auto const& step : sp.escalation) out.push_back(step.after);
    return out;
}

}  // namespace

TEST_CASE("without a file the built-in defaults apply") {
    auto const s = load(std::nullopt, no_env);
    CHECK(s.source.empty());
    CHECK(s.policy == core::policy::defaults());
    CHECK(s.policy.of(core::severity::p0).update_every == 30min);
    CHECK(afters(s.policy.of(core::severity::p0)) == std::vector<core::seconds>{0min, 5min, 15min, 30min, 60min});
    CHECK(s.policy.announce_channel == "#incidents");
    CHECK(s.policy.channel_prefix == "inc");
    CHECK(s.slack.app_token.empty());
    CHECK(s.slack.bot_token.empty());
    CHECK(s.slack.api_url == "https://slack.com/api/");
    CHECK(s.slack.ca_file.empty());
    CHECK(s.slack.command == "/incident");
    CHECK(s.slack.timeline_reaction == "pushpin");
    CHECK(s.store_url == "sqlite:///var/lib/warroom/warroom.db");
    CHECK(s.http_listen == "127.0.0.1:8080");
    CHECK(s.log_level == "info");
}

TEST_CASE("an empty file changes nothing") {
    auto const s = parse("", "warroom.toml", no_env);
    CHECK(s.source == "warroom.toml");
    CHECK(s.policy == core::policy::defaults());
    CHECK(s.store_url == "sqlite:///var/lib/warroom/warroom.db");
}

TEST_CASE("the file comes from --config else WARROOM_CONFIG else none") {
    scratch_dir dir;
    auto const from_flag = dir.write("flag.toml", "[log]\nlevel = \"debug\"\n");
    auto const from_env = dir.write("env.toml", "[log]\nlevel = \"warn\"\n");
    auto const env = env_of({{"WARROOM_CONFIG", from_env}});

    auto const by_env = load(std::nullopt, env);
    CHECK(by_env.source == from_env);
    CHECK(by_env.log_level == "warn");

    auto const by_flag = load(from_flag, env);
    CHECK(by_flag.source == from_flag);
    CHECK(by_flag.log_level == "debug");

    // An empty variable counts as unset.
    CHECK(load(std::nullopt, env_of({{"WARROOM_CONFIG", ""}})).source.empty());
}

TEST_CASE("every key of the file lands in the settings") {
    scratch_dir dir;
    dir.write("app-token", "xapp-1-A01-file\n");
    dir.write("bot-token", "  xoxb-1-2-file  \n");
    dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
    auto const text = R"(
[slack]
announce_channel = "C0123456789"
channel_prefix = "war_room-1"
command = "/sev"
timeline_reaction = ":eyes:"
app_token_file = "app-token"
bot_token_file = "bot-token"
api_url = "http://127.0.0.1:9999/api"
ca_file = "ca.pem"
private_room_name = "sec-{number}"

[access]
incident_admins = ["@U0ADMIN", "@S0SRE", "U0OTHER"]
close = ["ic"]
reopen_closed = ["declarer"]
approve_customer_notice = ["comms"]

[roles]
declarer_leads = false

[limits]
declares_per_minute = 3
commands_per_minute = 0
marks_per_minute = 7

[business_hours]
days = ["Mon", "tue", "wednesday"]
opens = "08:30"

[store]
url = "postgresql://warroom@db.internal/warroom"

[http]
listen = "[::1]:9090"
outbox_stuck_after = "2m"

[log]
level = "debug"

[severity.P0]
name = "Sev zero"
update_every = "10m"
respond_within = "2m"
respond_label = "Right now"
announce_to = "Everyone"
on_call = ["@U0ALICE", "U123"]

[severity.P1]
escalation = [
  { after = "0m", target = "on-call", label = "Paged", notify = ["@oncall"] },
  { after = "1h30m", target = "cto", label = "CTO told", notify = ["@cto", "#leadership"] },
]

[severity.P2]
update_every = "2h"

[severity.P3]
respond_within = "2d"
escalation = [ { after = "1d", target = "team-lead" } ]

[type.outage]
contacts = ["@sre"]
private = true
regulator_clock = true
typical_severity = "P0"

[type.outage.runbook]
title = "Down!"
steps = ["Breathe", "Roll back"]

[type.privacy]
contacts = []
private = false
regulator_clock = false

[post_incident]
report_due = "12h"
postmortem_within = "3d"
regulator_notice = "48h"
snooze = "5m"
remind_before = "2h"
)";
    auto const s = parse(text, dir.file("warroom.toml"), no_env);

    CHECK(s.policy.announce_channel == "C0123456789");
    CHECK(s.policy.channel_prefix == "war_room-1");
    CHECK(s.slack.command == "/sev");
    CHECK(s.slack.timeline_reaction == "eyes");
    CHECK(s.slack.app_token == "xapp-1-A01-file");
    CHECK(s.slack.bot_token == "xoxb-1-2-file");
    CHECK(s.slack.api_url == "http://127.0.0.1:9999/api/");
    CHECK(s.slack.ca_file == dir.file("ca.pem"));
    CHECK(s.store_url == "postgresql://warroom@db.internal/warroom");
    CHECK(s.http_listen == "[::1]:9090");
    CHECK(s.http_outbox_stuck_after == std::chrono::minutes{2});
    CHECK(s.log_level == "debug");

    auto expected = core::policy::defaults();
    expected.announce_channel = "C0123456789";
    expected.channel_prefix = "war_room-1";
    expected.private_room_name = "sec-{number}";
    expected.access.admins = {"U0ADMIN", "S0SRE", "U0OTHER"};
    expected.access.grants[core::privilege::close] = {core::grantee::ic};
    expected.access.grants[core::privilege::reopen_closed] = {core::grantee::declarer};
    expected.access.grants[core::privilege::approve_customer_notice] = {core::grantee::comms};
    expected.declarer_leads = false;
    expected.hours.days = {true, true, true, false, false, false, false};
    expected.hours.opens = 8h + 30min;
    expected.remind_before = 2h;
    CHECK(s.limits.declares_per_minute == 3);
    CHECK(s.limits.commands_per_minute == 0);
    CHECK(s.limits.marks_per_minute == 7);

    auto& p0 = expected.of(core::severity::p0);
    p0.name = "Sev zero";
    p0.update_every = 10min;
    p0.respond_within = 2min;
    p0.respond_label = "Right now";
    p0.announce_to = "Everyone";
    p0.on_call = {"U0ALICE", "U123"};
    auto const& got_p0 = s.policy.of(core::severity::p0);
    CHECK(got_p0.update_every == 10min);
    CHECK(got_p0.respond_within == 2min);
    CHECK(got_p0.on_call == std::vector<std::string>{"U0ALICE", "U123"});
    CHECK(got_p0 == p0);

    auto& p1 = expected.of(core::severity::p1);
    p1.escalation = {{0min, "on-call", "Paged", {"@oncall"}, false, true, false},
                     {90min, "cto", "CTO told", {"@cto", "#leadership"}, true, false, false}};
    CHECK(s.policy.of(core::severity::p1).escalation == p1.escalation);

    expected.of(core::severity::p2).update_every = 2h;
    CHECK(s.policy.of(core::severity::p2).update_every == 2h);

    auto& p3 = expected.of(core::severity::p3);
    p3.respond_within = 48h;
    p3.respond_label = "Within 48h";  // derived: the built-in label would describe the old target
    p3.escalation = {{24h, "team-lead", "team-lead", {}, true, false, false}};
    CHECK(s.policy.of(core::severity::p3) == p3);

    auto& outage = expected.of(core::incident_type::outage);
    outage = {{"Down!", {"Breathe", "Roll back"}}, "", {"@sre"}, true, true, core::severity::p0};
    CHECK(s.policy.of(core::incident_type::outage) == outage);

    auto& privacy = expected.of(core::incident_type::privacy);
    privacy.contacts = {};
    privacy.private_room = false;
    privacy.regulator_clock = false;
    CHECK(s.policy.of(core::incident_type::privacy) == privacy);

    expected.report_due = 12h;
    expected.postmortem_due = 72h;
    expected.regulator_notice = 48h;
    expected.snooze = 5min;
    CHECK(s.policy.report_due == 12h);
    CHECK(s.policy.postmortem_due == 72h);
    CHECK(s.policy.regulator_notice == 48h);
    CHECK(s.policy.snooze == 5min);

    // Nothing else moved.
    CHECK(s.policy == expected);
}

TEST_CASE("rotations paging and escalation flags are read") {
    auto const s =
        parse(R"(
[severity.P1]
rotation = "db"
escalation = [{ after = "0s", target = "on-call", page = false, dm = true, notify = ["@U1A"] },
              { after = "1h", target = "customer-communication" }]
[[oncall.rotations]]
name = "platform"
members = ["U1A", "@U2B"]
start = 2026-01-05T09:00:00+01:00
[[oncall.rotations]]
name = "db"
members = ["U3C"]
start = "2026-01-05T09:00Z"
length = "bi-weekly"
handoff_channel = "#db-oncall"
overrides = [{ from = 2026-01-10, until = 2026-01-11, user = "U4D", position = "secondary" }]
[paging]
vendor = "opsgenie"
users = { U1A = "a@example.com" }
service_id = "PF9KMXH"
)",
              "w.toml", env_of({{"WARROOM_PAGING_KEY", "k-7f3a9"}, {"WARROOM_PAGING_WEBHOOK_SECRET", "s-19bd2"}}));
    auto const& p = s.policy;
    REQUIRE(p.rotations.size() == 2);
    auto const monday = core::timestamp{std::chrono::sys_days{std::chrono::year{2026} / 1 / 5}};
    CHECK(p.rotations[0].members == std::vector<std::string>{"U1A", "U2B"});
    CHECK(p.rotations[0].start == monday + 8h);
    CHECK(p.rotations[0].length == std::chrono::days{7});
    CHECK(p.rotations[1].length == std::chrono::days{14});
    CHECK(p.rotations[1].handoff_channel == "#db-oncall");
    REQUIRE(p.rotations[1].overrides.size() == 1);
    CHECK(p.rotations[1].overrides[0].secondary);
    CHECK(p.rotations[1].overrides[0].from == monday + std::chrono::days{5});
    CHECK(p.rotation_of(core::severity::p1) == &p.rotations[1]);
    CHECK(p.rotation_of(core::severity::p0) == &p.rotations[0]);
    auto const& steps = p.of(core::severity::p1).escalation;
    CHECK(steps[0] == core::escalation_step{0s, "on-call", "on-call", {"@U1A"}, true, false, false});
    CHECK(steps[1].customer_notice);
    CHECK(p.paging);
    CHECK(s.paging.vendor == "opsgenie");
    CHECK(s.paging.url == "https://api.opsgenie.com/");
    CHECK(s.paging.key == "k-7f3a9");
    CHECK(s.paging.webhook_secret == "s-19bd2");
    CHECK(s.paging.users.at("U1A") == "a@example.com");
    CHECK(describe(s).find("k-7f3a9") == std::string::npos);
    CHECK(describe(s).find("s-19bd2") == std::string::npos);
}

TEST_CASE("the display zone, nudge back-off, action reminders, update posts and runbook links are read") {
    auto const s = parse("[display]\ntime_zone = \"Europe/Berlin\"\n"
                         "[nudge]\nback_off_after = 5\nmax_interval = \"2h\"\n"
                         "[action_items]\nremind_at = \"08:30\"\n"
                         "[slack]\nannounce_updates = \"channel\"\n"
                         "[type.outage]\nrunbook_url = \"https://wiki.example.org/runbooks/outage\"\n",
                         "/etc/warroom.toml", no_env);
    REQUIRE(s.policy.zone != nullptr);
    CHECK(s.policy.zone->name() == "Europe/Berlin");
    // The tz database's rules: CET in winter, CEST in summer.
    auto const winter = warroom::core::parse_time("2026-01-15T12:00Z").value();
    auto const summer = warroom::core::parse_time("2026-07-15T12:00Z").value();
    CHECK(s.policy.zone->offset(winter) == std::chrono::hours{1});
    CHECK(s.policy.zone->abbreviation(winter) == "CET");
    CHECK(s.policy.zone->offset(summer) == std::chrono::hours{2});
    CHECK(warroom::core::format_time(summer, *s.policy.zone) == "2026-07-15 14:00 CEST");
    CHECK(s.policy.nudge_back_off_after == 5);
    CHECK(s.policy.nudge_max_interval == std::chrono::hours{2});
    CHECK(s.policy.action_reminder_at == std::chrono::hours{8} + std::chrono::minutes{30});
    CHECK(s.policy.announce_updates == warroom::core::policy::update_posts::channel);
    CHECK(s.policy.of(warroom::core::incident_type::outage).runbook_url == "https://wiki.example.org/runbooks/outage");
    CHECK(describe(s).find("time zone:            Europe/Berlin") != std::string::npos);
    // The same name is the same zone.
    auto const again = parse("[display]\ntime_zone = \"Europe/Berlin\"\n", "/etc/warroom.toml", no_env);
    CHECK(again.policy.zone == s.policy.zone);
    CHECK(parse("", "/etc/warroom.toml", no_env).policy.zone->name() == "UTC");
}

TEST_CASE("update cadences can be switched off") {
    for (std::string const word : {"none", "off"}) {
        CAPTURE(word);
        auto const s = parse("[severity.P0]\nupdate_every = \"" + word + "\"\n", "w.toml", no_env);
        CHECK_FALSE(s.policy.of(core::severity::p0).update_every.has_value());
    }
}

TEST_CASE("escalation steps may share an offset and use the array-of-tables form") {
    auto const s = parse(R"(
[[severity.P2.escalation]]
after = "0s"
target = "on-call"
[[severity.P2.escalation]]
after = "0s"
target = "manager"
notify = ["@boss"]
)",
                         "w.toml", no_env);
    auto const& steps = s.policy.of(core::severity::p2).escalation;
    REQUIRE(steps.size() == 2);
    CHECK(steps[0] == core::escalation_step{0s, "on-call", "on-call", {}, false, true, false});
    CHECK(steps[1] == core::escalation_step{0s, "manager", "manager", {"@boss"}, true, false, false});

    CHECK(parse("[severity.P0]\nescalation = []\n", "w.toml", no_env).policy.of(core::severity::p0).escalation.empty());
}

TEST_CASE("the environment beats the file") {
    scratch_dir dir;
    dir.write("app-token", "xapp-1-from-file");
    dir.write("bot-token", "xoxb-1-from-file");
    auto const file_ca = dir.write("file-ca.pem", "x");
    auto const env_ca = dir.write("env-ca.pem", "x");
    auto const text = R"(
[slack]
app_token_file = "app-token"
bot_token_file = "bot-token"
api_url = "https://file.example/api/"
ca_file = "file-ca.pem"
[store]
url = "sqlite:///from/file.db"
)";
    auto const config = dir.file("warroom.toml");

    auto const file_only = parse(text, config, no_env);
    CHECK(file_only.slack.app_token == "xapp-1-from-file");
    CHECK(file_only.slack.bot_token == "xoxb-1-from-file");
    CHECK(file_only.slack.api_url == "https://file.example/api/");
    CHECK(file_only.slack.ca_file == file_ca);
    CHECK(file_only.store_url == "sqlite:///from/file.db");

    auto const env = env_of({
        {"SLACK_APP_TOKEN", "xapp-1-from-env\n"},
        {"SLACK_BOT_TOKEN", "xoxb-1-from-env"},
        {"SLACK_API_URL", "http://127.0.0.1:4000/api"},
        {"SSL_CERT_FILE", env_ca},
        {"WARROOM_STORE_URL", "postgres://warroom@db/warroom"},
    });
    auto const s = parse(text, config, env);
    CHECK(s.slack.app_token == "xapp-1-from-env");
    CHECK(s.slack.bot_token == "xoxb-1-from-env");
    CHECK(s.slack.api_url == "http://127.0.0.1:4000/api/");
    CHECK(s.slack.ca_file == env_ca);
    CHECK(s.store_url == "postgres://warroom@db/warroom");

    // Without any file the environment still applies.
    auto const bare = load(std::nullopt, env);
    CHECK(bare.slack.app_token == "xapp-1-from-env");
    CHECK(bare.store_url == "postgres://warroom@db/warroom");

    // Empty variables count as unset: the file's values stay.
    auto const empty = parse(text, config, env_of({{"SLACK_APP_TOKEN", ""}, {"SLACK_API_URL", ""}}));
    CHECK(empty.slack.app_token == "xapp-1-from-file");
    CHECK(empty.slack.api_url == "https://file.example/api/");
}

TEST_CASE("when the environment holds a secret the file named in the config is not opened") {
    scratch_dir dir;
    auto const text = R"(
[slack]
app_token_file = "/nonexistent/app-token"
bot_token_file = "/nonexistent/bot-token"
ca_file = "/nonexistent/ca.pem"
)";
    auto const env = env_of({
        {"SLACK_APP_TOKEN", "xapp-1-env"},
        {"SLACK_BOT_TOKEN", "xoxb-1-env"},
        {"SSL_CERT_FILE", dir.write("ca.pem", "x")},
    });
    auto const s = parse(text, "w.toml", env);
    CHECK(s.slack.app_token == "xapp-1-env");
    CHECK(s.slack.bot_token == "xoxb-1-env");
    CHECK(s.slack.ca_file == dir.file("ca.pem"));
}

TEST_CASE("token files are read relative to the config file") {
    scratch_dir dir;
    std::filesystem::create_directories(dir.path() / "secrets");
    dir.write("secrets/app", "xapp-1-A02-rel\r\n");
    auto const bot = dir.write("bot", "xoxb-1-2-abs");
    auto const config =
        dir.write("warroom.toml", "[slack]\napp_token_file = \"secrets/app\"\nbot_token_file = \"" + bot + "\"\n");
    auto const s = load(config, no_env);
    CHECK(s.slack.app_token == "xapp-1-A02-rel");
    CHECK(s.slack.bot_token == "xoxb-1-2-abs");
}

TEST_CASE("systemd credentials give the tokens when the environment does not, before the config's files") {
    scratch_dir dir;
    std::filesystem::create_directories(dir.path() / "credentials");
    dir.write("credentials/slack-app-token", "xapp-1-cred\n");
    dir.write("credentials/slack-bot-token", "xoxb-1-cred");
    auto const text = R"(
[slack]
app_token_file = "/nonexistent/app-token"
bot_token_file = "/nonexistent/bot-token"
)";
    auto const credentials = dir.file("credentials");
    auto const from_credentials = parse(text, "w.toml", env_of({{"CREDENTIALS_DIRECTORY", credentials}}));
    CHECK(from_credentials.slack.app_token == "xapp-1-cred");
    CHECK(from_credentials.slack.bot_token == "xoxb-1-cred");

    auto const env_wins =
        parse(text, "w.toml", env_of({{"CREDENTIALS_DIRECTORY", credentials}, {"SLACK_BOT_TOKEN", "xoxb-1-env"}}));
    CHECK(env_wins.slack.app_token == "xapp-1-cred");
    CHECK(env_wins.slack.bot_token == "xoxb-1-env");

    // A credential that is not there leaves the token to the config's file.
    std::filesystem::remove(dir.path() / "credentials" / "slack-bot-token");
    auto const bot = dir.write("bot", "xoxb-1-file");
    auto const from_file = parse("[slack]\nbot_token_file = \"" + bot + "\"\n", "w.toml",
                                 env_of({{"CREDENTIALS_DIRECTORY", credentials}}));
    CHECK(from_file.slack.app_token == "xapp-1-cred");
    CHECK(from_file.slack.bot_token == "xoxb-1-file");

    dir.write("credentials/slack-app-token", "xoxb-1-SECRET");
    auto const message = error_of([&] { parse("", "w.toml", env_of({{"CREDENTIALS_DIRECTORY", credentials}})); });
    CHECK(message.starts_with("environment: CREDENTIALS_DIRECTORY: the content of \""));
    CHECK(message.ends_with(" is not an app-level token (it must start with xapp-)"));
    CHECK(message.find("SECRET") == std::string::npos);
}

TEST_CASE("the example file loads and documents the built-in defaults") {
    std::string const path = WARROOM_SOURCE_DIR "/deploy/warroom.example.toml";
    auto const s = load(path, no_env);
    CHECK(s.source == path);
    CHECK(s.policy == core::policy::defaults());
    CHECK(s.store_url == settings{}.store_url);
    CHECK(s.http_listen == settings{}.http_listen);
    CHECK(s.http_outbox_stuck_after == settings{}.http_outbox_stuck_after);
    CHECK(s.log_level == settings{}.log_level);
    CHECK(s.slack.api_url == settings{}.slack.api_url);
    CHECK(s.slack.command == settings{}.slack.command);
    CHECK(s.slack.timeline_reaction == settings{}.slack.timeline_reaction);
}

TEST_CASE("warnings name what is valid but leaves something nobody can do") {
    auto const has = [](std::vector<std::string> const& all, std::string const& start) {
        return std::any_of(all.begin(), all.end(), [&](std::string const& w) { return w.rfind(start, 0) == 0; });
    };
    auto const bare = warnings(settings{});
    CHECK(has(bare, "access.incident_admins is empty"));
    auto const nobody_closes = warnings(parse("[access]\nclose = []\n", "/etc/warroom.toml", no_env));
    CHECK(has(nobody_closes, "access.close is empty and there are no incident admins"));
    auto const admins = warnings(parse("[access]\nclose = []\nincident_admins = [\"U0ADMIN\"]\n", "/etc/warroom.toml", no_env));
    CHECK_FALSE(has(admins, "access.incident_admins is empty"));
    CHECK_FALSE(has(admins, "access.close is empty"));
    auto const page = warnings(parse("[status_page]\nlisten = \"127.0.0.1:8090\"\n", "/etc/warroom.toml", no_env));
    CHECK(has(page, "status_page.maintainers is empty and there are no incident admins"));
    CHECK_FALSE(has(bare, "status_page.maintainers"));
    auto const maintained = warnings(
        parse("[status_page]\nlisten = \"127.0.0.1:8090\"\nmaintainers = [\"@U0OPS\"]\n", "/etc/warroom.toml", no_env));
    CHECK_FALSE(has(maintained, "status_page.maintainers"));
}

TEST_CASE("a warning names each escalation step that would tell nobody") {
    auto const all = warnings(parse("[severity.P1]\nescalation = [\n"
                                    "  { after = \"0s\", target = \"on-call\", label = \"Paged\" },\n"
                                    "  { after = \"5m\", target = \"sre\", label = \"SRE\" },\n"
                                    "  { after = \"10m\", target = \"eng\", label = \"Eng\", notify = [\"@U0ENG\"] },\n"
                                    "  { after = \"1h\", target = \"customer-communication\", label = \"Customers\" },\n"
                                    "]\n",
                                    "/etc/warroom.toml", no_env));
    auto const p1 = [&] {
        std::vector<std::string> out;
        for (auto const& w : all)
            if (w.rfind("severity.P1.", 0) == 0) out.push_back(w);
        return out;
    }();
    // The page and the customer notice tell someone by themselves; a step with contacts tells them.
    CHECK(p1 == std::vector<std::string>{"severity.P1.escalation[1] (sre): nobody is notified at this step; add notify "
                                         "= [\"@U…\"] or remove the step"});
}

TEST_CASE("describe summarises without revealing secrets") {
    settings s;
    s.source = "/etc/warroom.toml";
    s.slack.app_token = "xapp-1-A0-SECRETAPP";
    s.slack.bot_token = "xoxb-1-SECRETBOT";
    s.store_url = "postgresql://warroom:hunter2@db/warroom?sslmode=require&password=hunter3";
    s.policy.of(core::severity::p1).announce_to = "oops xoxb-2-SECRETPASTED";
    auto const text = describe(s);
    CAPTURE(text);
    CHECK(text.find("/etc/warroom.toml") != std::string::npos);
    CHECK(text.find("set (xapp-…)") != std::string::npos);
    CHECK(text.find("set (xoxb-…)") != std::string::npos);
    CHECK(text.find("SECRET") == std::string::npos);
    CHECK(text.find("hunter") == std::string::npos);
    CHECK(text.find("postgresql://warroom:***@db/warroom?sslmode=require&password=***") != std::string::npos);
    CHECK(text.find("#incidents") != std::string::npos);
    CHECK(text.find("127.0.0.1:8080") != std::string::npos);
    CHECK(text.find("engineering-manager") != std::string::npos);

    auto const bare = describe(settings{});
    CAPTURE(bare);
    CHECK(bare.find("none (built-in defaults)") != std::string::npos);
    CHECK(bare.find("not set") != std::string::npos);
}

TEST_CASE("redact_url masks the password of a store URL and keeps the rest") {
    using warroom::config::redact_url;
    CHECK(redact_url("postgresql://warroom:s3cret@db:5432/warroom?password=again") ==
          "postgresql://warroom:***@db:5432/warroom?password=***");
    CHECK(redact_url("sqlite:///var/lib/warroom/warroom.db") == "sqlite:///var/lib/warroom/warroom.db");
    CHECK(redact_url("postgresql://warroom@db/warroom") == "postgresql://warroom@db/warroom");
}

TEST_CASE("the rate limit scale defaults to Slack's own limits and accepts integers and decimals") {
    CHECK(parse("", "w.toml", no_env).slack.rate_limit_scale == 1.0);
    CHECK(parse("[slack]\nrate_limit_scale = 20\n", "w.toml", no_env).slack.rate_limit_scale == 20.0);
    CHECK(parse("[slack]\nrate_limit_scale = 0.5\n", "w.toml", no_env).slack.rate_limit_scale == 0.5);
}

TEST_CASE("[alerts]: channel, grouping, routes and the receivers' secrets from the environment") {
    auto const s = parse(R"(
[alerts]
channel = "#alerts"
group_by = ["alertname", "service"]
reopen_window = "30m"
critical_severity = "P1"
[[alerts.routes]]
match = { team = "payments", severity = "warning" }
level = "critical"
type = "integration"
[[alerts.routes]]
match = { env = "staging" }
level = "low"
severity = "P3"
)",
                         "w.toml",
                         env_of({{"WARROOM_ALERTS_TOKEN", "s3cr3t-alerts"},
                                 {"WARROOM_ALERTS_WEBHOOK_SECRET", "whsec_bmV3 whsec_b2xk"}}));
    auto const& a = s.policy.alerts;
    CHECK(a.channel == "#alerts");
    CHECK(a.group_by == std::vector<std::string>{"alertname", "service"});
    CHECK(a.reopen_window == std::chrono::minutes{30});
    CHECK(a.critical_severity == core::severity::p1);
    REQUIRE(a.routes.size() == 2);
    CHECK(a.routes[0] == core::alert_route{{{"severity", "warning"}, {"team", "payments"}},
                                           core::alert_level::critical,
                                           core::severity::p1,
                                           core::incident_type::integration});
    CHECK(a.routes[1].level == core::alert_level::low);
    CHECK(a.routes[1].sev == core::severity::p3);
    CHECK(s.alerts.token == "s3cr3t-alerts");
    CHECK(s.alerts.webhook_secrets == std::vector<std::string>{"whsec_bmV3", "whsec_b2xk"});
    CHECK(describe(s).find("s3cr3t") == std::string::npos);
    CHECK(describe(s).find("bmV3") == std::string::npos);
}

TEST_CASE("[alerts] problems name their key") {
    auto const message = error_of([&] {
        parse(R"(
[alerts]
reopen_window = "soon"
[[alerts.routes]]
match = { team = "payments" }
level = "warning"
[[alerts.routes]]
severity = "P9"
)",
              "w.toml", env_of({{"WARROOM_ALERTS_WEBHOOK_SECRET", "not-a-whsec"}}));
    });
    CHECK(message.find("w.toml: alerts.reopen_window:") != std::string::npos);
    CHECK(
        message.find("w.toml: alerts.routes[0].level: \"warning\" is not a level (use critical, high, medium, low)") !=
        std::string::npos);
    CHECK(message.find("w.toml: alerts.routes[1]") != std::string::npos);
    CHECK(message.find("environment: WARROOM_ALERTS_WEBHOOK_SECRET: a Standard Webhooks secret starts with whsec_") !=
          std::string::npos);
    CHECK(message.find("not-a-whsec") == std::string::npos);
}

TEST_CASE("[alerts] ticket system: its URL, its token from the environment (never shown), the receivers' rate") {
    auto const defaults = parse("", "w.toml", no_env);
    CHECK(defaults.alerts.ticket_url.empty());
    CHECK_FALSE(defaults.policy.alerts.tickets);
    CHECK(defaults.alerts.rate_per_second == 50);
    CHECK(defaults.alerts.burst == 500);
    CHECK(describe(defaults).find("none (low alerts are recorded only)") != std::string::npos);

    auto const s = parse(R"(
[alerts]
ticket_url = "https://tickets.example.com/api/issues"
rate_per_second = 5
burst = 20
)",
                         "w.toml", env_of({{"WARROOM_ALERTS_TICKET_TOKEN", "tkt-s3cr3t"}}));
    CHECK(s.alerts.ticket_url == "https://tickets.example.com/api/issues");
    CHECK(s.alerts.ticket_token == "tkt-s3cr3t");
    CHECK(s.policy.alerts.tickets);
    CHECK(s.alerts.rate_per_second == 5);
    CHECK(s.alerts.burst == 20);
    CHECK(describe(s).find("low alert groups to https://tickets.example.com/api/issues, token set") !=
          std::string::npos);
    CHECK(describe(s).find("tkt-s3cr3t") == std::string::npos);

    auto const message = error_of([&] {
        parse("[alerts]\nticket_url = \"ftp://tickets\"\nrate_per_second = -1\nburst = 0\n", "w.toml", no_env);
    });
    CHECK(message.find("w.toml: alerts.ticket_url:") != std::string::npos);
    CHECK(message.find("w.toml: alerts.rate_per_second: must be between 0 (unlimited) and 10000") != std::string::npos);
    CHECK(message.find("w.toml: alerts.burst: must be between 1 and 100000") != std::string::npos);
    CHECK(error_of([&] {
              parse("[alerts]\nticket_url = \"https://t.example.com/\"\n", "w.toml", no_env);
          }).find("w.toml: alerts.ticket_token_file: alerts.ticket_url is set but no token for it") !=
          std::string::npos);
}

TEST_CASE("[email]: the SMTP server, its login from the environment, customers, and high routes' addresses") {
    auto const s = parse(R"(
[email]
smtp_url = "smtps://mail.example.com:465"
from = "warroom <warroom@example.com>"
username = "warroom"
timeout = "20s"
customer_list = ["customers@example.com", "status@example.org"]
[[alerts.routes]]
match = { team = "payments" }
level = "high"
email = ["payments-oncall@example.com"]
)",
                         "w.toml", env_of({{"WARROOM_SMTP_PASSWORD", "sm7p-pa55"}}));
    CHECK(s.email.smtp_url == "smtps://mail.example.com:465");
    CHECK(s.email.from == "warroom <warroom@example.com>");
    CHECK(s.email.starttls);
    CHECK(s.email.username == "warroom");
    CHECK(s.email.password == "sm7p-pa55");
    CHECK(s.email.timeout == std::chrono::seconds{20});
    CHECK(s.policy.mail.enabled);
    CHECK(s.policy.mail.customer_list == std::vector<std::string>{"customers@example.com", "status@example.org"});
    CHECK(s.policy.alerts.routes.at(0).email == std::vector<std::string>{"payments-oncall@example.com"});
    CHECK(describe(s).find("sm7p-pa55") == std::string::npos);
    CHECK(describe(s).find("login warroom (password set)") != std::string::npos);

    auto const none = parse("", "w.toml", env_of({}));
    CHECK_FALSE(none.policy.mail.enabled);
    CHECK(none.email.smtp_url.empty());
}

TEST_CASE("[email] problems name their key, and never the password") {
    struct row {
        std::string toml;
        std::string expected;
    };
    for (auto const& r : std::vector<row>{
             {"[email]\nfrom = \"w@example.com\"\n", "w.toml: email.smtp_url: is missing"},
             {"[email]\nsmtp_url = \"http://mail.example.com\"\nfrom = \"w@example.com\"\n",
              "w.toml: email.smtp_url: \"http://mail.example.com\" is not an SMTP URL"},
             {"[email]\nsmtp_url = \"smtp://warroom:hunter2@mail.example.com\"\nfrom = \"w@example.com\"\n",
              "w.toml: email.smtp_url: holds a login: put it in email.username and email.password_file"},
             {"[email]\nsmtp_url = \"smtps://mail.example.com\"\nstarttls = false\nfrom = \"w@example.com\"\n",
              "w.toml: email.starttls: is for smtp:// URLs"},
             {"[email]\nsmtp_url = \"smtp://mail.example.com\"\nfrom = \"warroom\"\n",
              "w.toml: email.from: \"warroom\" is not an address"},
             {"[email]\nsmtp_url = \"smtp://mail.example.com\"\nfrom = \"w@example.com\"\nusername = \"w\"\n",
              "w.toml: email.password_file: email.username is set but no password"},
             {"[email]\nsmtp_url = \"smtp://mail.example.com\"\nfrom = \"w@example.com\"\ncustomer_list = [\"@U0123ABC\"]\n",
              "w.toml: email.customer_list[0]: \"@U0123ABC\" is not an e-mail address"},
             {"[[alerts.routes]]\nlevel = \"medium\"\nemail = [\"a@example.com\"]\n",
              "w.toml: alerts.routes[0].email: only a high route e-mails (this one is medium)"},
         }) {
        CAPTURE(r.toml);
        auto const message = error_of([&] { parse(r.toml, "w.toml", env_of({})); });
        CHECK(message.find(r.expected) != std::string::npos);
        CHECK(message.find("hunter2") == std::string::npos);
    }
    auto const message = error_of([&] {
        parse("[email]\nsmtp_url = \"smtp://mail.example.com\"\nfrom = \"w@example.com\"\n", "w.toml",
              env_of({{"WARROOM_SMTP_PASSWORD", "sm7p-pa55"}}));
    });
    CHECK(message.find("email.username: a password is set") != std::string::npos);
    CHECK(message.find("sm7p-pa55") == std::string::npos);
}

TEST_CASE("[reports] and [dashboard]: the channel, its zone, the token, and what check-config says") {
    auto const contains = [](std::string const& text, std::string const& part) { return text.find(part) != std::string::npos; };
    auto const none = parse("", "/etc/warroom.toml", no_env);
    CHECK(none.policy.reports.channel.empty());
    CHECK(contains(describe(none), "none (set [reports] channel to post them)"));
    CHECK(contains(describe(none), "without a token, since http listen is a loopback address"));
    auto const s = parse("[display]\ntime_zone = \"America/New_York\"\n[reports]\nchannel = \"#incident-reports\"\n"
                         "time_zone = \"Europe/Berlin\"\n[http]\nlisten = \"0.0.0.0:8080\"\n",
                         "/etc/warroom.toml", env_of({{"WARROOM_DASHBOARD_TOKEN", "dash-secret-1"}}));
    CHECK(s.policy.reports.channel == "incident-reports");
    CHECK(s.policy.report_zone().name() == "Europe/Berlin");
    CHECK(s.dashboard_token == "dash-secret-1");
    auto const text = describe(s);
    CHECK(contains(text, "at 09:00 Europe/Berlin in #incident-reports"));
    CHECK(contains(text, "with the bearer token"));
    CHECK_FALSE(contains(text, "dash-secret-1"));
    auto const exposed = parse("[http]\nlisten = \"0.0.0.0:8080\"\n", "/etc/warroom.toml", no_env);
    CHECK(contains(describe(exposed), "off: http listen is not a loopback address and no token is set"));
    CHECK(warroom::config::loopback_listen("127.0.0.1:0"));
    CHECK(warroom::config::loopback_listen("[::1]:8080"));
    CHECK(warroom::config::loopback_listen("localhost:8080"));
    CHECK_FALSE(warroom::config::loopback_listen("0.0.0.0:8080"));
    CHECK_FALSE(warroom::config::loopback_listen("[::]:8080"));
}

TEST_CASE("[status_page]: its listener, its page and its components, whose names commands check") {
    auto const off = parse("", "w.toml", no_env);
    CHECK(off.status_page.listen.empty());
    CHECK(off.policy.components.empty());
    auto const s = parse(R"(
[status_page]
listen = "127.0.0.1:8090"
name = "Example Status"
url = "https://status.example.com/"
maintainers = ["@U0OPS0001", "@S0SRE0001"]
[[status_page.components]]
name = "API"
group = "Core"
description = "The public REST API"
[[status_page.components]]
name = "Website"
)",
                         "w.toml", no_env);
    CHECK(s.status_page.listen == "127.0.0.1:8090");
    CHECK(s.status_page.page.name == "Example Status");
    CHECK(s.status_page.page.url == "https://status.example.com");
    CHECK(s.status_page.page.components ==
          std::vector<core::component_def>{{"API", "Core", "The public REST API"}, {"Website", "", ""}});
    CHECK(s.policy.components == std::vector<std::string>{"API", "Website"});
    CHECK(s.policy.maintainers == std::vector<std::string>{"U0OPS0001", "S0SRE0001"});
    CHECK(off.policy.maintainers.empty());
    CHECK(describe(s).find("127.0.0.1:8090, 2 component(s)") != std::string::npos);
}

TEST_CASE("[status_page] problems name their key") {
    auto const message = error_of([&] {
        parse(R"(
[status_page]
listen = "nowhere"
url = "status.example.com"
colour = "green"
[[status_page.components]]
name = "Public API"
[[status_page.components]]
name = "Web"
[[status_page.components]]
name = "Web"
[[status_page.components]]
group = "Core"
)",
              "w.toml", no_env);
    });
    CHECK(message.find("w.toml: status_page.listen:") != std::string::npos);
    CHECK(message.find("w.toml: status_page.url:") != std::string::npos);
    CHECK(message.find("w.toml: status_page.colour: unknown key") != std::string::npos);
    CHECK(message.find("w.toml: status_page.components[0].name: \"Public API\" must be one word (use - or _ between "
                       "words)") != std::string::npos);
    CHECK(message.find("w.toml: status_page.components[2].name: \"Web\" is named twice") != std::string::npos);
    CHECK(message.find("w.toml: status_page.components[3]") != std::string::npos);
}

TEST_CASE("[status_page.statuspage]: the page, its key from the environment or a file, and the components' ids") {
    auto const off = parse("", "w.toml", no_env);
    CHECK(off.status_page.statuspage.page_id.empty());
    CHECK_FALSE(off.policy.statuspage);
    scratch_dir dir;
    auto const key_file = dir.write("statuspage.key", "file-key-0123\n");
    auto const text = R"(
[status_page]
[status_page.statuspage]
page_id = "kctbh9vrtdwd"
api_key_file = ")" + key_file + R"("
api_url = "http://127.0.0.1:9999/"
[[status_page.components]]
name = "API"
statuspage_id = "8kbf7d35c070"
[[status_page.components]]
name = "Website"
)";
    auto const s = parse(text, "w.toml", no_env);
    auto const& sp = s.status_page.statuspage;
    CHECK(s.policy.statuspage);
    CHECK(sp.page_id == "kctbh9vrtdwd");
    CHECK(sp.api_key == "file-key-0123");
    CHECK(sp.api_url == "http://127.0.0.1:9999");
    CHECK(sp.components == std::map<std::string, std::string>{{"API", "8kbf7d35c070"}});
    CHECK(parse(text, "w.toml", env_of({{"WARROOM_STATUSPAGE_API_KEY", "env-key"}})).status_page.statuspage.api_key ==
          "env-key");
    auto const plain = parse("[status_page.statuspage]\npage_id = \"abc123\"\n", "w.toml",
                             env_of({{"WARROOM_STATUSPAGE_API_KEY", "k"}}));
    CHECK(plain.status_page.statuspage.api_url == "https://api.statuspage.io");
    CHECK(describe(s).find("file-key-0123") == std::string::npos);
    CHECK(describe(s).find("page kctbh9vrtdwd at http://127.0.0.1:9999, key set, 1 component(s) mapped") !=
          std::string::npos);
    std::string const unsent_warning =
        "status_page.components: statuspage_id is set but nothing is sent to Statuspage without "
        "[status_page.statuspage] page_id";
    auto const warned = [&](settings const& x) { return std::ranges::count(warnings(x), unsent_warning); };
    CHECK(warned(s) == 0);
    CHECK(warned(parse("[[status_page.components]]\nname = \"API\"\nstatuspage_id = \"abc123\"\n", "w.toml", no_env)) ==
          1);
}

TEST_CASE("[status_page.statuspage] problems name their key") {
    auto const message = error_of([&] {
        parse(R"(
[status_page.statuspage]
page_id = "my page"
api_url = "api.statuspage.io"
token = "x"
[[status_page.components]]
name = "API"
statuspage_id = "8kbf7d35c070"
[[status_page.components]]
name = "Web"
statuspage_id = "8kbf7d35c070"
[[status_page.components]]
name = "Jobs"
statuspage_id = 7
)",
              "w.toml", no_env);
    });
    CHECK(message.find("w.toml: status_page.statuspage.page_id: \"my page\" is not a Statuspage id") !=
          std::string::npos);
    CHECK(message.find("w.toml: status_page.statuspage.api_url: \"api.statuspage.io\" must start with http://") !=
          std::string::npos);
    CHECK(message.find("w.toml: status_page.statuspage.token: unknown key") != std::string::npos);
    CHECK(message.find("w.toml: status_page.components[1].statuspage_id: \"8kbf7d35c070\" is \"API\"'s too") !=
          std::string::npos);
    CHECK(message.find("w.toml: status_page.components[2].statuspage_id:") != std::string::npos);
    auto const no_key = error_of([] { parse("[status_page.statuspage]\npage_id = \"abc123\"\n", "w.toml", no_env); });
    CHECK(no_key.find("status_page.statuspage.api_key_file: a Statuspage page_id is set but no API key "
                      "(WARROOM_STATUSPAGE_API_KEY or status_page.statuspage.api_key_file)") != std::string::npos);
    auto const no_page = error_of([] { parse("[status_page.statuspage]\napi_url = \"https://x\"\n", "w.toml", no_env); });
    CHECK(no_page.find("status_page.statuspage.page_id") != std::string::npos);
}
