// Every refusal is one line naming the file (or "environment"), the key and the problem, and no
// message ever carries a token. One table row per rule.
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "config_test_support.hpp"

using warroom::config::load;
using warroom::config::parse;
using warroom::config::testing::env_of;
using warroom::config::testing::error_of;
using warroom::config::testing::no_env;
using warroom::config::testing::scratch_dir;

namespace {

struct row {
    char const* toml;
    char const* message;  // after "<file>: "
};

bool contains(std::string const& haystack, std::string const& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("each invalid value is refused with a one-line message naming file and key") {
    row const rows[] = {
        // Unknown tables and keys: typos are caught, with a hint when one is close.
        {"[slack]\nanounce_channel = \"#x\"", "slack.anounce_channel: unknown key (did you mean announce_channel?)"},
        {"[slak]\n", "slak: unknown table (did you mean slack?)"},
        {"colour = 1", "colour: unknown key"},
        {"[slack.extra]\n", "slack.extra: unknown table"},
        {"[severity.P0]\nupdate_evry = \"1m\"", "severity.P0.update_evry: unknown key (did you mean update_every?)"},
        {"[type.security]\nprivat = true", "type.security.privat: unknown key (did you mean private?)"},
        {"[post_incident]\nreport = \"1h\"", "post_incident.report: unknown key"},
        // Wrong value types.
        {"slack = 3", "slack: expected a table, got an integer"},
        {"[slack]\nchannel_prefix = 5", "slack.channel_prefix: expected a string, got an integer"},
        {"[slack]\nrate_limit_scale = \"fast\"", "slack.rate_limit_scale: expected a number, got a string"},
        {"[slack]\nrate_limit_scale = 0", "slack.rate_limit_scale: must be between 0.01 and 1000"},
        {"[slack]\nrate_limit_scale = 5000.0", "slack.rate_limit_scale: must be between 0.01 and 1000"},
        {"[slack]\nchannel_prefix = \"\"", "slack.channel_prefix: must not be empty"},
        {"[type.security]\nprivate = \"yes\"", "type.security.private: expected true or false, got a string"},
        {"[severity.P0]\non_call = \"@alice\"", "severity.P0.on_call: expected an array of Slack user ids, got a string"},
        {"[severity.P0]\non_call = [\"@U0A\", 3]", "severity.P0.on_call[1]: expected a string, got an integer"},
        {"[severity.P0]\non_call = [\"@alice\"]",
         "severity.P0.on_call[0]: \"alice\" is not a Slack user id (U0123ABCD: a member's profile, Copy member ID)"},
        {"[type.security]\ncontacts = [\"security team\"]",
         "type.security.contacts[0]: \"security team\" is not a contact (use a Slack user id @U0123ABCD, a user group id "
         "@S0123ABCD or @handle, or an e-mail address)"},
        {"[type.security]\ncontacts = [\"#security\"]",
         "type.security.contacts[0]: \"#security\" is not a contact (use a Slack user id @U0123ABCD, a user group id "
         "@S0123ABCD or @handle, or an e-mail address)"},
        {"[severity.P1]\nescalation = [{ after = \"1h\", target = \"vp\", notify = [\"the VP\"] }]",
         "severity.P1.escalation[0].notify[0]: \"the VP\" is not a contact (use a Slack user id @U0123ABCD, a user group "
         "id @S0123ABCD or @handle, or an e-mail address, or a #channel)"},
        {"[access]\nincident_admins = [\"boss@example.com\"]",
         "access.incident_admins[0]: \"boss@example.com\" is not a Slack user or user group id (@U0123ABCD, @S0123ABCD; a "
         "handle can change hands, so this list names people by id)"},
        {"[access]\nincident_admins = [\"@sre-leads\"]",
         "access.incident_admins[0]: \"@sre-leads\" is not a Slack user or user group id (@U0123ABCD, @S0123ABCD; a "
         "handle can change hands, so this list names people by id)"},
        {"[alerts]\ntriagers = [\"@oncall\"]",
         "alerts.triagers[0]: \"@oncall\" is not a Slack user or user group id (@U0123ABCD, @S0123ABCD; a handle can "
         "change hands, so this list names people by id)"},
        {"[status_page]\nmaintainers = [\"@ops\"]",
         "status_page.maintainers[0]: \"@ops\" is not a Slack user or user group id (@U0123ABCD, @S0123ABCD; a handle "
         "can change hands, so this list names people by id)"},
        {"[access]\nclose = [\"everyone\"]", "access.close[0]: \"everyone\" is not ic, declarer, comms or member"},
        {"[access]\nrevoke = [\"ic\"]", "access.revoke: unknown key"},
        {"[roles]\ndeclarer_leads = \"yes\"", "roles.declarer_leads: expected true or false, got a string"},
        {"[limits]\ndeclares_per_minute = -1", "limits.declares_per_minute: must be between 0 (unlimited) and 100000"},
        {"[limits]\ndeclares_per_minute = \"5\"", "limits.declares_per_minute: expected a whole number, got a string"},
        {"[business_hours]\ndays = [\"funday\"]", "business_hours.days[0]: \"funday\" is not a day (mon, tue, … sun)"},
        {"[business_hours]\nopens = \"9am\"", "business_hours.opens: \"9am\" is not a time of day (09:00)"},
        {"[slack]\nprivate_room_name = \"secret\"",
         "slack.private_room_name: \"secret\" must contain {number}: each incident needs its own room"},
        {"[type.security]\ntypical_severity = \"P9\"", "type.security.typical_severity: unknown severity (use P0, P1, P2, P3)"},
        {"[paging]\nwebhook_max_age = \"soon\"",
         "paging.webhook_max_age: \"soon\" is not a duration (use 90s, 30m, 2h, 1d)"},
        {"[severity.P0]\nupdate_every = 30",
         "severity.P0.update_every: expected a duration string such as \"30m\", got an integer"},
        {"[log]\nlevel = 1.5", "log.level: expected a string, got a number"},
        {"severity = [1]", "severity: expected a table, got an array"},
        {"[severity]\nP0 = \"x\"", "severity.P0: expected a table, got a string"},
        // Unknown severities and types.
        {"[severity.P5]\n", "severity.P5: unknown severity (use P0, P1, P2, P3)"},
        {"[severity.p0]\n", "severity.p0: unknown severity (write it as P0)"},
        {"[type.database]\n",
         "type.database: unknown incident type (use outage, performance, data-loss, security, integration, privacy)"},
        {"[type.perf]\n", "type.perf: unknown incident type (write it as performance)"},
        // Durations.
        {"[severity.P0]\nupdate_every = \"3x\"",
         "severity.P0.update_every: \"3x\" is not a duration (use 90s, 30m, 2h, 1d)"},
        {"[severity.P0]\nrespond_within = \"0m\"", "severity.P0.respond_within: \"0m\" must be longer than zero"},
        {"[severity.P1]\nupdate_every = \"-5m\"",
         "severity.P1.update_every: \"-5m\" is not a duration (use 90s, 30m, 2h, 1d)"},
        {"[post_incident]\nsnooze = \"soon\"",
         "post_incident.snooze: \"soon\" is not a duration (use 90s, 30m, 2h, 1d)"},
        {"[post_incident]\nreport_due = \"none\"",
         "post_incident.report_due: \"none\" is not a duration (use 90s, 30m, 2h, 1d)"},
        // Escalation schedules.
        {"[severity.P1]\nescalation = \"x\"", "severity.P1.escalation: expected an array of steps, got a string"},
        {"[severity.P1]\nescalation = [\"x\"]", "severity.P1.escalation[0]: expected a table, got a string"},
        {"[severity.P1]\nescalation = [{target = \"a\"}]", "severity.P1.escalation[0].after: is missing"},
        {"[severity.P1]\nescalation = [{after = \"0m\"}]", "severity.P1.escalation[0].target: is missing"},
        {"[severity.P1]\nescalation = [{after = \"0m\", target = \"a\", when = 1}]",
         "severity.P1.escalation[0].when: unknown key"},
        {"[severity.P1]\nescalation = [{after = \"10m\", target = \"a\"}, {after = \"5m\", target = \"b\"}]",
         "severity.P1.escalation[1].after: 5m comes before the previous step's 10m (steps must be sorted by after)"},
        {"[severity.P1]\nescalation = [{after = \"5m\", target = \"a\"}, {after = \"10m\", target = \"a\"}]",
         "severity.P1.escalation[1].target: \"a\" appears twice (each target escalates once)"},
        {"[severity.P1]\nescalation = [{after = \"5m\", target = \"On Call\"}]",
         "severity.P1.escalation[0].target: \"On Call\" is not a target key (lowercase letters, digits, - and _, such "
         "as \"on-call\")"},
        {"[severity.P1]\nescalation = [{after = \"0x\", target = \"a\"}]",
         "severity.P1.escalation[0].after: \"0x\" is not a duration (use 90s, 30m, 2h, 1d)"},
        {"[severity.P1]\nescalation = [{after = \"5m\", target = \"a\", notify = \"@b\"}]",
         "severity.P1.escalation[0].notify: expected an array of strings, got a string"},
        {"[type.outage.runbook]\ntitel = \"x\"", "type.outage.runbook.titel: unknown key (did you mean title?)"},
        // Slack names.
        {"[slack]\nchannel_prefix = \"INC\"",
         "slack.channel_prefix: \"INC\" must be 1 to 20 characters of a-z, 0-9, - and _ (Slack channel-name rules)"},
        {"[slack]\nchannel_prefix = \"incident-war-room-prefix\"",
         "slack.channel_prefix: \"incident-war-room-prefix\" must be 1 to 20 characters of a-z, 0-9, - and _ (Slack "
         "channel-name rules)"},
        {"[slack]\nchannel_prefix = \"inc #\"",
         "slack.channel_prefix: \"inc #\" must be 1 to 20 characters of a-z, 0-9, - and _ (Slack channel-name rules)"},
        {"[slack]\nannounce_channel = \"Incidents room\"",
         "slack.announce_channel: \"Incidents room\" is neither a channel name such as \"#incidents\" nor a channel id "
         "such as \"C0123456789\""},
        {"[slack]\ncommand = \"incident\"",
         "slack.command: \"incident\" is not a slash command such as \"/incident\" (lowercase, no spaces, at most 32 "
         "characters)"},
        {"[slack]\ntimeline_reaction = \"push pin\"",
         "slack.timeline_reaction: \"push pin\" is not an emoji name such as \"pushpin\""},
        // URLs, addresses, levels.
        {"[slack]\napi_url = \"ftp://slack.com/api/\"",
         "slack.api_url: \"ftp://slack.com/api/\" must start with http:// or https://"},
        {"[slack]\napi_url = \"slack.com/api/\"",
         "slack.api_url: \"slack.com/api/\" must start with http:// or https://"},
        {"[slack]\napi_url = \"https://\"", "slack.api_url: \"https://\" names no host"},
        {"[store]\nurl = \"mysql://u:pw@db/warroom\"",
         "store.url: unknown scheme \"mysql\" (use sqlite:// or postgresql://)"},
        {"[store]\nurl = \"warroom.db\"",
         "store.url: not a URL (use sqlite:///var/lib/warroom/warroom.db or postgresql://user@host/dbname)"},
        {"[store]\nurl = \"sqlite://\"",
         "store.url: names no database file (e.g. sqlite:///var/lib/warroom/warroom.db)"},
        {"[store]\nurl = \"postgresql://\"", "store.url: names no server (e.g. postgresql://user@host/dbname)"},
        {"[http]\nlisten = \"8080\"",
         "http.listen: \"8080\" is not host:port with a port from 0 (any free port) to 65535"},
        {"[http]\nlisten = \"localhost:65536\"",
         "http.listen: \"localhost:65536\" is not host:port with a port from 0 (any free port) to 65535"},
        {"[http]\nlisten = \"localhost:http\"",
         "http.listen: \"localhost:http\" is not host:port with a port from 0 (any free port) to 65535"},
        {"[http]\nlisten = \":8080\"",
         "http.listen: \":8080\" is not host:port with a port from 0 (any free port) to 65535"},
        {"[http]\nlisten = \"::1:8080\"",
         "http.listen: \"::1:8080\" is not host:port with a port from 0 (any free port) to 65535"},
        {"[http]\nlisten = \"[::1]8080\"",
         "http.listen: \"[::1]8080\" is not host:port with a port from 0 (any free port) to 65535"},
        {"[http]\noutbox_stuck_after = \"soon\"",
         "http.outbox_stuck_after: \"soon\" is not a duration (use 90s, 30m, 2h, 1d)"},
        {"[log]\nlevel = \"verbose\"",
         "log.level: \"verbose\" is not a log level (use trace, debug, info, warn, error)"},
        {"[log]\nlevel = \"INFO\"", "log.level: \"INFO\" is not a log level (use trace, debug, info, warn, error)"},
        // On-call rotations and paging.
        {"[[oncall.rotations]]\nname = \"a\"\nstart = \"2026-01-05T09:00Z\"",
         "oncall.rotations[0].members: is missing"},
        {"[[oncall.rotations]]\nname = \"a\"\nmembers = []\nstart = \"2026-01-05T09:00Z\"",
         "oncall.rotations[0].members: must name at least one member"},
        {"[[oncall.rotations]]\nname = \"a\"\nmembers = [\"alice\"]\nstart = \"2026-01-05T09:00Z\"",
         "oncall.rotations[0].members[0]: \"alice\" is not a Slack user id (U0123ABCD: a member's profile, Copy "
         "member ID)"},
        {"[[oncall.rotations]]\nname = \"a\"\nmembers = [\"U1A\"]\nstart = \"monday\"",
         "oncall.rotations[0].start: \"monday\" is not a time (use 2026-01-05T09:00:00Z)"},
        {"[[oncall.rotations]]\nname = \"a\"\nmembers = [\"U1A\"]\nstart = 2026-01-05\nlength = \"fortnightly\"",
         "oncall.rotations[0].length: \"fortnightly\" is not a duration (use 90s, 30m, 2h, 1d)"},
        {"[[oncall.rotations]]\nname = \"a\"\nmembers = [\"U1A\"]\nstart = 2026-01-05\noverrides = [{from = "
         "2026-01-06, until = 2026-01-05, user = \"U2B\"}]",
         "oncall.rotations[0].overrides[0].until: must be after from"},
        {"[[oncall.rotations]]\nname = \"a\"\nmembers = [\"U1A\"]\nstart = 2026-01-05\n[[oncall.rotations]]\nname = "
         "\"a\"\nmembers = [\"U1A\"]\nstart = 2026-01-05",
         "oncall.rotations[1].name: \"a\" appears twice"},
        {"[severity.P0]\nrotation = \"nope\"",
         "severity.P0.rotation: no rotation is called \"nope\" in [[oncall.rotations]]"},
        {"[paging]\nvendor = \"victorops\"",
         "paging.vendor: \"victorops\" is not supported (use pagerduty or opsgenie)"},
        {"[paging]\nvendor = \"pagerduty\"",
         "paging.key_file: paging.vendor is \"pagerduty\" but no key is set (WARROOM_PAGING_KEY or paging.key_file)"},
        {"[paging]\nusers = { alice = \"a@x\" }",
         "paging.users.alice: \"alice\" is not a Slack user id (U0123ABCD: a member's profile, Copy member ID)"},
        {"[severity.P0]\nescalation = [{ after = \"0s\", target = \"x\", page = \"yes\" }]",
         "severity.P0.escalation[0].page: expected true or false, got a string"},
        // A value with a line break is still reported on one line.
        {"[display]\ntime_zone = \"Mars/Olympus\"",
         "display.time_zone: \"Mars/Olympus\" is not a time zone of the tz database (use an IANA name such as "
         "\"Europe/Berlin\" or \"UTC\")"},
        {"[reports]\ntime_zone = \"Mars/Olympus\"",
         "reports.time_zone: \"Mars/Olympus\" is not a time zone of the tz database (use an IANA name such as "
         "\"Europe/Berlin\" or \"UTC\")"},
        {"[reports]\nchanel = \"#r\"", "reports.chanel: unknown key (did you mean channel?)"},
        {"[dashboard]\ntoken = \"x\"", "dashboard.token: unknown key"},
        {"[nudge]\nback_off_after = 0", "nudge.back_off_after: must be between 1 and 1000 unanswered nudges"},
        {"[nudge]\nmax_interval = \"often\"", "nudge.max_interval: \"often\" is not a duration (use 90s, 30m, 2h, 1d)"},
        {"[action_items]\nremind_at = \"9am\"", "action_items.remind_at: \"9am\" is not a time of day (09:00)"},
        {"[slack]\nannounce_updates = \"email\"", "slack.announce_updates: \"email\" is not thread, channel or edit"},
        {"[type.outage]\nrunbook_url = \"wiki/outage\"",
         "type.outage.runbook_url: \"wiki/outage\" must start with http:// or https://"},
        {"[log]\nlevel = \"in\\nfo\"",
         "log.level: \"in\\nfo\" is not a log level (use trace, debug, info, warn, error)"},
    };
    for (auto const& r : rows) {
        std::string const toml = r.toml;
        CAPTURE(toml);
        auto const message = error_of([&] { parse(r.toml, "/etc/warroom.toml", no_env); });
        CHECK(message == std::string{"/etc/warroom.toml: "} + r.message);
        CHECK_FALSE(contains(message, "\n"));
    }
}

TEST_CASE("every problem in the file is reported, one line each") {
    auto const message = error_of([&] {
        parse("[slack]\nannounce_chanel = \"#x\"\ncommand = \"incident\"\n"
              "[severity.P0]\nupdate_every = \"soon\"\nrespond_within = \"now\"\n"
              "[type.outage]\nprivate = \"yes\"\n"
              "[log]\nlevel = \"loud\"\n",
              "/etc/warroom.toml", no_env);
    });
    CHECK(message ==
          "/etc/warroom.toml: slack.announce_chanel: unknown key (did you mean announce_channel?)\n"
          "/etc/warroom.toml: slack.command: \"incident\" is not a slash command such as \"/incident\" (lowercase, no "
          "spaces, at most 32 characters)\n"
          "/etc/warroom.toml: log.level: \"loud\" is not a log level (use trace, debug, info, warn, error)\n"
          "/etc/warroom.toml: severity.P0.respond_within: \"now\" is not a duration (use 90s, 30m, 2h, 1d)\n"
          "/etc/warroom.toml: severity.P0.update_every: \"soon\" is not a duration (use 90s, 30m, 2h, 1d)\n"
          "/etc/warroom.toml: type.outage.private: expected true or false, got a string");
}

TEST_CASE("a webhook secret without the PagerDuty service it belongs to is refused") {
    auto const message = error_of([&] {
        parse("[paging]\nvendor = \"pagerduty\"\n", "/etc/warroom.toml",
              env_of({{"WARROOM_PAGING_KEY", "k-1"}, {"WARROOM_PAGING_WEBHOOK_SECRET", "s-1"}}));
    });
    CHECK(message == "/etc/warroom.toml: paging.service_id: a webhook secret is set but not the PagerDuty service it "
                     "belongs to (the service id, PABC123)");
    CHECK(message.find("s-1") == std::string::npos);
    // A service_id of the wrong type is that one error, not also a missing service.
    auto const typed = error_of([&] {
        parse("[paging]\nvendor = \"pagerduty\"\nservice_id = 123\n", "/etc/warroom.toml",
              env_of({{"WARROOM_PAGING_KEY", "k-1"}, {"WARROOM_PAGING_WEBHOOK_SECRET", "s-1"}}));
    });
    CHECK(typed == "/etc/warroom.toml: paging.service_id: expected a string, got an integer");
}

TEST_CASE("a token never appears in a message even when pasted into the wrong key") {
    row const rows[] = {
        {"[slack]\napp_token = \"xapp-1-A0-SECRET\"",
         "slack.app_token: tokens are not read from the config file; set SLACK_APP_TOKEN or slack.app_token_file"},
        {"[slack]\nbot_token = \"xoxb-1-SECRET\"",
         "slack.bot_token: tokens are not read from the config file; set SLACK_BOT_TOKEN or slack.bot_token_file"},
        {"[slack]\ncommand = \"xoxb-1-SECRET\"",
         "slack.command: \"xoxb-…\" is not a slash command such as \"/incident\" (lowercase, no spaces, at most 32 "
         "characters)"},
        {"[severity.P0]\nxoxp-1-SECRET = 1", "severity.P0.xoxp-…: unknown key"},
    };
    for (auto const& r : rows) {
        std::string const toml = r.toml;
        CAPTURE(toml);
        auto const message = error_of([&] { parse(r.toml, "/etc/warroom.toml", no_env); });
        CHECK(message == std::string{"/etc/warroom.toml: "} + r.message);
        CHECK_FALSE(contains(message, "SECRET"));
    }
}

TEST_CASE("bad token files are refused without showing their content") {
    scratch_dir dir;
    struct token_row {
        char const* key;
        char const* content;  // nullptr: the file does not exist
        char const* problem;  // '@' stands for the quoted path of the token file
    };
    token_row const rows[] = {
        {"app_token_file", "xoxb-1-SECRET", "the content of @ is not an app-level token (it must start with xapp-)"},
        {"bot_token_file", "xapp-1-SECRET", "the content of @ is not a bot token (it must start with xoxb-)"},
        {"bot_token_file", "SECRET-plain", "the content of @ is not a bot token (it must start with xoxb-)"},
        {"app_token_file", "xapp-1-SECRET xapp-2-SECRET",
         "the content of @ is not a single token (it contains whitespace)"},
        {"app_token_file", " \n", "@ is empty"},
        {"app_token_file", nullptr, "cannot read @: No such file or directory"},
    };
    auto const path = dir.file("token");
    auto const config = dir.file("warroom.toml");
    for (auto const& r : rows) {
        std::string const key = r.key;
        CAPTURE(key);
        std::string problem = r.problem;
        CAPTURE(problem);
        std::filesystem::remove(path);
        if (r.content) dir.write("token", r.content);
        auto const message =
            error_of([&] { parse(std::string{"[slack]\n"} + r.key + " = \"token\"\n", config, no_env); });
        problem.replace(problem.find('@'), 1, "\"" + path + "\"");
        CHECK(message == config + ": slack." + r.key + ": " + problem);
        CHECK_FALSE(contains(message, "SECRET"));
        CHECK_FALSE(contains(message, "\n"));
    }
}

TEST_CASE("bad environment values are refused naming the variable") {
    struct env_row {
        char const* name;
        char const* value;
        std::string message;
    };
    env_row const rows[] = {
        {"SLACK_APP_TOKEN", "xoxb-1-SECRET",
         "environment: SLACK_APP_TOKEN: the value is not an app-level token (it must start with xapp-)"},
        {"SLACK_BOT_TOKEN", "SECRET",
         "environment: SLACK_BOT_TOKEN: the value is not a bot token (it must start with xoxb-)"},
        {"SLACK_BOT_TOKEN", "xoxb-1 SECRET",
         "environment: SLACK_BOT_TOKEN: the value is not a single token (it contains whitespace)"},
        {"SLACK_API_URL", "slack.com/api",
         "environment: SLACK_API_URL: \"slack.com/api\" must start with http:// or https://"},
        {"WARROOM_STORE_URL", "mysql://u:SECRET@db/x",
         "environment: WARROOM_STORE_URL: unknown scheme \"mysql\" (use sqlite:// or postgresql://)"},
        {"SSL_CERT_FILE", "/nonexistent/ca.pem",
         "environment: SSL_CERT_FILE: cannot read \"/nonexistent/ca.pem\": No such file or directory"},
        {"SSL_CERT_FILE", "", "(no error)"},
    };
    for (auto const& r : rows) {
        std::string const name = r.name;
        CAPTURE(name);
        auto const env = env_of({{r.name, r.value}});
        CHECK(error_of([&] { load(std::nullopt, env); }) == r.message);
        auto const message = error_of([&] { parse("[slack]\ncommand = \"/inc\"\n", "/etc/warroom.toml", env); });
        CHECK(message == r.message);
        CHECK_FALSE(contains(message, "SECRET"));
    }
}

TEST_CASE("a CA file named in the config must be readable") {
    CHECK(error_of([] { parse("[slack]\nca_file = \"/nonexistent/ca.pem\"\n", "/etc/warroom.toml", no_env); }) ==
          "/etc/warroom.toml: slack.ca_file: cannot read \"/nonexistent/ca.pem\": No such file or directory");
}

TEST_CASE("a TOML syntax error gives file:line:column") {
    struct syntax_row {
        char const* toml;
        char const* prefix;
    };
    syntax_row const rows[] = {
        {"[slack\n", "warroom.toml:1:7: parse error: "},
        {"[log]\nlevel = \"info\"\nlevel = \"debug\"\n", "warroom.toml:3:9: parse error: "},
        {"[slack]\ncommand = /incident\n", "warroom.toml:2:11: parse error: "},
        {"[slack]\nchannel_prefix = \"inc\n", "warroom.toml:2:"},
    };
    for (auto const& r : rows) {
        std::string const toml = r.toml;
        CAPTURE(toml);
        auto const message = error_of([&] { parse(r.toml, "warroom.toml", no_env); });
        CHECK(message.starts_with(r.prefix));
        CHECK(contains(message, "parse error: "));
        CHECK_FALSE(contains(message, "\n"));
    }
}

TEST_CASE("a missing or unreadable config file is reported with the system's reason") {
    std::string const missing = "/x/y.toml: cannot read the config file: No such file or directory";
    CHECK(error_of([] { load("/x/y.toml", no_env); }) == missing);
    auto const env = env_of({{"WARROOM_CONFIG", "/x/y.toml"}});
    CHECK(error_of([&] { load(std::nullopt, env); }) == missing);

    scratch_dir dir;
    auto const directory = dir.path().string();
    CHECK(error_of([&] { load(directory, no_env); }) == directory + ": cannot read the config file: Is a directory");
}
