// TOML file + environment → plain settings. Everything is validated here, so the rest of the program
// can trust what it gets; each failure is a config_error with one line naming the file, the key and
// the problem. Secrets (Slack tokens) never appear in an error message or in describe().
#pragma once

#include <functional>
#include <chrono>
#include <map>
#include <vector>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/policy.hpp"
#include "core/status_page.hpp"

namespace warroom::config {

struct slack_settings {
    std::string app_token;                           // SLACK_APP_TOKEN or slack.app_token_file, xapp-...
    std::string bot_token;                           // SLACK_BOT_TOKEN or slack.bot_token_file, xoxb-...
    std::string api_url = "https://slack.com/api/";  // SLACK_API_URL or slack.api_url; always ends with '/'
    std::string ca_file;                             // SSL_CERT_FILE or slack.ca_file; empty: system store
    std::string command = "/incident";               // the slash command registered in the Slack app
    std::string timeline_reaction = "pushpin";       // emoji name without colons
    // Multiplies Slack's published rate limits the client shapes to: 1 for Slack itself; more for a
    // Slack-compatible server that allows more (the benchmark's simulator).
    double rate_limit_scale = 1.0;
};

// The paging integration: where pages go, and the secret its webhooks are signed with.
struct paging_settings {
    std::string vendor;                        // "pagerduty", "opsgenie"; empty: no paging integration
    std::string url;                           // base URL of the vendor's API; always ends with '/'
    std::string key;                           // WARROOM_PAGING_KEY or paging.key_file: routing key / API key
    std::map<std::string, std::string> users;  // Slack user id → the vendor's user name (Opsgenie: email)
    std::string webhook_secret;                // WARROOM_PAGING_WEBHOOK_SECRET or paging.webhook_secret_file
    std::string service_id;                    // the PagerDuty service warroom pages: webhooks of others are ignored
    std::chrono::seconds webhook_max_age{std::chrono::minutes{10}};  // older webhooks are replays: refused
};

// Alert intake ([alerts]): the secrets its receivers check; routing is in policy.alerts.
struct alerts_settings {
    std::string token;  // WARROOM_ALERTS_TOKEN or alerts.token_file: Alertmanager's and Grafana's bearer token
    // WARROOM_ALERTS_WEBHOOK_SECRET or alerts.webhook_secret_file: the generic receiver's Standard
    // Webhooks secrets ("whsec_…"), several (separated by white space) while one is rotated out.
    std::vector<std::string> webhook_secrets;
    // Low alert groups' tickets: POSTed as JSON to ticket_url (empty: none, low alerts are recorded
    // only) with `Authorization: Bearer <ticket_token>` (WARROOM_ALERTS_TICKET_TOKEN or
    // alerts.ticket_token_file).
    std::string ticket_url;
    std::string ticket_token;
    // Each receiver takes this many deliveries a second (0: unlimited), and bursts of `burst`; more
    // are answered 429. An Alertmanager batches a group's alerts into one delivery, so a storm of
    // 10,000 alerts a minute in 50 groups is a few deliveries a second.
    int rate_per_second = 50;
    int burst = 500;
};

// E-mail ([email]): the SMTP server warroom sends through and its login. Who is e-mailed is policy
// (policy.mail, contacts that are addresses, [[alerts.routes]] email).
struct email_settings {
    std::string smtp_url;  // "smtp://host:587" (STARTTLS) or "smtps://host:465"; empty: no e-mail
    std::string from;      // "warroom <warroom@example.com>"
    bool starttls = true;  // smtp://: required unless turned off (a local relay without TLS)
    std::string username;  // empty: no login
    std::string password;  // WARROOM_SMTP_PASSWORD or email.password_file
    std::chrono::seconds timeout{30};  // one send, all of it
};

// Per-user fairness: how many of each a person may send a minute (0: unlimited).
struct limit_settings {
    int declares_per_minute = 10;
    int commands_per_minute = 120;
    int marks_per_minute = 60;
};

// `[status_page.statuspage]`: Atlassian Statuspage, which gets every publication as well. Off while
// page_id is empty.
struct statuspage_settings {
    std::string page_id;
    std::string api_key;  // WARROOM_STATUSPAGE_API_KEY or status_page.statuspage.api_key_file
    std::string api_url = "https://api.statuspage.io";  // without a trailing '/'
    // [[status_page.components]] name -> statuspage_id: only these components are on Statuspage.
    std::map<std::string, std::string> components;
};

// `[status_page]`: the public status page, on a listener of its own. Its components are also in
// policy.components, which commands check names against.
struct status_page_settings {
    std::string listen;  // host:port; empty: no status page
    core::page_settings page;
    statuspage_settings statuspage;
};

struct settings {
    std::string source;                              // file read, empty when built-in defaults only
    core::policy policy = core::policy::defaults();  // also holds slack.announce_channel and slack.channel_prefix
    slack_settings slack;
    paging_settings paging;
    alerts_settings alerts;
    email_settings email;
    limit_settings limits;
    std::string store_url = "sqlite:///var/lib/warroom/warroom.db";  // WARROOM_STORE_URL or store.url
    std::string http_listen = "127.0.0.1:8080";                      // host:port
    // /readyz fails once an outbox entry at the head of its queue has waited longer than this.
    std::chrono::seconds http_outbox_stuck_after{std::chrono::minutes{5}};
    std::string log_level = "info";                                  // trace, debug, info, warn, error
    // WARROOM_DASHBOARD_TOKEN or dashboard.token_file: the bearer token /dashboard asks for; empty: the
    // dashboard is served only when http listen is a loopback address.
    std::string dashboard_token;
    status_page_settings status_page;
};

struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Returns the value of an environment variable, nullopt when unset. An empty value counts as unset.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

// path: explicit --config path, else WARROOM_CONFIG from env, else no file (defaults + environment).
settings load(std::optional<std::string> path, env_lookup const& env);
// The same from text already in memory; source_name is used in messages and to resolve relative paths.
settings parse(std::string_view toml_text, std::string const& source_name, env_lookup const& env);
// std::getenv-backed lookup for the real process.
env_lookup process_env();
// The URL with the password of "scheme://user:password@host" and any "password=" value masked.
std::string redact_url(std::string url);
// True for a listen address only this machine reaches (127.0.0.0/8, [::1], localhost).
bool loopback_listen(std::string_view listen);
// Who may read the dashboard, in words for check-config.
std::string dashboard_access(settings const& s);
// Multi-line human summary for `warroom check-config`; tokens shown as "set (xapp-…)", never the secret.
std::string describe(settings const& s);
// What is valid but probably not meant: an escalation step nobody is notified of, a webhook secret
// without the service it belongs to. One line each, for check-config and the daemon's start.
std::vector<std::string> warnings(settings const& s);

}  // namespace warroom::config
