// Parses the TOML with toml++ (kept out of the header), walks it against the known keys, then lets
// the environment override. Each problem is one line, "<file>: <key>: <problem>" or "environment:
// <VAR>: <problem>" for a value that came from the environment; every problem found is collected and
// config_error carries them all, one per line, so a file is mended in one pass.
#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include <date/tz.h>
#include <toml++/toml.h>

#include "core/alerts.hpp"
#include "core/authority.hpp"
#include "core/contact.hpp"

namespace warroom::config {
namespace {

using core::seconds;

constexpr std::string_view environment_origin = "environment";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Every Slack secret starts with one of these; whatever follows is cut from any message, so a token
// pasted into the wrong key cannot leak through an error.
std::string redact_tokens(std::string text) {
    static constexpr std::string_view prefixes[] = {"xapp-", "xoxb-", "xoxp-", "xoxa-", "xoxe-", "xoxr-", "xoxs-"};
    for (auto const prefix : prefixes) {
        for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
            auto const start = at + prefix.size();
            auto end = start;
            while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-'))
                ++end;
            if (end > start) text.replace(start, end - start, "…");
        }
    }
    return text;
}

// The file's contents may hold anything; a message stays on one line whatever it quotes.
std::string one_line(std::string_view text) {
    std::string out;
    for (char const c : text) {
        auto const u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

// A user's value echoed in a message: quoted, and shortened so a long value keeps the line readable.
std::string shown(std::string_view v) {
    constexpr std::size_t max = 60;
    auto cut = std::min(v.size(), max);
    while (cut > 0 && cut < v.size() && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8
    std::string out = "\"";
    for (char const c : v.substr(0, cut)) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    if (cut < v.size()) out += "…";
    return out + '"';
}

[[noreturn]] void fail(std::string_view origin, std::string_view key, std::string_view problem) {
    std::string message{origin};
    message.append(": ").append(key).append(": ").append(problem);
    throw config_error(one_line(redact_tokens(std::move(message))));
}

std::optional<std::string> env_value(env_lookup const& env, std::string_view name) {
    auto v = env(name);
    if (v && v->empty()) return std::nullopt;
    return v;
}

struct file_text {
    std::string text;
    int error = 0;  // errno of the failed open or read, 0 on success
};

file_text read_text(std::string const& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f{std::fopen(path.c_str(), "rb"), &std::fclose};
    if (!f) return {{}, errno};
    file_text out;
    char buf[16384];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.text.append(buf, n);
    // A directory opens fine and fails on the first read (EISDIR).
    if (std::ferror(f.get())) out.error = errno ? errno : EIO;
    return out;
}

std::string error_text(int err) { return std::generic_category().message(err); }

// --- value rules, shared by file keys and environment variables: nullopt when fine, else the problem.

std::optional<std::string> http_url_problem(std::string_view url) {
    for (std::string_view const scheme : {"http://", "https://"}) {
        if (url.starts_with(scheme)) {
            if (url.size() == scheme.size()) return shown(url) + " names no host";
            return std::nullopt;
        }
    }
    return shown(redact_url(std::string{url})) + " must start with http:// or https://";
}

// Statuspage's page and component ids are short lowercase letters and digits ("kctbh9vrtdwd"); they go
// into URLs and JSON keys as they are.
std::optional<std::string> statuspage_id_problem(std::string_view id) {
    if (id.empty()) return "must not be empty";
    for (unsigned char const c : id) {
        if (!std::isalnum(c)) return shown(id) + " is not a Statuspage id (letters and digits, such as \"kctbh9vrtdwd\")";
    }
    return std::nullopt;
}

std::string with_trailing_slash(std::string url) {
    if (!url.ends_with('/')) url += '/';
    return url;
}

std::optional<std::string> store_url_problem(std::string_view url) {
    auto const sep = url.find("://");
    if (sep == std::string_view::npos)
        return "not a URL (use sqlite:///var/lib/warroom/warroom.db or postgresql://user@host/dbname)";
    auto const scheme = url.substr(0, sep);
    if (scheme != "sqlite" && scheme != "postgresql" && scheme != "postgres")
        return "unknown scheme " + shown(scheme) + " (use sqlite:// or postgresql://)";
    if (url.size() == sep + 3) {
        if (scheme == "sqlite") return "names no database file (e.g. sqlite:///var/lib/warroom/warroom.db)";
        return "names no server (e.g. postgresql://user@host/dbname)";
    }
    return std::nullopt;
}

std::optional<std::string> smtp_url_problem(std::string_view url) {
    auto const scheme_end = url.find("://");
    auto const scheme = url.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end);
    if (scheme != "smtp" && scheme != "smtps")
        return shown(url) + " is not an SMTP URL (smtp://host:587 with STARTTLS, or smtps://host:465)";
    auto const rest = url.substr(scheme_end + 3);
    auto const host = rest.substr(0, rest.find('/'));
    if (host.empty() || std::ranges::any_of(host, is_space)) return "names no server (smtp://mail.example.com:587)";
    // The URL is shown in logs and check-config: the login has keys of its own.
    if (host.find('@') != std::string_view::npos)
        return "holds a login: put it in email.username and email.password_file (or WARROOM_SMTP_PASSWORD)";
    return std::nullopt;
}

std::optional<std::string> slack_user_problem(std::string_view id) {
    bool const shaped =
        id.size() >= 3 && (id.front() == 'U' || id.front() == 'W') &&
        std::ranges::all_of(id, [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
    if (shaped) return std::nullopt;
    return shown(id) + " is not a Slack user id (U0123ABCD: a member's profile, Copy member ID)";
}

std::optional<std::string> listen_problem(std::string_view listen) {
    auto const problem = shown(listen) + " is not host:port with a port from 0 (any free port) to 65535";
    std::string_view host, port;
    if (listen.starts_with('[')) {  // IPv6: [::1]:8080
        auto const close = listen.find("]:");
        if (close == std::string_view::npos) return problem;
        host = listen.substr(1, close - 1);
        port = listen.substr(close + 2);
    } else {
        auto const colon = listen.rfind(':');
        if (colon == std::string_view::npos) return problem;
        host = listen.substr(0, colon);
        port = listen.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return problem;  // a bare IPv6 address needs brackets
    }
    if (host.empty() || std::ranges::any_of(host, is_space)) return problem;
    if (port.empty() || port.size() > 5 || !std::ranges::all_of(port, [](char c) { return c >= '0' && c <= '9'; }))
        return problem;
    auto const number = std::stoi(std::string{port});
    if (number > 65535) return problem;
    return std::nullopt;
}

std::optional<std::string> log_level_problem(std::string_view level) {
    for (std::string_view const known : {"trace", "debug", "info", "warn", "error"})
        if (level == known) return std::nullopt;
    return shown(level) + " is not a log level (use trace, debug, info, warn, error)";
}

// Slack channel-name rules: lowercase letters, digits, '-' and '_'.
bool is_channel_name(std::string_view s, std::size_t max) {
    return !s.empty() && s.size() <= max &&
           std::ranges::all_of(s, [](char c) { return is_lower_alnum(c) || c == '-' || c == '_'; });
}

bool is_channel_id(std::string_view s) {
    return s.size() >= 9 && s.size() <= 21 && (s.front() == 'C' || s.front() == 'G') &&
           std::ranges::all_of(s, [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::optional<std::string> announce_channel_problem(std::string_view channel) {
    auto const name = channel.starts_with('#') ? channel.substr(1) : channel;
    if (is_channel_name(name, 80) || is_channel_id(channel)) return std::nullopt;
    return shown(channel) +
           " is neither a channel name such as \"#incidents\" nor a channel id such as \"C0123456789\"";
}

std::optional<std::string> channel_prefix_problem(std::string_view prefix) {
    if (is_channel_name(prefix, 20)) return std::nullopt;
    return shown(prefix) + " must be 1 to 20 characters of a-z, 0-9, - and _ (Slack channel-name rules)";
}

std::optional<std::string> command_problem(std::string_view command) {
    auto const name = command.starts_with('/') ? command.substr(1) : std::string_view{};
    if (!name.empty() && name.size() <= 31 &&
        std::ranges::all_of(name, [](char c) { return is_lower_alnum(c) || c == '-' || c == '_'; }))
        return std::nullopt;
    return shown(command) +
           " is not a slash command such as \"/incident\" (lowercase, no spaces, at most 32 characters)";
}

// Slack shows reactions as :name:; people copy that form, so the colons are dropped here.
std::string reaction_name(std::string_view reaction) {
    if (reaction.size() > 2 && reaction.starts_with(':') && reaction.ends_with(':'))
        reaction = reaction.substr(1, reaction.size() - 2);
    return std::string{reaction};
}

std::optional<std::string> reaction_problem(std::string_view original, std::string_view name) {
    if (!name.empty() && name.size() <= 100 && std::ranges::all_of(name, [](char c) {
            return is_lower_alnum(c) || c == '-' || c == '_' || c == '+' || c == '\'';
        }))
        return std::nullopt;
    return shown(original) + " is not an emoji name such as \"pushpin\"";
}

std::optional<std::string> target_problem(std::string_view target) {
    if (std::ranges::all_of(target, [](char c) { return is_lower_alnum(c) || c == '-' || c == '_'; }))
        return std::nullopt;
    return shown(target) + " is not a target key (lowercase letters, digits, - and _, such as \"on-call\")";
}

// parse_duration refuses zero, but an escalation step may fire at declaration: "0m", "0s", "0".
bool is_zero_duration(std::string_view s) {
    if (s == "0") return true;
    bool after_digit = false;
    for (char const c : s) {
        auto const lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (c == '0') {
            after_digit = true;
        } else if (after_digit && std::string_view{"smhdw"}.find(lower) != std::string_view::npos) {
            after_digit = false;
        } else {
            return false;
        }
    }
    return !s.empty() && !after_digit;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        auto diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            auto const above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string_view type_name(toml::node const& n) {
    switch (n.type()) {
        case toml::node_type::none:
            return "nothing";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
    }
    return "a value";
}

std::string join(std::string_view parent, std::string_view key) { return std::string{parent}.append(".").append(key); }

std::string indexed(std::string_view key, std::size_t i) {
    return std::string{key}.append("[").append(std::to_string(i)).append("]");
}

struct token_spec {
    std::string_view env_name;    // SLACK_APP_TOKEN
    std::string_view inline_key;  // app_token: refused, a secret does not belong in the config file
    std::string_view file_key;    // slack.app_token_file
    std::string_view prefix;      // xapp-
    std::string_view kind;        // "an app-level token"
    std::string_view credential;  // slack-app-token: the file's name in $CREDENTIALS_DIRECTORY (systemd)
};

constexpr token_spec app_token_spec{"SLACK_APP_TOKEN", "app_token", "slack.app_token_file", "xapp-",
                                    "an app-level token", "slack-app-token"};
constexpr token_spec bot_token_spec{"SLACK_BOT_TOKEN", "bot_token", "slack.bot_token_file", "xoxb-", "a bot token",
                                    "slack-bot-token"};

// Checks a token's shape; `holder` says where it was found. The token itself is never in the message.
void check_token(std::string_view token, token_spec const& spec, std::string_view origin, std::string_view key,
                 std::string const& holder) {
    if (std::ranges::any_of(token, is_space))
        fail(origin, key, holder + " is not a single token (it contains whitespace)");
    if (!token.starts_with(spec.prefix))
        fail(origin, key,
             holder + " is not " + std::string{spec.kind} + " (it must start with " + std::string{spec.prefix} + ")");
}

// An IANA zone from the system's tz database (tzdata), kept for the life of the program because the
// policy points at it.
class iana_zone final : public core::time_zone {
public:
    explicit iana_zone(date::time_zone const* zone) : zone_(zone) {}
    std::string name() const override { return std::string{zone_->name()}; }
    seconds offset(core::timestamp utc) const override { return info(utc).offset; }
    std::string abbreviation(core::timestamp utc) const override { return info(utc).abbrev; }

private:
    date::sys_info info(core::timestamp utc) const {
        return zone_->get_info(std::chrono::time_point_cast<seconds>(utc));
    }
    date::time_zone const* zone_;
};

// nullptr when the name is not in the tz database.
core::time_zone const* zone_named(std::string const& name) {
    if (name == "UTC") return &core::utc_zone();
    static std::mutex guard;
    static std::map<std::string, std::unique_ptr<iana_zone>, std::less<>> zones;
    std::lock_guard const lock{guard};
    if (auto const it = zones.find(name); it != zones.end()) return it->second.get();
    date::time_zone const* found = nullptr;
    try {
        found = date::locate_zone(name);
    } catch (std::runtime_error const&) {
        return nullptr;
    }
    return zones.emplace(name, std::make_unique<iana_zone>(found)).first->second.get();
}

// Walks one parsed file. Paths in it (secrets, CA bundle) are relative to the file's directory and
// are only opened after the environment had its say, since an environment variable replaces them.
class file_reader {
public:
    explicit file_reader(std::string const& source)
        : source_(source), base_dir_(std::filesystem::path(source).parent_path()) {}

    void read(toml::table const& doc, settings& s) {
        check_keys(doc, "",
                   {"slack", "store", "http", "log", "severity", "type", "post_incident", "oncall", "paging", "access",
                    "roles", "limits", "business_hours", "display", "nudge", "action_items", "alerts", "email",
                    "reports", "dashboard", "status_page"});
        auto const section = [&](char const* name, auto&& read_table) {
            guarded([&] {
                if (auto const* n = doc.get(name)) read_table(table_at(*n, name));
            });
        };
        section("oncall", [&](toml::table const& t) { read_oncall(t, s.policy); });
        section("paging", [&](toml::table const& t) { read_paging(t, s); });
        section("alerts", [&](toml::table const& t) { read_alerts(t, s); });
        section("email", [&](toml::table const& t) { read_email(t, s); });
        section("slack", [&](toml::table const& t) { read_slack(t, s); });
        section("store", [&](toml::table const& t) { read_store(t, s); });
        section("http", [&](toml::table const& t) { read_http(t, s); });
        section("log", [&](toml::table const& t) { read_log(t, s); });
        section("status_page", [&](toml::table const& t) { read_status_page(t, s); });
        section("severity", [&](toml::table const& t) { read_severities(t, s.policy); });
        section("type", [&](toml::table const& t) { read_types(t, s.policy); });
        section("post_incident", [&](toml::table const& t) { read_post_incident(t, s.policy); });
        section("access", [&](toml::table const& t) { read_access(t, s.policy); });
        section("roles", [&](toml::table const& t) { read_roles(t, s.policy); });
        section("limits", [&](toml::table const& t) { read_limits(t, s); });
        section("business_hours", [&](toml::table const& t) { read_business_hours(t, s.policy); });
        section("display", [&](toml::table const& t) { read_display(t, s.policy); });
        section("nudge", [&](toml::table const& t) { read_nudge(t, s.policy); });
        section("action_items", [&](toml::table const& t) { read_action_items(t, s.policy); });
        section("reports", [&](toml::table const& t) { read_reports(t, s.policy); });
        section("dashboard", [&](toml::table const& t) {
            check_keys(t, "dashboard", {"token_file"});
            if (auto const* n = t.get("token_file")) dashboard_token_file_ = path_at(*n, "dashboard.token_file");
        });
        for (auto const sev : core::all_severities) {
            auto const& name = s.policy.of(sev).rotation;
            if (!name.empty() && !s.policy.rotation_of(sev))
                guarded([&] {
                    fail_at(join(join("severity", core::to_string(sev)), "rotation"),
                            "no rotation is called " + shown(name) + " in [[oncall.rotations]]");
                });
        }
    }

    // Every problem found, section by section; empty when the file is fine.
    std::vector<std::string> const& errors() const { return errors_; }

    void apply_environment(settings& s, env_lookup const& env) const {
        guarded([&] {
            if (auto v = env_value(env, "SLACK_API_URL")) {
                if (auto problem = http_url_problem(*v)) fail(environment_origin, "SLACK_API_URL", *problem);
                s.slack.api_url = with_trailing_slash(*v);
            }
        });
        guarded([&] {
            if (auto v = env_value(env, "WARROOM_STORE_URL")) {
                if (auto problem = store_url_problem(*v)) fail(environment_origin, "WARROOM_STORE_URL", *problem);
                s.store_url = *v;
            }
        });
        guarded([&] {
            if (auto v = env_value(env, "SSL_CERT_FILE")) {
                check_readable(*v, environment_origin, "SSL_CERT_FILE");
                s.slack.ca_file = *v;
            } else if (ca_file_) {
                check_readable(*ca_file_, source_, "slack.ca_file");
                s.slack.ca_file = *ca_file_;
            }
        });
        guarded([&] { s.slack.app_token = token(app_token_spec, app_token_file_, env); });
        guarded([&] { s.slack.bot_token = token(bot_token_spec, bot_token_file_, env); });
        guarded([&] { s.paging.key = secret("WARROOM_PAGING_KEY", "paging.key_file", paging_key_file_, env); });
        guarded([&] {
            s.paging.webhook_secret =
                secret("WARROOM_PAGING_WEBHOOK_SECRET", "paging.webhook_secret_file", webhook_secret_file_, env);
        });
        guarded([&] { s.alerts.token = secret("WARROOM_ALERTS_TOKEN", "alerts.token_file", alerts_token_file_, env); });
        guarded([&] {
            s.dashboard_token =
                secret("WARROOM_DASHBOARD_TOKEN", "dashboard.token_file", dashboard_token_file_, env);
        });
        guarded([&] {
            std::istringstream secrets{
                secret("WARROOM_ALERTS_WEBHOOK_SECRET", "alerts.webhook_secret_file", alerts_secret_file_, env)};
            for (std::string one; secrets >> one;) {
                if (!one.starts_with("whsec_")) {
                    constexpr auto why = "a Standard Webhooks secret starts with whsec_";
                    if (env_value(env, "WARROOM_ALERTS_WEBHOOK_SECRET"))
                        fail(environment_origin, "WARROOM_ALERTS_WEBHOOK_SECRET", why);
                    fail_at("alerts.webhook_secret_file", why);
                }
                s.alerts.webhook_secrets.push_back(one);
            }
        });
        guarded([&] {
            s.alerts.ticket_token =
                secret("WARROOM_ALERTS_TICKET_TOKEN", "alerts.ticket_token_file", alerts_ticket_token_file_, env);
            if (!s.alerts.ticket_url.empty() && s.alerts.ticket_token.empty())
                fail(source_, "alerts.ticket_token_file",
                     "alerts.ticket_url is set but no token for it (WARROOM_ALERTS_TICKET_TOKEN or "
                     "alerts.ticket_token_file)");
            s.email.password = secret("WARROOM_SMTP_PASSWORD", "email.password_file", smtp_password_file_, env);
            if (!s.email.username.empty() && s.email.password.empty())
                fail(source_, "email.password_file",
                     "email.username is set but no password (WARROOM_SMTP_PASSWORD or email.password_file)");
            if (s.email.username.empty() && !s.email.password.empty())
                fail(source_, "email.username", "a password is set (WARROOM_SMTP_PASSWORD or email.password_file) "
                                                "but no username to log in with");
        });
        guarded([&] {
            auto& sp = s.status_page.statuspage;
            sp.api_key = secret("WARROOM_STATUSPAGE_API_KEY", "status_page.statuspage.api_key_file",
                                statuspage_key_file_, env);
            if (!sp.page_id.empty() && sp.api_key.empty())
                fail(source_, "status_page.statuspage.api_key_file",
                     "a Statuspage page_id is set but no API key (WARROOM_STATUSPAGE_API_KEY or "
                     "status_page.statuspage.api_key_file)");
        });
        guarded([&] {
            // Without the service, a signed webhook of any PagerDuty service could act on incidents.
            if (!s.paging.webhook_secret.empty() && s.paging.service_id.empty() && !service_id_given_)
                fail(source_, "paging.service_id",
                     "a webhook secret is set but not the PagerDuty service it belongs to (the service id, PABC123)");
        });
        guarded([&] {
            if (!s.paging.vendor.empty() && s.paging.key.empty() && !paging_key_file_)
                fail(source_, "paging.key_file",
                     "paging.vendor is " + shown(s.paging.vendor) +
                         " but no key is set (WARROOM_PAGING_KEY or paging.key_file)");
        });
    }

private:
    // Runs one reading step; a problem it finds is recorded and reading goes on with the next step.
    template <class Step>
    void guarded(Step&& step) const {
        try {
            step();
        } catch (config_error const& e) {
            errors_.emplace_back(e.what());
        }
    }

    [[noreturn]] void fail_at(std::string_view key, std::string_view problem) const { fail(source_, key, problem); }

    void check(std::string_view key, std::optional<std::string> const& problem) const {
        if (problem) fail_at(key, *problem);
    }

    void check_keys(toml::table const& t, std::string_view parent,
                    std::initializer_list<std::string_view> known) const {
        for (auto&& [k, v] : t) {
            std::string_view const name = k.str();
            if (std::ranges::find(known, name) != known.end()) continue;
            std::string problem = v.is_table() ? "unknown table" : "unknown key";
            for (auto const candidate : known) {
                if (edit_distance(name, candidate) <= 2) {
                    problem.append(" (did you mean ").append(candidate).append("?)");
                    break;
                }
            }
            guarded([&] { fail_at(parent.empty() ? std::string{name} : join(parent, name), problem); });
        }
    }

    toml::table const& table_at(toml::node const& n, std::string const& key) const {
        if (auto const* t = n.as_table()) return *t;
        fail_at(key, "expected a table, got " + std::string{type_name(n)});
    }

    toml::node const& required(toml::table const& t, std::string_view name, std::string const& parent) const {
        if (auto const* n = t.get(name)) return *n;
        fail_at(join(parent, name), "is missing");
    }

    std::string string_at(toml::node const& n, std::string const& key) const {
        auto const* s = n.as_string();
        if (!s) fail_at(key, "expected a string, got " + std::string{type_name(n)});
        if (s->get().empty()) fail_at(key, "must not be empty");
        return s->get();
    }

    bool bool_at(toml::node const& n, std::string const& key) const {
        auto const* b = n.as_boolean();
        if (!b) fail_at(key, "expected true or false, got " + std::string{type_name(n)});
        return b->get();
    }

    std::vector<std::string> strings_at(toml::node const& n, std::string const& key) const {
        auto const* a = n.as_array();
        if (!a) fail_at(key, "expected an array of strings, got " + std::string{type_name(n)});
        std::vector<std::string> out;
        for (std::size_t i = 0; i < a->size(); ++i) out.push_back(string_at(*a->get(i), indexed(key, i)));
        return out;
    }

    // A whole number from `lo` to `hi`; `range` says what they mean ("between 0 (unlimited) and 100000").
    int whole_number_at(toml::node const& n, std::string const& key, int lo, int hi, std::string const& range) const {
        auto const v = n.value<int64_t>();
        if (!v) fail_at(key, "expected a whole number, got " + std::string{type_name(n)});
        if (*v < lo || *v > hi) fail_at(key, "must be " + range);
        return static_cast<int>(*v);
    }

    std::string duration_text_at(toml::node const& n, std::string const& key) const {
        auto const* s = n.as_string();
        if (!s) fail_at(key, "expected a duration string such as \"30m\", got " + std::string{type_name(n)});
        return s->get();
    }

    seconds duration_at(toml::node const& n, std::string const& key, bool zero_allowed = false) const {
        auto const text = duration_text_at(n, key);
        if (auto d = core::parse_duration(text)) return *d;
        if (is_zero_duration(text)) {
            if (zero_allowed) return seconds{0};
            fail_at(key, shown(text) + " must be longer than zero");
        }
        fail_at(key, shown(text) + " is not a duration (use 90s, 30m, 2h, 1d)");
    }

    // An update cadence may be switched off entirely.
    std::optional<seconds> cadence_at(toml::node const& n, std::string const& key) const {
        auto const text = duration_text_at(n, key);
        if (text == "none" || text == "off") return std::nullopt;
        return duration_at(n, key);
    }

    std::string path_at(toml::node const& n, std::string const& key) const {
        std::filesystem::path p = string_at(n, key);
        if (p.is_relative() && !base_dir_.empty()) p = base_dir_ / p;
        return p.string();
    }

    void read_slack(toml::table const& t, settings& s) {
        check_keys(t, "slack",
                   {"announce_channel", "channel_prefix", "command", "timeline_reaction", "app_token_file",
                    "bot_token_file", "api_url", "ca_file", "app_token", "bot_token", "rate_limit_scale",
                    "private_room_name", "announce_updates"});
        guarded([&] {
            auto const* n = t.get("announce_updates");
            if (!n) return;
            auto const text = string_at(*n, "slack.announce_updates");
            using posts = core::policy::update_posts;
            if (text == "thread") s.policy.announce_updates = posts::thread;
            else if (text == "channel") s.policy.announce_updates = posts::channel;
            else if (text == "edit") s.policy.announce_updates = posts::edit;
            else fail_at("slack.announce_updates", shown(text) + " is not thread, channel or edit");
        });
        for (auto const& spec : {app_token_spec, bot_token_spec}) {
            if (t.contains(spec.inline_key))
                fail_at(join("slack", spec.inline_key), "tokens are not read from the config file; set " +
                                                            std::string{spec.env_name} + " or " +
                                                            std::string{spec.file_key});
        }
        guarded([&] {
            if (auto const* n = t.get("announce_channel")) {
                s.policy.announce_channel = string_at(*n, "slack.announce_channel");
                check("slack.announce_channel", announce_channel_problem(s.policy.announce_channel));
            }
        });
        guarded([&] {
            if (auto const* n = t.get("channel_prefix")) {
                s.policy.channel_prefix = string_at(*n, "slack.channel_prefix");
                check("slack.channel_prefix", channel_prefix_problem(s.policy.channel_prefix));
            }
        });
        guarded([&] {
            if (auto const* n = t.get("private_room_name")) {
                s.policy.private_room_name = string_at(*n, "slack.private_room_name");
                if (s.policy.private_room_name.find("{number}") == std::string::npos)
                    fail_at("slack.private_room_name", shown(s.policy.private_room_name) +
                                                           " must contain {number}: each incident needs its own room");
            }
        });
        guarded([&] {
            if (auto const* n = t.get("command")) {
                s.slack.command = string_at(*n, "slack.command");
                check("slack.command", command_problem(s.slack.command));
            }
        });
        guarded([&] {
            if (auto const* n = t.get("timeline_reaction")) {
                auto const original = string_at(*n, "slack.timeline_reaction");
                s.slack.timeline_reaction = reaction_name(original);
                check("slack.timeline_reaction", reaction_problem(original, s.slack.timeline_reaction));
            }
        });
        guarded([&] {
            if (auto const* n = t.get("api_url")) {
                auto const url = string_at(*n, "slack.api_url");
                check("slack.api_url", http_url_problem(url));
                s.slack.api_url = with_trailing_slash(url);
            }
        });
        guarded([&] {
            if (auto const* n = t.get("rate_limit_scale")) {
                auto const v = n->value<double>();
                if (!v) fail_at("slack.rate_limit_scale", "expected a number, got " + std::string{type_name(*n)});
                if (!(*v >= 0.01 && *v <= 1000)) fail_at("slack.rate_limit_scale", "must be between 0.01 and 1000");
                s.slack.rate_limit_scale = *v;
            }
        });
        guarded([&] {
            if (auto const* n = t.get("ca_file")) ca_file_ = path_at(*n, "slack.ca_file");
        });
        guarded([&] {
            if (auto const* n = t.get("app_token_file")) app_token_file_ = path_at(*n, "slack.app_token_file");
        });
        guarded([&] {
            if (auto const* n = t.get("bot_token_file")) bot_token_file_ = path_at(*n, "slack.bot_token_file");
        });
    }

    void read_store(toml::table const& t, settings& s) const {
        check_keys(t, "store", {"url"});
        guarded([&] {
            if (auto const* n = t.get("url")) {
                s.store_url = string_at(*n, "store.url");
                check("store.url", store_url_problem(s.store_url));
            }
        });
    }

    void read_http(toml::table const& t, settings& s) const {
        check_keys(t, "http", {"listen", "outbox_stuck_after"});
        guarded([&] {
            if (auto const* n = t.get("listen")) {
                s.http_listen = string_at(*n, "http.listen");
                check("http.listen", listen_problem(s.http_listen));
            }
        });
        guarded([&] {
            if (auto const* n = t.get("outbox_stuck_after"))
                s.http_outbox_stuck_after = duration_at(*n, "http.outbox_stuck_after");
        });
    }

    void read_status_page(toml::table const& t, settings& s) {
        check_keys(t, "status_page", {"listen", "name", "url", "maintainers", "components", "statuspage"});
        auto& sp = s.status_page;
        guarded([&] {
            if (auto const* n = t.get("listen")) {
                sp.listen = string_at(*n, "status_page.listen");
                check("status_page.listen", listen_problem(sp.listen));
            }
        });
        guarded([&] {
            if (auto const* n = t.get("name")) {
                sp.page.name = string_at(*n, "status_page.name");
                if (core::trim(sp.page.name).empty()) fail_at("status_page.name", "must not be empty");
            }
        });
        guarded([&] {
            if (auto const* n = t.get("url")) {
                sp.page.url = string_at(*n, "status_page.url");
                check("status_page.url", http_url_problem(sp.page.url));
                while (!sp.page.url.empty() && sp.page.url.back() == '/') sp.page.url.pop_back();
            }
        });
        guarded([&] {
            if (auto const* n = t.get("maintainers")) s.policy.maintainers = people_by_id(*n, "status_page.maintainers");
        });
        guarded([&] {
            if (auto const* n = t.get("statuspage")) read_statuspage(table_at(*n, "status_page.statuspage"), s);
        });
        auto const* list = t.get("components");
        if (!list) return;
        auto const* components = list->as_array();
        if (!components) fail_at("status_page.components", "expected an array of tables ([[status_page.components]])");
        for (std::size_t i = 0; i < components->size(); ++i) {
            guarded([&] {
                auto const key = indexed("status_page.components", i);
                auto const& c = table_at(*components->get(i), key);
                check_keys(c, key, {"name", "group", "description", "statuspage_id"});
                core::component_def def;
                def.name = string_at(required(c, "name", key), join(key, "name"));
                // A name is typed after `component:`: one word, as a command reads it.
                if (def.name.empty() || std::ranges::any_of(def.name, [](unsigned char ch) { return std::isspace(ch); }))
                    fail_at(join(key, "name"), shown(def.name) + " must be one word (use - or _ between words)");
                if (std::ranges::find(s.policy.components, def.name) != s.policy.components.end())
                    fail_at(join(key, "name"), shown(def.name) + " is named twice");
                if (auto const* n = c.get("group")) def.group = string_at(*n, join(key, "group"));
                if (auto const* n = c.get("description")) def.description = string_at(*n, join(key, "description"));
                if (auto const* n = c.get("statuspage_id")) {
                    auto const id = string_at(*n, join(key, "statuspage_id"));
                    check(join(key, "statuspage_id"), statuspage_id_problem(id));
                    for (auto const& [other, other_id] : sp.statuspage.components) {
                        if (other_id == id) fail_at(join(key, "statuspage_id"), shown(id) + " is " + shown(other) + "'s too");
                    }
                    sp.statuspage.components[def.name] = id;
                }
                s.policy.components.push_back(def.name);
                sp.page.components.push_back(std::move(def));
            });
        }
    }

    void read_statuspage(toml::table const& t, settings& s) {
        constexpr auto at = "status_page.statuspage";
        check_keys(t, at, {"page_id", "api_key_file", "api_url"});
        auto& sp = s.status_page.statuspage;
        guarded([&] {
            sp.page_id = string_at(required(t, "page_id", at), join(at, "page_id"));
            check(join(at, "page_id"), statuspage_id_problem(sp.page_id));
        });
        guarded([&] {
            if (auto const* n = t.get("api_url")) {
                sp.api_url = string_at(*n, join(at, "api_url"));
                check(join(at, "api_url"), http_url_problem(sp.api_url));
                while (sp.api_url.ends_with('/')) sp.api_url.pop_back();
            }
        });
        guarded([&] {
            if (auto const* n = t.get("api_key_file")) statuspage_key_file_ = path_at(*n, join(at, "api_key_file"));
        });
        s.policy.statuspage = !sp.page_id.empty();
    }

    void read_log(toml::table const& t, settings& s) const {
        check_keys(t, "log", {"level"});
        guarded([&] {
            if (auto const* n = t.get("level")) {
                s.log_level = string_at(*n, "log.level");
                check("log.level", log_level_problem(s.log_level));
            }
        });
    }

    void read_paging(toml::table const& t, settings& s) {
        check_keys(t, "paging",
                   {"vendor", "url", "key_file", "webhook_secret_file", "users", "service_id", "webhook_max_age"});
        guarded([&] {
            if (auto const* n = t.get("service_id")) {
                service_id_given_ = true;  // a bad value is its own error, not also a missing one
                s.paging.service_id = string_at(*n, "paging.service_id");
            }
        });
        guarded([&] {
            if (auto const* n = t.get("webhook_max_age"))
                s.paging.webhook_max_age = duration_at(*n, "paging.webhook_max_age");
        });
        guarded([&] {
            if (auto const* n = t.get("vendor")) {
                auto const vendor = string_at(*n, "paging.vendor");
                if (vendor != "pagerduty" && vendor != "opsgenie")
                    fail_at("paging.vendor", shown(vendor) + " is not supported (use pagerduty or opsgenie)");
                s.paging.vendor = vendor;
                s.paging.url =
                    s.paging.vendor == "pagerduty" ? "https://events.pagerduty.com/" : "https://api.opsgenie.com/";
            }
        });
        guarded([&] {
            if (auto const* n = t.get("url")) {
                auto const url = string_at(*n, "paging.url");
                check("paging.url", http_url_problem(url));
                s.paging.url = with_trailing_slash(url);
            }
        });
        guarded([&] {
            if (auto const* n = t.get("key_file")) paging_key_file_ = path_at(*n, "paging.key_file");
        });
        guarded([&] {
            if (auto const* n = t.get("webhook_secret_file"))
                webhook_secret_file_ = path_at(*n, "paging.webhook_secret_file");
        });
        guarded([&] {
            if (auto const* n = t.get("users")) {
                auto const& users = table_at(*n, "paging.users");
                for (auto&& [k, v] : users) {
                    auto const key = join("paging.users", k.str());
                    check(key, slack_user_problem(k.str()));
                    s.paging.users[std::string{k.str()}] = string_at(v, key);
                }
            }
        });
        s.policy.paging = !s.paging.vendor.empty();
    }

    void read_alerts(toml::table const& t, settings& s) {
        auto& a = s.policy.alerts;
        check_keys(t, "alerts",
                   {"channel", "token_file", "webhook_secret_file", "group_by", "reopen_window", "critical_severity",
                    "triagers", "routes", "ticket_url", "ticket_token_file", "rate_per_second", "burst"});
        guarded([&] {
            if (auto const* n = t.get("ticket_url")) {
                auto const url = string_at(*n, "alerts.ticket_url");
                check("alerts.ticket_url", http_url_problem(url));
                s.alerts.ticket_url = url;
                a.tickets = true;
            }
        });
        guarded([&] {
            if (auto const* n = t.get("ticket_token_file"))
                alerts_ticket_token_file_ = path_at(*n, "alerts.ticket_token_file");
        });
        guarded([&] {
            if (auto const* n = t.get("rate_per_second"))
                s.alerts.rate_per_second =
                    whole_number_at(*n, "alerts.rate_per_second", 0, 10'000, "between 0 (unlimited) and 10000");
        });
        guarded([&] {
            if (auto const* n = t.get("burst"))
                s.alerts.burst = whole_number_at(*n, "alerts.burst", 1, 100'000, "between 1 and 100000");
        });
        guarded([&] {
            if (auto const* n = t.get("channel")) {
                a.channel = string_at(*n, "alerts.channel");
                check("alerts.channel", announce_channel_problem(a.channel));
            }
        });
        guarded([&] {
            if (auto const* n = t.get("token_file")) alerts_token_file_ = path_at(*n, "alerts.token_file");
        });
        guarded([&] {
            if (auto const* n = t.get("webhook_secret_file"))
                alerts_secret_file_ = path_at(*n, "alerts.webhook_secret_file");
        });
        guarded([&] {
            if (auto const* n = t.get("group_by")) a.group_by = strings_at(*n, "alerts.group_by");
        });
        guarded([&] {
            if (auto const* n = t.get("triagers")) a.triagers = people_by_id(*n, "alerts.triagers");
        });
        guarded([&] {
            if (auto const* n = t.get("reopen_window")) a.reopen_window = duration_at(*n, "alerts.reopen_window");
        });
        guarded([&] {
            if (auto const* n = t.get("critical_severity"))
                a.critical_severity =
                    severity_named(string_at(*n, "alerts.critical_severity"), "alerts.critical_severity");
        });
        auto const* list = t.get("routes");
        if (!list) return;
        auto const* routes = list->as_array();
        if (!routes) fail_at("alerts.routes", "expected an array of tables ([[alerts.routes]])");
        for (std::size_t i = 0; i < routes->size(); ++i) {
            guarded([&] {
                auto const key = indexed("alerts.routes", i);
                auto const& r = table_at(*routes->get(i), key);
                check_keys(r, key, {"match", "level", "severity", "type", "email"});
                core::alert_route route;
                route.sev = a.critical_severity;
                if (auto const* m = r.get("match")) {
                    for (auto&& [label, value] : table_at(*m, join(key, "match")))
                        route.match.emplace_back(std::string{label.str()},
                                                 string_at(value, join(join(key, "match"), label.str())));
                }
                auto const level = string_at(required(r, "level", key), join(key, "level"));
                auto const parsed = core::parse_alert_level(level);
                if (!parsed || core::to_string(*parsed) != level)
                    fail_at(join(key, "level"), shown(level) + " is not a level (use critical, high, medium, low)");
                route.level = *parsed;
                if (auto const* n = r.get("severity"))
                    route.sev = severity_named(string_at(*n, join(key, "severity")), join(key, "severity"));
                if (auto const* n = r.get("type"))
                    route.type = type_named(string_at(*n, join(key, "type")), join(key, "type"));
                if (auto const* n = r.get("email")) {
                    if (route.level != core::alert_level::high)
                        fail_at(join(key, "email"), "only a high route e-mails (this one is " + level + ")");
                    route.email = addresses_at(*n, join(key, "email"));
                }
                a.routes.push_back(std::move(route));
            });
        }
    }

    void read_email(toml::table const& t, settings& s) {
        check_keys(t, "email",
                   {"smtp_url", "from", "starttls", "username", "password_file", "timeout", "customer_list"});
        auto& e = s.email;
        guarded([&] {
            e.smtp_url = string_at(required(t, "smtp_url", "email"), "email.smtp_url");
            check("email.smtp_url", smtp_url_problem(e.smtp_url));
            if (auto const* n = t.get("starttls")) {
                if (e.smtp_url.starts_with("smtps://"))
                    fail_at("email.starttls", "is for smtp:// URLs (smtps:// is TLS from the first byte)");
                e.starttls = bool_at(*n, "email.starttls");
            }
        });
        guarded([&] {
            e.from = string_at(required(t, "from", "email"), "email.from");
            auto const open = e.from.rfind('<');
            auto const address = open == std::string::npos || !e.from.ends_with('>')
                                     ? e.from
                                     : e.from.substr(open + 1, e.from.size() - open - 2);
            auto const c = core::parse_contact(address);
            if (!c || c->what != core::contact::kind::email || e.from.find_first_of("\r\n") != std::string::npos)
                fail_at("email.from", shown(e.from) + " is not an address (warroom@example.com, or "
                                                       "\"warroom <warroom@example.com>\")");
        });
        guarded([&] {
            if (auto const* n = t.get("username")) e.username = string_at(*n, "email.username");
        });
        guarded([&] {
            if (auto const* n = t.get("password_file")) smtp_password_file_ = path_at(*n, "email.password_file");
        });
        guarded([&] {
            if (auto const* n = t.get("timeout")) {
                e.timeout = duration_at(*n, "email.timeout");
                if (e.timeout > std::chrono::minutes{10}) fail_at("email.timeout", "must be at most 10m");
            }
        });
        guarded([&] {
            if (auto const* n = t.get("customer_list"))
                s.policy.mail.customer_list = addresses_at(*n, "email.customer_list");
        });
        s.policy.mail.enabled = true;
    }

    // A list of e-mail addresses.
    std::vector<std::string> addresses_at(toml::node const& n, std::string const& key) const {
        auto const texts = strings_at(n, key);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            auto const c = core::parse_contact(texts[i]);
            if (!c || c->what != core::contact::kind::email)
                fail_at(indexed(key, i), shown(texts[i]) + " is not an e-mail address");
        }
        return texts;
    }

    void read_oncall(toml::table const& t, core::policy& p) const {
        check_keys(t, "oncall", {"rotations"});
        auto const* list = t.get("rotations");
        if (!list) return;
        auto const* a = list->as_array();
        if (!a) fail_at("oncall.rotations", "expected an array of tables ([[oncall.rotations]])");
        for (std::size_t i = 0; i < a->size(); ++i) {
            guarded([&] {
                auto const key = indexed("oncall.rotations", i);
                auto const& r = table_at(*a->get(i), key);
                check_keys(r, key, {"name", "members", "start", "length", "handoff_channel", "overrides"});
                core::rotation rot;
                rot.name = string_at(required(r, "name", key), join(key, "name"));
                if (std::ranges::any_of(p.rotations, [&](auto const& other) { return other.name == rot.name; }))
                    fail_at(join(key, "name"), shown(rot.name) + " appears twice");
                rot.members = users_at(required(r, "members", key), join(key, "members"));
                if (rot.members.empty()) fail_at(join(key, "members"), "must name at least one member");
                rot.start = time_at(required(r, "start", key), join(key, "start"));
                rot.length = std::chrono::days{7};
                if (auto const* n = r.get("length")) {
                    auto const text = duration_text_at(*n, join(key, "length"));
                    rot.length = text == "weekly"      ? seconds{std::chrono::days{7}}
                                 : text == "bi-weekly" ? seconds{std::chrono::days{14}}
                                                       : duration_at(*n, join(key, "length"));
                }
                if (auto const* n = r.get("handoff_channel")) {
                    rot.handoff_channel = string_at(*n, join(key, "handoff_channel"));
                    check(join(key, "handoff_channel"), announce_channel_problem(rot.handoff_channel));
                }
                if (auto const* n = r.get("overrides")) rot.overrides = overrides_at(*n, join(key, "overrides"));
                p.rotations.push_back(std::move(rot));
            });
        }
    }

    std::vector<core::rotation_override> overrides_at(toml::node const& n, std::string const& key) const {
        auto const* a = n.as_array();
        if (!a) fail_at(key, "expected an array of overrides, got " + std::string{type_name(n)});
        std::vector<core::rotation_override> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            auto const k = indexed(key, i);
            auto const& t = table_at(*a->get(i), k);
            check_keys(t, k, {"from", "until", "user", "position"});
            core::rotation_override o;
            o.from = time_at(required(t, "from", k), join(k, "from"));
            o.until = time_at(required(t, "until", k), join(k, "until"));
            if (o.until <= o.from) fail_at(join(k, "until"), "must be after from");
            o.user = user_at(required(t, "user", k), join(k, "user"));
            if (auto const* pos = t.get("position")) {
                auto const text = string_at(*pos, join(k, "position"));
                if (text != "primary" && text != "secondary")
                    fail_at(join(k, "position"), shown(text) + " is not primary or secondary");
                o.secondary = text == "secondary";
            }
            out.push_back(std::move(o));
        }
        return out;
    }

    std::string user_at(toml::node const& n, std::string const& key) const {
        auto text = string_at(n, key);
        if (text.front() == '@') text.erase(0, 1);
        check(key, slack_user_problem(text));
        return text;
    }

    std::vector<std::string> users_at(toml::node const& n, std::string const& key) const {
        auto const* a = n.as_array();
        if (!a) fail_at(key, "expected an array of Slack user ids, got " + std::string{type_name(n)});
        std::vector<std::string> out;
        for (std::size_t i = 0; i < a->size(); ++i) out.push_back(user_at(*a->get(i), indexed(key, i)));
        return out;
    }

    // A TOML date-time (its offset applied), a date (midnight UTC), or the same as a string.
    core::timestamp time_at(toml::node const& n, std::string const& key) const {
        if (auto const* d = n.as_date()) return day_of(d->get());
        if (auto const* dt = n.as_date_time()) {
            auto const& v = dt->get();
            auto t = day_of(v.date) + std::chrono::hours{v.time.hour} + std::chrono::minutes{v.time.minute} +
                     seconds{v.time.second};
            if (v.offset) t -= std::chrono::minutes{v.offset->minutes};
            return t;
        }
        auto const text = string_at(n, key);
        if (auto const t = core::parse_time(text)) return *t;
        if (auto const d = core::parse_date(text)) return *d;
        fail_at(key, shown(text) + " is not a time (use 2026-01-05T09:00:00Z)");
    }

    static core::timestamp day_of(toml::date const& d) {
        return core::timestamp{std::chrono::sys_days{std::chrono::year{d.year} / d.month / d.day}};
    }

    void read_severities(toml::table const& t, core::policy& p) const {
        for (auto&& [k, v] : t) {
            auto const key = join("severity", k.str());
            core::severity sev{};
            try {
                sev = severity_named(k.str(), key);
            } catch (config_error const& e) {
                errors_.emplace_back(e.what());
                continue;
            }
            auto const& node = v;  // a structured binding cannot be captured (C++20, clang)
            guarded([&] { read_severity(table_at(node, key), key, p.of(sev)); });
        }
    }

    core::severity severity_named(std::string_view name, std::string const& key) const {
        for (auto const sev : core::all_severities)
            if (core::to_string(sev) == name) return sev;
        if (auto const sev = core::parse_severity(name))
            fail_at(key, "unknown severity (write it as " + std::string{core::to_string(*sev)} + ")");
        fail_at(key, "unknown severity (use P0, P1, P2, P3)");
    }

    void read_severity(toml::table const& t, std::string const& key, core::severity_policy& sp) const {
        check_keys(t, key,
                   {"name", "respond_within", "respond_label", "update_every", "announce_to", "on_call", "escalation",
                    "rotation"});
        guarded([&] {
            if (auto const* n = t.get("name")) sp.name = string_at(*n, join(key, "name"));
        });
        guarded([&] {
            if (auto const* n = t.get("respond_within")) {
                sp.respond_within = duration_at(*n, join(key, "respond_within"));
                // The built-in label describes the built-in target; keep the two consistent.
                sp.respond_label = "Within " + core::format_duration(sp.respond_within);
            }
        });
        guarded([&] {
            if (auto const* n = t.get("respond_label")) sp.respond_label = string_at(*n, join(key, "respond_label"));
        });
        guarded([&] {
            if (auto const* n = t.get("update_every")) sp.update_every = cadence_at(*n, join(key, "update_every"));
        });
        guarded([&] {
            if (auto const* n = t.get("announce_to")) sp.announce_to = string_at(*n, join(key, "announce_to"));
        });
        guarded([&] {
            if (auto const* n = t.get("on_call")) sp.on_call = users_at(*n, join(key, "on_call"));
        });
        guarded([&] {
            if (auto const* n = t.get("escalation")) sp.escalation = escalation_at(*n, join(key, "escalation"));
        });
        guarded([&] {
            if (auto const* n = t.get("rotation")) sp.rotation = string_at(*n, join(key, "rotation"));
        });
    }

    std::vector<core::escalation_step> escalation_at(toml::node const& n, std::string const& key) const {
        auto const* a = n.as_array();
        if (!a) fail_at(key, "expected an array of steps, got " + std::string{type_name(n)});
        std::vector<core::escalation_step> steps;
        for (std::size_t i = 0; i < a->size(); ++i) {
            guarded([&] {
                auto const step_key = indexed(key, i);
                auto const& t = table_at(*a->get(i), step_key);
                check_keys(t, step_key, {"after", "target", "label", "notify", "dm", "page", "customer_notice"});
                core::escalation_step step;
                step.after = duration_at(required(t, "after", step_key), join(step_key, "after"), true);
                step.target = string_at(required(t, "target", step_key), join(step_key, "target"));
                check(join(step_key, "target"), target_problem(step.target));
                step.label = step.target;
                if (auto const* l = t.get("label")) step.label = string_at(*l, join(step_key, "label"));
                if (auto const* l = t.get("notify")) step.notify = contacts_at(*l, join(step_key, "notify"), true);
                core::apply_target_defaults(step);
                if (auto const* l = t.get("dm")) step.dm = bool_at(*l, join(step_key, "dm"));
                if (auto const* l = t.get("page")) step.page = bool_at(*l, join(step_key, "page"));
                if (auto const* l = t.get("customer_notice"))
                    step.customer_notice = bool_at(*l, join(step_key, "customer_notice"));
                if (!steps.empty() && step.after < steps.back().after)
                    fail_at(join(step_key, "after"),
                            core::format_duration(step.after) + " comes before the previous step's " +
                                core::format_duration(steps.back().after) + " (steps must be sorted by after)");
                if (std::ranges::any_of(steps, [&](auto const& earlier) { return earlier.target == step.target; }))
                    fail_at(join(step_key, "target"), shown(step.target) + " appears twice (each target escalates once)");
                steps.push_back(std::move(step));
            });
        }
        return steps;
    }

    void read_types(toml::table const& t, core::policy& p) const {
        for (auto&& [k, v] : t) {
            auto const key = join("type", k.str());
            core::incident_type type{};
            try {
                type = type_named(k.str(), key);
            } catch (config_error const& e) {
                errors_.emplace_back(e.what());
                continue;
            }
            auto const& node = v;
            guarded([&] { read_type(table_at(node, key), key, p.of(type)); });
        }
    }

    core::incident_type type_named(std::string_view name, std::string const& key) const {
        for (auto const type : core::all_types)
            if (core::to_string(type) == name) return type;
        if (auto const type = core::parse_incident_type(name))
            fail_at(key, "unknown incident type (write it as " + std::string{core::to_string(*type)} + ")");
        fail_at(key, "unknown incident type (use outage, performance, data-loss, security, integration, privacy)");
    }

    void read_type(toml::table const& t, std::string const& key, core::type_policy& tp) const {
        check_keys(t, key, {"contacts", "private", "regulator_clock", "runbook", "runbook_url", "typical_severity"});
        guarded([&] {
            if (auto const* n = t.get("runbook_url")) {
                auto const url = string_at(*n, join(key, "runbook_url"));
                check(join(key, "runbook_url"), http_url_problem(url));
                tp.runbook_url = url;
            }
        });
        guarded([&] {
            if (auto const* n = t.get("contacts")) tp.contacts = contacts_at(*n, join(key, "contacts"), false);
        });
        guarded([&] {
            if (auto const* n = t.get("typical_severity"))
                tp.typical = severity_named(string_at(*n, join(key, "typical_severity")), join(key, "typical_severity"));
        });
        guarded([&] {
            if (auto const* n = t.get("private")) tp.private_room = bool_at(*n, join(key, "private"));
        });
        guarded([&] {
            if (auto const* n = t.get("regulator_clock")) tp.regulator_clock = bool_at(*n, join(key, "regulator_clock"));
        });
        guarded([&] {
            if (auto const* n = t.get("runbook")) {
                auto const runbook_key = join(key, "runbook");
                auto const& r = table_at(*n, runbook_key);
                check_keys(r, runbook_key, {"title", "steps"});
                if (auto const* m = r.get("title")) tp.book.title = string_at(*m, join(runbook_key, "title"));
                if (auto const* m = r.get("steps")) tp.book.steps = strings_at(*m, join(runbook_key, "steps"));
            }
        });
    }

    void read_post_incident(toml::table const& t, core::policy& p) const {
        check_keys(t, "post_incident", {"report_due", "postmortem_within", "regulator_notice", "snooze", "remind_before"});
        guarded([&] {
            if (auto const* n = t.get("remind_before"))
                p.remind_before = duration_at(*n, "post_incident.remind_before", true);
        });
        guarded([&] {
            if (auto const* n = t.get("report_due")) p.report_due = duration_at(*n, "post_incident.report_due");
        });
        guarded([&] {
            if (auto const* n = t.get("postmortem_within"))
                p.postmortem_due = duration_at(*n, "post_incident.postmortem_within");
        });
        guarded([&] {
            if (auto const* n = t.get("regulator_notice"))
                p.regulator_notice = duration_at(*n, "post_incident.regulator_notice");
        });
        guarded([&] {
            if (auto const* n = t.get("snooze")) p.snooze = duration_at(*n, "post_incident.snooze");
        });
    }

    // Contacts as core::contact reads them: Slack user and group ids, @handles of user groups and
    // e-mail addresses (resolved in Slack at run time); channels only where a mention is all there is.
    std::vector<std::string> contacts_at(toml::node const& n, std::string const& key, bool channels) const {
        auto const texts = strings_at(n, key);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            auto const c = core::parse_contact(texts[i]);
            if (!c || (!channels && c->what == core::contact::kind::channel))
                fail_at(indexed(key, i),
                        shown(texts[i]) + " is not a contact (use a Slack user id @U0123ABCD, a user group id @S0123ABCD "
                                          "or @handle, or an e-mail address" + (channels ? ", or a #channel)" : ")"));
        }
        return texts;
    }

    // Slack user and user group ids. Ids only: a handle can be renamed or taken by another group, and
    // these lists grant authority.
    std::vector<std::string> people_by_id(toml::node const& n, std::string const& where) const {
        std::vector<std::string> out;
        auto const texts = strings_at(n, where);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            auto const c = core::parse_contact(texts[i]);
            if (!c || (c->what != core::contact::kind::user && c->what != core::contact::kind::group))
                fail_at(indexed(where, i), shown(texts[i]) +
                                               " is not a Slack user or user group id (@U0123ABCD, @S0123ABCD; a "
                                               "handle can change hands, so this list names people by id)");
            out.push_back(c->id);
        }
        return out;
    }

    void read_access(toml::table const& t, core::policy& p) const {
        check_keys(t, "access",
                   {"incident_admins", "close", "reopen", "reopen_closed", "lower_severity", "change_ic",
                    "approve_customer_notice", "make_public"});
        if (auto const* n = t.get("incident_admins")) p.access.admins = people_by_id(*n, "access.incident_admins");
        for (auto const what : {core::privilege::close, core::privilege::reopen, core::privilege::reopen_closed,
                                core::privilege::lower_severity, core::privilege::change_ic,
                                core::privilege::approve_customer_notice, core::privilege::make_public}) {
            auto const name = std::string{core::to_string(what)};
            auto const* n = t.get(name);
            if (!n) continue;
            auto const key = join("access", name);
            std::vector<core::grantee> grants;
            auto const texts = strings_at(*n, key);
            for (std::size_t i = 0; i < texts.size(); ++i) {
                auto const g = core::parse_grantee(texts[i]);
                if (!g) fail_at(indexed(key, i), shown(texts[i]) + " is not ic, declarer, comms or member");
                grants.push_back(*g);
            }
            p.access.grants[what] = grants;
        }
    }

    core::time_zone const* zone_at(toml::node const& n, std::string const& key) const {
        auto const name = string_at(n, key);
        auto const* zone = zone_named(name);
        if (!zone)
            fail_at(key, shown(name) + " is not a time zone of the tz database (use an IANA name such as "
                                       "\"Europe/Berlin\" or \"UTC\")");
        return zone;
    }

    void read_display(toml::table const& t, core::policy& p) const {
        check_keys(t, "display", {"time_zone"});
        if (auto const* n = t.get("time_zone")) p.zone = zone_at(*n, "display.time_zone");
    }

    void read_reports(toml::table const& t, core::policy& p) const {
        check_keys(t, "reports", {"channel", "time_zone"});
        guarded([&] {
            if (auto const* n = t.get("channel")) {
                auto const channel = string_at(*n, "reports.channel");
                check("reports.channel", announce_channel_problem(channel));
                p.reports.channel = channel.starts_with('#') ? channel.substr(1) : channel;
            }
        });
        guarded([&] {
            if (auto const* n = t.get("time_zone")) p.reports.zone = zone_at(*n, "reports.time_zone");
        });
    }

    void read_nudge(toml::table const& t, core::policy& p) const {
        check_keys(t, "nudge", {"back_off_after", "max_interval"});
        guarded([&] {
            if (auto const* n = t.get("back_off_after"))
                p.nudge_back_off_after =
                    whole_number_at(*n, "nudge.back_off_after", 1, 1000, "between 1 and 1000 unanswered nudges");
        });
        guarded([&] {
            if (auto const* n = t.get("max_interval"))
                p.nudge_max_interval = duration_at(*n, "nudge.max_interval");
        });
    }

    void read_action_items(toml::table const& t, core::policy& p) const {
        check_keys(t, "action_items", {"remind_at"});
        if (auto const* n = t.get("remind_at")) p.action_reminder_at = time_of_day_at(*n, "action_items.remind_at");
    }

    // "09:00" → 9 h after midnight.
    seconds time_of_day_at(toml::node const& n, std::string const& key) const {
        auto const text = string_at(n, key);
        auto const colon = text.find(':');
        int h = -1, m = -1;
        if (colon != std::string::npos && colon > 0 && colon <= 2 && text.size() == colon + 3 &&
            std::all_of(text.begin(), text.end(), [](char c) { return c == ':' || (c >= '0' && c <= '9'); })) {
            h = std::atoi(text.substr(0, colon).c_str());
            m = std::atoi(text.substr(colon + 1).c_str());
        }
        if (h < 0 || h > 23 || m < 0 || m > 59) fail_at(key, shown(text) + " is not a time of day (09:00)");
        return std::chrono::hours{h} + std::chrono::minutes{m};
    }

    void read_roles(toml::table const& t, core::policy& p) const {
        check_keys(t, "roles", {"declarer_leads"});
        guarded([&] {
            if (auto const* n = t.get("declarer_leads")) p.declarer_leads = bool_at(*n, "roles.declarer_leads");
        });
    }

    void read_limits(toml::table const& t, settings& s) const {
        check_keys(t, "limits", {"declares_per_minute", "commands_per_minute", "marks_per_minute"});
        auto const count = [&](char const* name, int& into) {
            if (auto const* n = t.get(name))
                into = whole_number_at(*n, join("limits", name), 0, 100'000, "between 0 (unlimited) and 100000");
        };
        count("declares_per_minute", s.limits.declares_per_minute);
        count("commands_per_minute", s.limits.commands_per_minute);
        count("marks_per_minute", s.limits.marks_per_minute);
    }

    void read_business_hours(toml::table const& t, core::policy& p) const {
        check_keys(t, "business_hours", {"days", "opens"});
        guarded([&] {
            if (auto const* n = t.get("days")) {
                static constexpr std::string_view names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
                p.hours.days.fill(false);
                auto const texts = strings_at(*n, "business_hours.days");
                for (std::size_t i = 0; i < texts.size(); ++i) {
                    auto const day = std::ranges::find(names, core::to_lower(texts[i]).substr(0, 3));
                    if (texts[i].size() < 3 || day == std::end(names))
                        fail_at(indexed("business_hours.days", i), shown(texts[i]) + " is not a day (mon, tue, … sun)");
                    p.hours.days[static_cast<std::size_t>(day - std::begin(names))] = true;
                }
            }
        });
        guarded([&] {
            if (auto const* n = t.get("opens")) p.hours.opens = time_of_day_at(*n, "business_hours.opens");
        });
    }

    static void check_readable(std::string const& path, std::string_view origin, std::string_view key) {
        if (auto const r = read_text(path); r.error)
            fail(origin, key, "cannot read " + shown(path) + ": " + error_text(r.error));
    }

    // The environment wins, then a systemd credential of the token's name (LoadCredential=), then the
    // file named in the config; what comes later is then not even opened.
    std::string token(token_spec const& spec, std::optional<std::string> const& file, env_lookup const& env) const {
        if (auto v = env_value(env, spec.env_name)) {
            auto value = std::string{trimmed(*v)};
            check_token(value, spec, environment_origin, spec.env_name, "the value");
            return value;
        }
        if (auto const dir = env_value(env, "CREDENTIALS_DIRECTORY")) {
            auto const path = (std::filesystem::path{*dir} / spec.credential).string();
            if (std::filesystem::exists(path)) {
                auto const r = read_text(path);
                if (r.error) {
                    fail(environment_origin, "CREDENTIALS_DIRECTORY",
                         "cannot read " + shown(path) + ": " + error_text(r.error));
                }
                auto value = std::string{trimmed(r.text)};
                check_token(value, spec, environment_origin, "CREDENTIALS_DIRECTORY", "the content of " + shown(path));
                return value;
            }
        }
        if (!file) return {};
        auto value = secret_file(*file, spec.file_key);
        check_token(value, spec, source_, spec.file_key, "the content of " + shown(*file));
        return value;
    }

    std::string secret_file(std::string const& file, std::string_view file_key) const {
        auto const r = read_text(file);
        if (r.error) fail_at(file_key, "cannot read " + shown(file) + ": " + error_text(r.error));
        auto value = std::string{trimmed(r.text)};
        if (value.empty()) fail_at(file_key, shown(file) + " is empty");
        return value;
    }

    // A secret from the environment, else from the file the config names; empty when neither is set.
    std::string secret(std::string_view env_name, std::string_view file_key, std::optional<std::string> const& file,
                       env_lookup const& env) const {
        if (auto v = env_value(env, env_name)) return std::string{trimmed(*v)};
        return file ? secret_file(*file, file_key) : std::string{};
    }

    std::string source_;
    std::filesystem::path base_dir_;
    std::optional<std::string> ca_file_;
    std::optional<std::string> app_token_file_;
    std::optional<std::string> bot_token_file_;
    std::optional<std::string> paging_key_file_;
    std::optional<std::string> statuspage_key_file_;
    std::optional<std::string> webhook_secret_file_;
    std::optional<std::string> alerts_token_file_;
    std::optional<std::string> alerts_secret_file_;
    std::optional<std::string> alerts_ticket_token_file_;
    std::optional<std::string> smtp_password_file_;
    std::optional<std::string> dashboard_token_file_;
    mutable std::vector<std::string> errors_;
    bool service_id_given_ = false;
};

settings build(toml::table const& doc, std::string const& source, env_lookup const& env) {
    settings s;
    s.source = source;
    file_reader reader{source};
    reader.read(doc, s);
    reader.apply_environment(s, env);
    if (auto const& errors = reader.errors(); !errors.empty()) {
        std::string all;
        for (auto const& e : errors) all.append(all.empty() ? "" : "\n").append(e);
        throw config_error(all);
    }
    return s;
}

std::string token_state(std::string const& token, std::string_view prefix) {
    if (token.empty()) return "not set";
    if (token.starts_with(prefix)) return "set (" + std::string{prefix} + "…)";
    return "set (redacted)";
}

std::string joined(std::vector<std::string> const& items) {
    std::string out;
    for (auto const& item : items) out.append(out.empty() ? "" : ", ").append(item);
    return out;
}

}  // namespace

// Replaces the password of "scheme://user:password@host" and any "password=" query value.
std::string redact_url(std::string url) {
    if (auto const scheme_end = url.find("://"); scheme_end != std::string::npos) {
        auto const host_start = scheme_end + 3;
        auto const authority_end = std::min(url.find_first_of("/?#", host_start), url.size());
        auto const authority = std::string_view{url}.substr(host_start, authority_end - host_start);
        auto const at = authority.rfind('@');
        auto const colon = authority.find(':');
        if (at != std::string_view::npos && colon < at) url.replace(host_start + colon + 1, at - colon - 1, "***");
    }
    for (auto at = url.find("password="); at != std::string::npos; at = url.find("password=", at + 1)) {
        auto const start = at + std::string_view{"password="}.size();
        auto const end = std::min(url.find_first_of("&#", start), url.size());
        url.replace(start, end - start, "***");
    }
    return url;
}

settings parse(std::string_view toml_text, std::string const& source_name, env_lookup const& env) {
    toml::table doc;
    try {
        doc = toml::parse(toml_text, std::string_view{source_name});
    } catch (toml::parse_error const& e) {
        auto const& at = e.source().begin;
        throw config_error(
            one_line(redact_tokens(source_name + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                   ": parse error: " + std::string{e.description()})));
    }
    return build(doc, source_name, env);
}

settings load(std::optional<std::string> path, env_lookup const& env) {
    if (!path) path = env_value(env, "WARROOM_CONFIG");
    if (!path) return build(toml::table{}, {}, env);
    auto const r = read_text(*path);
    if (r.error) throw config_error(one_line(*path + ": cannot read the config file: " + error_text(r.error)));
    return parse(r.text, *path, env);
}

env_lookup process_env() {
    return [](std::string_view name) -> std::optional<std::string> {
        auto const* value = std::getenv(std::string{name}.c_str());
        if (!value || !*value) return std::nullopt;
        return std::string{value};
    };
}

std::vector<std::string> warnings(settings const& s) {
    std::vector<std::string> out;
    for (auto const sev : core::all_severities) {
        auto const& steps = s.policy.of(sev).escalation;
        for (std::size_t i = 0; i < steps.size(); ++i) {
            auto const& step = steps[i];
            if (step.page || step.customer_notice || !step.notify.empty()) continue;
            out.push_back(indexed(join(join("severity", core::to_string(sev)), "escalation"), i) + " (" + step.target +
                          "): nobody is notified at this step; add notify = [\"@U…\"] or remove the step");
        }
    }
    if (!s.policy.mail.enabled) {
        for (std::size_t i = 0; i < s.policy.alerts.routes.size(); ++i) {
            if (!s.policy.alerts.routes[i].email.empty())
                out.push_back(indexed("alerts.routes", i) + ".email: nobody is e-mailed without [email] smtp_url");
        }
    }
    if (s.status_page.statuspage.page_id.empty() && !s.status_page.statuspage.components.empty())
        out.push_back("status_page.components: statuspage_id is set but nothing is sent to Statuspage without "
                      "[status_page.statuspage] page_id");
    if (s.policy.access.admins.empty())
        out.push_back("access.incident_admins is empty: nobody can reopen a closed incident or act on a private incident "
                      "they are not in");
    if (!s.status_page.listen.empty() && s.policy.maintainers.empty() && s.policy.access.admins.empty())
        out.push_back("status_page.maintainers is empty and there are no incident admins: nobody can schedule maintenance");
    for (auto const& [what, grants] : s.policy.access.grants) {
        if (grants.empty() && what != core::privilege::reopen_closed && s.policy.access.admins.empty())
            out.push_back("access." + std::string{core::to_string(what)} +
                          " is empty and there are no incident admins: nobody can do it");
    }
    return out;
}

bool loopback_listen(std::string_view listen) {
    auto const host = listen.starts_with('[') ? listen.substr(1, listen.find(']') - 1) : listen.substr(0, listen.rfind(':'));
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string dashboard_access(settings const& s) {
    if (!s.dashboard_token.empty()) return "with the bearer token (WARROOM_DASHBOARD_TOKEN or dashboard.token_file)";
    if (loopback_listen(s.http_listen)) return "without a token, since http listen is a loopback address";
    return "off: http listen is not a loopback address and no token is set (WARROOM_DASHBOARD_TOKEN or "
           "dashboard.token_file)";
}

std::string describe(settings const& s) {
    std::ostringstream out;
    auto line = [&out](std::string_view label, std::string_view value) {
        out << label << std::string(label.size() < 22 ? 22 - label.size() : 1, ' ') << value << '\n';
    };
    auto const& p = s.policy;
    line("config file:", s.source.empty() ? "none (built-in defaults)" : s.source);
    out << "slack:\n";
    line("  app token:", token_state(s.slack.app_token, "xapp-"));
    line("  bot token:", token_state(s.slack.bot_token, "xoxb-"));
    line("  api url:", redact_url(s.slack.api_url));
    line("  ca file:", s.slack.ca_file.empty() ? "system default" : s.slack.ca_file);
    line("  command:", s.slack.command);
    line("  timeline reaction:", ":" + s.slack.timeline_reaction + ":");
    line("  rate limit scale:", std::to_string(s.slack.rate_limit_scale));
    line("  announce channel:", p.announce_channel);
    line("  channel prefix:", p.channel_prefix);
    using posts = core::policy::update_posts;
    line("  announce updates:", p.announce_updates == posts::thread    ? "in the announcement's thread (thread)"
                                : p.announce_updates == posts::channel ? "as channel messages (channel)"
                                                                       : "edit the announcement only (edit)");
    line("store:", redact_url(s.store_url));
    line("time zone:", p.zone->name());
    line("nudges:", "back off after " + std::to_string(p.nudge_back_off_after) + " unanswered, at most every " +
                        core::format_duration(p.nudge_max_interval));
    auto const remind = std::chrono::duration_cast<std::chrono::minutes>(p.action_reminder_at).count();
    char at[8];
    std::snprintf(at, sizeof at, "%02d:%02d", static_cast<int>(remind / 60), static_cast<int>(remind % 60));
    line("action items:", std::string{"reminded at "} + at + " " + p.zone->name());
    line("http listen:", s.http_listen);
    line("dashboard:", "/dashboard and /dashboard.json on http listen, " + dashboard_access(s));
    line("reports:", p.reports.channel.empty()
                         ? std::string("none (set [reports] channel to post them)")
                         : "weekly (Monday), monthly (1st), quarterly and annual at 09:00 " + p.report_zone().name() +
                               " in #" + p.reports.channel);
    line("outbox stuck after:", core::format_duration(s.http_outbox_stuck_after) + " (then /readyz answers 503)");
    line("log level:", s.log_level);
    line("status page:", s.status_page.listen.empty()
                             ? std::string("off")
                             : s.status_page.listen + ", " + std::to_string(s.status_page.page.components.size()) +
                                   " component(s)");
    auto const& statuspage = s.status_page.statuspage;
    line("statuspage:", statuspage.page_id.empty()
                            ? std::string("off")
                            : "page " + statuspage.page_id + " at " + redact_url(statuspage.api_url) + ", key " +
                                  (statuspage.api_key.empty() ? "missing" : "set") + ", " +
                                  std::to_string(statuspage.components.size()) + " component(s) mapped");
    out << "severities:\n";
    for (auto const sev : core::all_severities) {
        auto const& sp = p.of(sev);
        out << "  " << core::to_string(sev) << " " << sp.name << ": respond within "
            << core::format_duration(sp.respond_within) << " (\"" << sp.respond_label << "\"), updates "
            << (sp.update_every ? "every " + core::format_duration(*sp.update_every) : std::string{"off"})
            << ", announce to " << sp.announce_to << '\n';
        if (!sp.on_call.empty()) out << "    on call: " << joined(sp.on_call) << '\n';
        for (auto const& step : sp.escalation) {
            out << "    escalate after " << core::format_duration(step.after) << ": " << step.target << " (\""
                << step.label << "\")";
            if (!step.notify.empty()) out << ", notify " << joined(step.notify) << (step.dm ? " by DM too" : "");
            if (step.page) out << ", pages the on-call";
            if (step.customer_notice) out << ", drafts the customer notice";
            out << '\n';
        }
        if (auto const* r = p.rotation_of(sev)) out << "    rotation: " << r->name << '\n';
    }
    for (auto const& r : p.rotations) {
        out << "rotation " << r.name << ": " << joined(r.members) << ", turns of " << core::format_duration(r.length)
            << " from " << core::format_time(r.start) << ", hand-off in "
            << (r.handoff_channel.empty() ? p.announce_channel : r.handoff_channel);
        if (!r.overrides.empty()) out << ", " << r.overrides.size() << " override(s)";
        out << '\n';
    }
    if (s.paging.vendor.empty()) {
        line("paging:", "none");
    } else {
        line("paging:", s.paging.vendor + " at " + redact_url(s.paging.url) + ", key " +
                            (s.paging.key.empty() ? "not set" : "set") + ", webhook secret " +
                            (s.paging.webhook_secret.empty() ? "not set" : "set"));
    }
    line("alerts:", "token " + std::string(s.alerts.token.empty() ? "not set" : "set") + ", webhook secrets " +
                        std::to_string(s.alerts.webhook_secrets.size()) + ", triage in #" + core::alert_channel(p) +
                        ", " + std::to_string(p.alerts.routes.size()) + " routes, reopen window " +
                        core::format_duration(p.alerts.reopen_window) + ", " +
                        (s.alerts.rate_per_second == 0
                             ? std::string("no rate limit")
                             : std::to_string(s.alerts.rate_per_second) + " deliveries a second per receiver (burst " +
                                   std::to_string(s.alerts.burst) + ")"));
    line("tickets:", s.alerts.ticket_url.empty()
                         ? std::string("none (low alerts are recorded only)")
                         : "low alert groups to " + redact_url(s.alerts.ticket_url) + ", token " +
                               (s.alerts.ticket_token.empty() ? "not set" : "set"));
    if (s.email.smtp_url.empty()) {
        line("email:", "none");
    } else {
        line("email:", s.email.smtp_url + (s.email.smtp_url.starts_with("smtp://") && !s.email.starttls
                                               ? " without TLS"
                                               : "") +
                           " from " + s.email.from + ", login " +
                           (s.email.username.empty() ? "none" : s.email.username + " (password set)") + ", " +
                           std::to_string(p.mail.customer_list.size()) + " customer addresses");
    }
    out << "types:\n";
    for (auto const type : core::all_types) {
        auto const& tp = p.of(type);
        out << "  " << core::to_string(type) << ": \"" << tp.book.title << "\", " << tp.book.steps.size()
            << " runbook steps";
        if (tp.private_room) out << ", private war room";
        if (tp.regulator_clock) out << ", regulator clock";
        if (!tp.contacts.empty()) out << ", contacts " << joined(tp.contacts);
        if (!tp.runbook_url.empty()) out << ", runbook " << tp.runbook_url;
        out << '\n';
    }
    line("post-incident:", "report due " + core::format_duration(p.report_due) + ", post-mortem within " +
                               core::format_duration(p.postmortem_due) + ", regulator notice " +
                               core::format_duration(p.regulator_notice) + ", snooze " +
                               core::format_duration(p.snooze));
    if (!p.access.admins.empty()) line("incident admins:", joined(p.access.admins));
    line("declarer leads:", p.declarer_leads ? "yes" : "no");
    for (auto const& w : warnings(s)) out << "warning: " << w << '\n';
    // Free text such as announce_to could hold a pasted token; the summary is printed and logged.
    return redact_tokens(out.str());
}

}  // namespace warroom::config
