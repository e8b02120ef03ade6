// A small hand parser: leading options (`P0`, `type:security`, `status:identified`,
// `impact:"30% of users"`), then free text taken verbatim. Slack's smart quotes count as quotes.
#include "core/command_line.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "core/period_report.hpp"

namespace warroom::core {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view open_smart = "\xE2\x80\x9C";   // “
constexpr std::string_view close_smart = "\xE2\x80\x9D";  // ”

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Reads tokens off the front of the text; what is left stays verbatim for free text.
class cursor {
public:
    explicit cursor(std::string_view text) : rest_(trim(text)) {}

    bool done() const { return rest_.empty(); }
    std::string_view rest() const { return rest_; }

    // The next token's raw text: up to whitespace, except that a quote (straight or smart)
    // runs to its closing quote, so `impact:"a b"` is one token.
    std::string_view peek() const {
        std::size_t k = 0;
        while (k < rest_.size() && !is_space(rest_[k])) {
            if (rest_[k] == '"') {
                auto const end = rest_.find('"', k + 1);
                k = end == std::string_view::npos ? rest_.size() : end + 1;
            } else if (rest_.substr(k, open_smart.size()) == open_smart) {
                auto const end = rest_.find(close_smart, k + open_smart.size());
                k = end == std::string_view::npos ? rest_.size() : end + close_smart.size();
            } else {
                ++k;
            }
        }
        return rest_.substr(0, k);
    }

    std::string_view take() {
        auto const t = peek();
        rest_ = trim(rest_.substr(t.size()));
        return t;
    }

private:
    std::string_view rest_;
};

std::string unquote(std::string_view v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return std::string(v.substr(1, v.size() - 2));
    if (v.size() >= open_smart.size() + close_smart.size() && v.substr(0, open_smart.size()) == open_smart &&
        v.substr(v.size() - close_smart.size()) == close_smart) {
        return std::string(v.substr(open_smart.size(), v.size() - open_smart.size() - close_smart.size()));
    }
    return std::string(v);
}

struct option {
    std::string key;
    std::string value;
};

// `key:value` where key is a known option name for the verb.
std::optional<option> as_option(std::string_view token, std::initializer_list<std::string_view> keys) {
    auto const colon = token.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto const key = to_lower(token.substr(0, colon));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) return std::nullopt;
    return option{key, unquote(token.substr(colon + 1))};
}

std::optional<int> parse_number(std::string_view s) {
    int v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

// "-20m" / "20m" (ago), or an absolute UTC time.
std::optional<timestamp> parse_started(std::string_view v, timestamp now) {
    if (!v.empty() && v.front() == '-') v.remove_prefix(1);
    if (v.size() > 4 && v.substr(v.size() - 4) == " ago") v.remove_suffix(4);
    if (auto const d = parse_duration(v)) return now - *d;
    return parse_time(v);
}

struct verb_info {
    std::string_view name;
    std::string_view args;
    std::string_view summary;
    bool incident;  // acts on one incident
};

constexpr std::array<verb_info, 28> verbs{{
    {"declare",
     "[P0-P3] [type:<type>] [started:<-20m|YYYY-MM-DDTHH:MMZ>] [detected:<-10m|YYYY-MM-DDTHH:MMZ>] "
     "[impact:\"<impact>\"] [pii:yes] [component:<name>…] <title>",
     "declare an incident; no arguments opens the form", false},
    {"update", "[status:<status>] [impact:\"<scope>\"] [component:<name>…] <text>",
     "post a status update; no text opens the form", true},
    {"publish", "[component:<name>…] [status:<component status>] <public text>",
     "put it on the public status page (the Communications Lead, or the IC when there is none)", true},
    {"status", "[N]", "current state, only for you", true},
    {"severity", "P0-P3", "change severity (re-plans reminders and escalation)", true},
    {"type", "<outage|performance|data-loss|security|integration|privacy>",
     "change the type (applies its protocol: contacts, runbook, private room, regulator clock)", true},
    {"phase", "<detection|investigation|containment|resolution|recovery|post-incident|closed>", "move to a phase",
     true},
    {"advance", "", "move to the next phase", true},
    {"assign", "<ic|on-call|sme|comms|scribe> @user", "assign or hand over a role", true},
    {"role", "", "list who holds which role", true},
    {"note", "[at:23:30|-5m] <text>",
     "add a timeline entry, back-dated if it happened earlier (prefix \"went well:\", \"improve:\" or "
     "\"recommend:\" for the report)",
     true},
    {"action", "<text> [@owner] [due:YYYY-MM-DD|+3d|tomorrow|friday] | edit <n> [text] [@owner|owner:none] [due:…|due:none] | remove <n>",
     "add, edit or remove an action item (the owner and due date may be anywhere in the text)", true},
    {"actions", "", "list action items", true},
    {"done", "<action#>", "mark an action item done", true},
    {"escalate", "[reason]", "take the next escalation step now", true},
    {"resolve", "<resolution> [root cause: <why>]", "resolve; no text opens the form", true},
    {"reopen", "<reason>", "back to investigation", true},
    {"report", "", "render and post the incident report", true},
    {"close", "[reason]", "close (needs the report, or a reason)", true},
    {"decline", "<reason>", "not an incident after all (a false alarm): close it and keep it out of the metrics", true},
    {"impact", "[users:<n|%>] [services:<a,b>] [financial:\"<text>\"]", "record the impact for the report", true},
    {"ack", "", "acknowledge the incident (on-call)", true},
    {"check", "<item#> [phase]", "check a checklist item (uncheck <item#> [phase] to undo)", true},
    {"maintenance", "<component> <from> <to|+duration> <public text> | cancel <MNT-n> | list",
     "schedule maintenance on the status page (times: 2026-12-08T02:00Z in UTC, 2026-12-08T03:00+01:00, or "
     "2026-12-08T03:00 in the [display] time zone; now); cancel or end one early; list those not over",
     false},
    {"list", "[open|all]", "incidents, newest first", false},
    {"stats", "[7d|30d|90d]", "MTTD, MTTA, MTTR, counts by severity and type", false},
    {"oncall", "", "who is on call now and next", false},
    {"help", "[command]", "usage", false},
}};

std::string canonical_verb(std::string_view v) {
    auto const l = to_lower(v);
    if (l == "roles") return "role";
    if (l == "acknowledge") return "ack";
    if (l == "uncheck") return "check";
    if (l == "sev") return "severity";
    return l;
}

verb_info const* find_verb(std::string_view name) {
    for (auto const& v : verbs) {
        if (v.name == name) return &v;
    }
    return nullptr;
}

usage_error fail(std::string reason, std::string_view verb) { return {std::move(reason), std::string(verb)}; }

std::vector<std::string_view> names_of(auto const& values) {
    std::vector<std::string_view> out;
    for (auto const v : values) out.push_back(to_string(v));
    return out;
}

// "unknown status 'x' — did you mean identified? (investigating, identified, …)"
std::string unknown(std::string_view what, std::string_view given, std::vector<std::string_view> const& known) {
    std::string list;
    for (auto const k : known) list.append(list.empty() ? "" : ", ").append(k);
    std::string out = "unknown " + std::string(what) + " '" + std::string(given) + "'";
    if (auto const close = did_you_mean(given, known)) out += " — did you mean " + *close + "?";
    return out + " (" + list + ")";
}

// A time of day ("23:30") as the latest such moment at or before `now`, in the zone.
std::optional<timestamp> time_of_day_before(std::string_view v, timestamp now, time_zone const& zone) {
    auto const digit = [&](std::size_t k) { return std::isdigit(static_cast<unsigned char>(v[k])) ? v[k] - '0' : -1; };
    if (v.size() != 5 || v[2] != ':' || digit(0) < 0 || digit(1) < 0 || digit(3) < 0 || digit(4) < 0) return std::nullopt;
    int const hours = digit(0) * 10 + digit(1), minutes = digit(3) * 10 + digit(4);
    if (hours > 23 || minutes > 59) return std::nullopt;
    auto const offset = zone.offset(now);
    auto const local_now = now + offset;
    auto candidate =
        std::chrono::floor<std::chrono::days>(local_now) + std::chrono::hours{hours} + std::chrono::minutes{minutes};
    if (candidate > local_now) candidate -= std::chrono::days{1};
    return timestamp{candidate - offset};
}

struct parser {
    std::string verb;
    cursor in;
    bool in_war_room;
    timestamp now;
    std::string raw_verb;
    time_zone const& zone;

    request make(std::variant<declare, command, query, maintenance_request> what, std::optional<int> incident = {}) {
        return {verb, incident, std::move(what), false};
    }

    parse_result parse_declare() {
        if (in.done()) return request{verb, std::nullopt, declare{}, true};
        declare d;
        bool have_sev = false, have_type = false;
        while (!in.done()) {
            auto const token = in.peek();
            if (auto const sev = parse_severity(token)) {
                if (have_sev) return fail("give the severity once", verb);
                d.sev = *sev;
                have_sev = true;
            } else if (auto const opt =
                           as_option(token, {"type", "started", "detected", "impact", "sev", "severity", "pii", "component"})) {
                if (opt->key == "component") {
                    if (opt->value.empty()) return fail("component: needs a name", verb);
                    d.components.push_back(opt->value);
                } else if (opt->key == "type") {
                    if (have_type) return fail("give the type once", verb);
                    auto const t = parse_incident_type(opt->value);
                    if (!t) return fail(unknown("incident type", opt->value, names_of(all_types)), verb);
                    d.type = *t;
                    have_type = true;
                } else if (opt->key == "pii") {
                    auto const v = to_lower(opt->value);
                    if (v != "yes" && v != "no") return fail("pii takes yes or no", verb);
                    d.personal_data = v == "yes";
                } else if (opt->key == "started") {
                    auto const t = parse_started(opt->value, now);
                    if (!t) return fail("cannot read the start time '" + opt->value + "'", verb);
                    d.started_at = t;
                } else if (opt->key == "detected") {
                    auto const t = parse_started(opt->value, now);
                    if (!t) return fail("cannot read the detection time '" + opt->value + "'", verb);
                    d.detected_at = t;
                } else if (opt->key == "impact") {
                    d.description = opt->value;
                } else {
                    if (have_sev) return fail("give the severity once", verb);
                    auto const sev = parse_severity(opt->value);
                    if (!sev) return fail(unknown("severity", opt->value, names_of(all_severities)), verb);
                    d.sev = *sev;
                    have_sev = true;
                }
            } else if (token.size() == 2 && (token[0] == 'p' || token[0] == 'P') && std::isdigit(token[1])) {
                return fail(unknown("severity", token, names_of(all_severities)), verb);
            } else {
                break;
            }
            in.take();
        }
        d.title = std::string(in.rest());
        if (d.title.empty()) return fail("an incident needs a title: what is broken", verb);
        return make(d);
    }

    parse_result parse_update(std::optional<int> n) {
        if (in.done()) return request{verb, n, command{post_update{}}, true};
        post_update u;
        while (!in.done()) {
            auto const opt = as_option(in.peek(), {"status", "impact", "component"});
            if (!opt) break;
            if (opt->key == "component") {
                if (opt->value.empty()) return fail("component: needs a name", verb);
                u.components.push_back(opt->value);
            } else if (opt->key == "status") {
                auto const st = parse_status(opt->value);
                if (!st) {
                    return fail(unknown("status", opt->value,
                                        {"investigating", "identified", "implementing-fix", "monitoring"}),
                                verb);
                }
                u.st = st;
            } else {
                u.impact = opt->value;
            }
            in.take();
        }
        u.text = std::string(in.rest());
        // Options without text: the form, with what was given filled in.
        if (u.text.empty() && u.st != status::resolved) return request{verb, n, command{u}, true};
        return make(command{u}, n);
    }

    parse_result parse_publish(std::optional<int> n) {
        publish pub;
        while (!in.done()) {
            auto const opt = as_option(in.peek(), {"status", "component"});
            if (!opt) break;
            if (opt->key == "component") {
                if (opt->value.empty()) return fail("component: needs a name", verb);
                pub.components.push_back(opt->value);
            } else {
                if (pub.component_st) return fail("give the component status once", verb);
                pub.component_st = parse_component_status(opt->value);
                if (!pub.component_st) return fail(unknown("component status", opt->value, names_of(all_component_statuses)), verb);
            }
            in.take();
        }
        pub.text = std::string(in.rest());
        if (pub.text.empty()) return fail("a publication needs its public text: what customers should read", verb);
        return make(command{pub}, n);
    }

    // The owner and due date may be anywhere: `due:` and `owner:` options, and the one @mention
    // (taken out of the text when it stands at either end; two mentions are ambiguous).
    struct action_parts {
        std::string text;
        std::optional<user_id> owner;
        std::optional<timestamp> due;
        bool unassign = false, undate = false;
    };
    std::variant<action_parts, usage_error> action_fields() {
        action_parts out;
        std::vector<std::string_view> words;
        std::vector<std::size_t> mentions;
        bool explicit_owner = false;
        while (!in.done()) {
            auto const token = in.take();
            if (auto const opt = as_option(token, {"due", "owner"})) {
                auto const value = to_lower(opt->value);
                if (opt->key == "due") {
                    if (out.due || out.undate) return fail("give the due date once", verb);
                    if (value == "none") {
                        out.undate = true;
                        continue;
                    }
                    auto const due = parse_due(opt->value, now, zone);
                    if (!due) {
                        return fail("cannot read the due date '" + opt->value +
                                        "' (use YYYY-MM-DD, +3d, today, tomorrow or a weekday)",
                                    verb);
                    }
                    out.due = due;
                } else if (value == "none" || value == "nobody" || value == "@nobody") {
                    out.unassign = true;
                } else if (opt->value.empty()) {
                    return fail("name the owner as owner:@user", verb);
                } else if (auto const who = parse_mention(opt->value.front() == '@' || opt->value.front() == '<'
                                                              ? opt->value
                                                              : "@" + opt->value)) {
                    out.owner = who;
                    explicit_owner = true;
                } else {
                    return fail("name the owner as owner:@user, not '" + opt->value + "'", verb);
                }
                continue;
            }
            if (parse_mention(token)) mentions.push_back(words.size());
            words.push_back(token);
        }
        if (!explicit_owner && mentions.size() > 1) {
            return fail("more than one person is named; say who owns it with owner:@user", verb);
        }
        if (!explicit_owner && mentions.size() == 1) {
            auto const at = mentions.front();
            out.owner = parse_mention(words[at]);
            if (at == 0 || at + 1 == words.size()) words.erase(words.begin() + static_cast<std::ptrdiff_t>(at));
        }
        for (auto const w : words) out.text.append(out.text.empty() ? "" : " ").append(w);
        return out;
    }

    parse_result parse_action(std::optional<int> n) {
        auto const sub = to_lower(in.peek());
        // "action remove 3" removes one; "action remove the stale flag" is an action item.
        auto ahead = in;
        if (!ahead.done()) ahead.take();
        bool const numbered = ahead.done() || parse_number(ahead.peek()).has_value();
        if ((sub == "edit" || sub == "remove") && numbered) {
            in.take();
            auto const token = in.take();
            auto const number = parse_number(token);
            if (!number) return fail("which action item? `action " + sub + " <n>`", verb);
            if (sub == "remove") {
                if (!in.done()) return fail("remove takes one action item number", verb);
                return make(command{remove_action{*number}}, n);
            }
            auto const parts = action_fields();
            if (auto const* err = std::get_if<usage_error>(&parts)) return *err;
            auto const& a = std::get<action_parts>(parts);
            edit_action e{*number};
            if (!a.text.empty()) e.text = a.text;
            e.owner = a.owner;
            e.due = a.due;
            e.unassign = a.unassign;
            e.undate = a.undate;
            if (!e.text && !e.owner && !e.due && !e.unassign && !e.undate) {
                return fail("what should change? new text, @owner, owner:none, due:… or due:none", verb);
            }
            return make(command{e}, n);
        }
        auto const parts = action_fields();
        if (auto const* err = std::get_if<usage_error>(&parts)) return *err;
        auto const& a = std::get<action_parts>(parts);
        if (a.text.empty()) return fail("an action item needs text: what should be done", verb);
        return make(command{add_action{a.text, a.owner, a.due}}, n);
    }

    parse_result parse_note(std::optional<int> n) {
        if (in.done()) return fail("a note needs text", verb);
        std::optional<timestamp> happened;
        auto const first = in.peek();
        if (auto const opt = as_option(first, {"at"})) {
            happened = time_of_day_before(opt->value, now, zone);
            if (!happened) happened = parse_time(opt->value);
            if (!happened) return fail("cannot read the time '" + opt->value + "' (use at:23:30 or -5m)", verb);
            in.take();
        } else if (first.size() > 1 && first.front() == '-' && parse_duration(first.substr(1))) {
            happened = now - *parse_duration(first.substr(1));
            in.take();
        }
        if (in.done()) return fail("a note needs text", verb);
        return make(command{add_note{std::string(in.rest()), happened}}, n);
    }

    parse_result parse_impact(std::optional<int> n) {
        record_impact r;
        while (!in.done()) {
            auto const token = in.take();
            auto const opt = as_option(token, {"users", "services", "financial"});
            if (!opt) return fail("'" + std::string(token) + "' is not users:, services: or financial:", verb);
            (opt->key == "users" ? r.users : opt->key == "services" ? r.services : r.financial) = opt->value;
        }
        if (r.users.empty() && r.services.empty() && r.financial.empty()) {
            return fail("say what to record: users:, services: or financial:", verb);
        }
        return make(command{r}, n);
    }

    parse_result parse_resolve(std::optional<int> n) {
        if (in.done()) return request{verb, n, command{resolve{}}, true};
        auto const text = in.rest();
        resolve r;
        auto const l = to_lower(text);
        // "cause:" as a word of its own, so "because:" stays part of the resolution.
        auto cause = l.find("cause:");
        while (cause != std::string::npos && cause > 0 && !is_space(l[cause - 1])) cause = l.find("cause:", cause + 1);
        if (cause == std::string::npos) {
            r.resolution = std::string(text);
        } else {
            r.resolution = std::string(trim(text.substr(0, cause)));
            r.root_cause = std::string(trim(text.substr(cause + 6)));
            // "root cause:" reads naturally; drop the dangling "root".
            if (r.resolution.size() >= 4 && to_lower(r.resolution.substr(r.resolution.size() - 4)) == "root") {
                r.resolution = std::string(trim(r.resolution.substr(0, r.resolution.size() - 4)));
            }
        }
        if (r.resolution.empty()) return fail("say what fixed it", verb);
        return make(command{r}, n);
    }

    parse_result parse_maintenance() {
        auto const first = in.take();
        auto const word = to_lower(first);
        if (word.empty() || word == "list") {
            if (!in.done()) return fail("'" + std::string(in.peek()) + "' is not expected here", verb);
            return make(maintenance_request{list_maintenance{}});
        }
        if (word == "cancel") {
            if (in.done()) return fail("which maintenance? give its number (MNT-3)", verb);
            auto const token = in.take();
            auto const number = parse_maintenance_ref(token);
            if (!number) return fail("'" + std::string(token) + "' is not a maintenance number (MNT-3)", verb);
            if (!in.done()) return fail("cancel takes one maintenance number", verb);
            return make(maintenance_request{cancel_maintenance{*number}});
        }
        schedule_maintenance m;
        m.component = unquote(first);
        auto const edge = [&](std::string_view what) -> std::variant<timestamp, usage_error> {
            if (in.done()) return fail("when does the maintenance " + std::string(what) + "?", verb);
            auto const token = in.take();
            if (auto const t = parse_window_time(token, now, zone)) return *t;
            return fail("cannot read the " + std::string(what == "begin" ? "start" : "end") + " '" +
                            std::string(token) + "' (use 2026-12-08T02:00Z, 2026-12-08T03:00+01:00, or 2026-12-08T03:00 in " +
                            zone.name() + ")",
                        verb);
        };
        auto const from = edge("begin");
        if (auto const* e = std::get_if<usage_error>(&from)) return *e;
        m.from = std::get<timestamp>(from);
        // The end, or how long it lasts: "+2h".
        if (!in.done() && in.peek().starts_with("+")) {
            auto const token = in.take();
            auto const length = parse_duration(token.substr(1));
            if (!length) return fail("cannot read the length '" + std::string(token) + "' (use +30m, +2h, +1d)", verb);
            m.to = m.from + *length;
        } else {
            auto const to = edge("end");
            if (auto const* e = std::get_if<usage_error>(&to)) return *e;
            m.to = std::get<timestamp>(to);
        }
        m.text = std::string(in.rest());
        if (m.text.empty()) return fail("say what the maintenance is: the public text customers read", verb);
        return make(maintenance_request{m});
    }

    parse_result parse_check(std::optional<int> n) {
        bool const checked = to_lower(raw_verb) != "uncheck";
        if (in.done()) return fail("which item? give its number", verb);
        auto const item = parse_number(in.take());
        if (!item) return fail("the item is a number, as shown in the checklist", verb);
        mark_checklist m{std::nullopt, *item - 1, checked};
        if (!in.done()) {
            auto const token = in.take();
            m.ph = parse_phase(token);
            if (!m.ph || !in.done()) return fail("unknown phase '" + std::string(token) + "'", verb);
        }
        return make(command{m}, n);
    }

    parse_result run() {
        auto const* info = find_verb(verb);
        if (!info) {
            std::vector<std::string_view> known;
            for (auto const& v : verbs) known.push_back(v.name);
            auto const close = did_you_mean(to_lower(raw_verb), known);
            // A typo gets its correction and the next step, not the whole help; anything else the
            // list of commands on one line.
            if (close) return fail("unknown command '" + raw_verb + "' — did you mean " + *close + "?", *close);
            std::string names;
            for (auto const name : known) names.append(names.empty() ? "" : ", ").append(name);
            return fail("unknown command '" + raw_verb + "' (" + names + ")", "help");
        }
        if (verb == "declare") return parse_declare();
        if (verb == "oncall") {
            if (!in.done()) return fail("'" + std::string(in.peek()) + "' is not expected here", verb);
            return make(query{query::kind::oncall, ""});
        }
        if (verb == "maintenance") return parse_maintenance();
        if (verb == "help" || verb == "list" || verb == "stats") {
            auto const arg = to_lower(in.take());
            if (!in.done()) return fail("'" + std::string(in.peek()) + "' is not expected here", verb);
            if (verb == "help") return make(query{query::kind::help, arg});
            if (verb == "list") {
                if (!arg.empty() && arg != "open" && arg != "all") return fail("list takes open or all", verb);
                return make(query{query::kind::list, arg.empty() ? "open" : arg});
            }
            if (!arg.empty() && !parse_duration(arg)) return fail("cannot read the window '" + arg + "'", verb);
            return make(query{query::kind::stats, arg.empty() ? "30d" : arg});
        }

        std::optional<int> n;
        if (!in.done()) {
            // Outside a war room the number comes first; inside, only "#42"/"INC-42" name another
            // incident, except for `status 42`, whose only argument is a number.
            bool const explicit_only = (in_war_room && verb != "status") || verb == "done";
            if (auto const ref = parse_incident_ref(in.peek(), explicit_only); ref) {
                n = ref;
                in.take();
            } else if (verb == "status") {
                return fail("'" + std::string(in.peek()) + "' is not an incident number", verb);
            }
        }
        if (verb == "done" && !in_war_room && !n) {
            // Outside a war room `done 42 3`: incident, then action.
            if (auto const first = parse_number(in.peek())) {
                n = first;
                in.take();
            }
        }
        if (!n && !in_war_room) {
            return fail("run this in the incident's war room, or give its number first: `" + verb + " 42 ...`", verb);
        }

        bool const takes_nothing = verb == "status" || verb == "role" || verb == "actions" || verb == "advance" ||
                                   verb == "report" || verb == "ack";
        if (takes_nothing && !in.done()) return fail("'" + std::string(in.peek()) + "' is not expected here", verb);
        if (verb == "status") return make(query{query::kind::status, {}}, n);
        if (verb == "role") return make(query{query::kind::roles, {}}, n);
        if (verb == "actions") return make(query{query::kind::actions, {}}, n);
        if (verb == "update") return parse_update(n);
        if (verb == "publish") return parse_publish(n);
        if (verb == "action") return parse_action(n);
        if (verb == "resolve") return parse_resolve(n);
        if (verb == "check") return parse_check(n);
        if (verb == "advance") return make(command{advance{}}, n);
        if (verb == "report") return make(command{generate_report{}}, n);
        if (verb == "ack") return make(command{acknowledge{}}, n);
        if (verb == "escalate") return make(command{escalate{std::string(in.rest())}}, n);
        if (verb == "close") return make(command{close{std::string(in.rest())}}, n);
        if (verb == "note") return parse_note(n);
        if (verb == "impact") return parse_impact(n);
        if (verb == "decline") {
            if (in.done()) return fail("say why it is not an incident", verb);
            return make(command{decline{std::string(in.rest())}}, n);
        }
        if (verb == "reopen") {
            if (in.done()) return fail("say why it is reopened", verb);
            return make(command{reopen{std::string(in.rest())}}, n);
        }
        if (verb == "severity") {
            if (in.done()) return fail("which severity? P0, P1, P2 or P3", verb);
            auto const token = in.take();
            auto const sev = parse_severity(token);
            if (!sev) return fail(unknown("severity", token, names_of(all_severities)), verb);
            if (!in.done()) return fail("severity takes one value: P0, P1, P2 or P3", verb);
            return make(command{change_severity{*sev}}, n);
        }
        if (verb == "type") {
            if (in.done()) return fail("which type?", verb);
            auto const token = in.take();
            auto const t = parse_incident_type(token);
            if (!t) return fail(unknown("incident type", token, names_of(all_types)), verb);
            if (!in.done()) return fail("type takes one type", verb);
            return make(command{change_type{*t}}, n);
        }
        if (verb == "phase") {
            if (in.done()) return fail("which phase?", verb);
            auto const token = in.take();
            auto const ph = parse_phase(token);
            if (!ph) return fail(unknown("phase", token, names_of(all_phases)), verb);
            if (!in.done()) return fail("phase takes one phase", verb);
            return make(command{move_phase{*ph}}, n);
        }
        if (verb == "assign") {
            if (in.done()) return fail("which role, and who?", verb);
            auto const role_token = in.take();
            auto const r = parse_role(role_token);
            if (!r) return fail(unknown("role", role_token, names_of(all_roles)), verb);
            if (in.done()) return fail("who? mention them: @user", verb);
            auto const who_token = in.take();
            auto const who = parse_mention(who_token);
            if (!who) return fail("name the person as @user, not '" + std::string(who_token) + "'", verb);
            if (!in.done()) return fail("assign one person at a time", verb);
            return make(command{assign_role{*r, *who}}, n);
        }
        if (verb == "done") {
            if (in.done()) return fail("which action item? give its number", verb);
            auto const token = in.take();
            auto const number = parse_number(token);
            if (!number) return fail("'" + std::string(token) + "' is not an action item number", verb);
            if (!in.done()) return fail("done takes one action item number", verb);
            return make(command{complete_action{*number}}, n);
        }
        return fail("unknown command '" + raw_verb + "'", "help");
    }
};

}  // namespace

std::optional<int> parse_incident_ref(std::string_view token, bool explicit_only) {
    if (!token.empty() && token.front() == '#') return parse_number(token.substr(1));
    if (token.size() > 4 && to_lower(token.substr(0, 4)) == "inc-") return parse_number(token.substr(4));
    if (explicit_only) return std::nullopt;
    return parse_number(token);
}

std::optional<user_id> parse_mention(std::string_view token) {
    if (token.size() > 3 && token.substr(0, 2) == "<@" && token.back() == '>') {
        auto const inner = token.substr(2, token.size() - 3);
        auto const id = inner.substr(0, inner.find('|'));
        if (id.empty()) return std::nullopt;
        return std::string(id);
    }
    if (token.size() > 1 && token.front() == '@') {
        auto const name = token.substr(1);
        bool const ok = std::all_of(name.begin(), name.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '.' || c == '_' || c == '-';
        });
        if (ok) return std::string(name);
    }
    return std::nullopt;
}

std::string usage(std::string_view verb, std::string_view slash) {
    auto const* info = find_verb(canonical_verb(verb));
    if (!info) return help_text(slash);
    std::string out = "Usage: ";
    out.append(slash).append(" ").append(info->name);
    if (!info->args.empty()) out.append(" ").append(info->args);
    out.append(" — ").append(info->summary);
    return out;
}

std::string help_text(std::string_view slash) {
    std::string out = "Commands (" + std::string(slash) + " <command>):\n";
    for (auto const& v : verbs) {
        // Appended piece by piece: `"x" + std::string(...)` trips a GCC 12 -Wrestrict false positive.
        out.append("  ").append(v.name);
        if (!v.args.empty()) out.append(" ").append(v.args);
        out.append(" — ").append(v.summary).append("\n");
    }
    out += "In a war room the incident is implied; elsewhere give its number: " + std::string(slash) + " status 42";
    return out;
}

parse_result parse_command_line(std::string_view text, bool in_war_room, timestamp now, time_zone const& zone) {
    cursor in(text);
    if (in.done()) return usage_error{"no command given", ""};
    auto const raw = std::string(in.take());
    parser p{canonical_verb(raw), in, in_war_room, now, raw, zone};
    return p.run();
}

std::optional<timestamp> parse_window_time(std::string_view text, timestamp now, time_zone const& zone) {
    if (to_lower(text) == "now") return now;
    if (text.size() < 16) return std::nullopt;
    if (text.back() == 'Z' || text.back() == 'z') return parse_time(text);
    auto const sign_at = text.size() - 6;
    if (text.size() >= 22 && (text[sign_at] == '+' || text[sign_at] == '-') && text[sign_at + 3] == ':') {
        auto const local = parse_time(text.substr(0, sign_at));
        auto const two_digits = [&](std::size_t at) {
            auto const d = [&](std::size_t k) { return std::isdigit(static_cast<unsigned char>(text[k])) ? text[k] - '0' : -100; };
            return d(at) * 10 + d(at + 1);
        };
        auto const hours = two_digits(sign_at + 1), minutes = two_digits(sign_at + 4);
        if (!local || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return std::nullopt;
        auto const offset = std::chrono::hours{hours} + std::chrono::minutes{minutes};
        return text[sign_at] == '+' ? *local - offset : *local + offset;
    }
    auto const local = parse_time(text);
    if (!local) return std::nullopt;
    return local_to_utc(*local, zone);
}

std::optional<timestamp> parse_due(std::string_view text, timestamp now, time_zone const& zone) {
    if (auto const date = parse_date(text)) return date;
    auto const today = std::chrono::floor<std::chrono::days>(now + zone.offset(now));
    auto const l = to_lower(text);
    if (l == "today") return timestamp{today};
    if (l == "tomorrow") return timestamp{today + std::chrono::days{1}};
    if (l.size() > 2 && l.front() == '+' && (l.back() == 'd' || l.back() == 'w')) {
        auto const n = parse_number(std::string_view(l).substr(1, l.size() - 2));
        if (!n || *n > 3650) return std::nullopt;
        return timestamp{today + std::chrono::days{*n * (l.back() == 'w' ? 7 : 1)}};
    }
    static constexpr std::string_view days[] = {"monday", "tuesday", "wednesday", "thursday",
                                                "friday", "saturday", "sunday"};
    for (int d = 0; d < 7; ++d) {
        // "fri" and "friday" alike; the next such day after today.
        if (l.size() < 3 || days[d].substr(0, l.size()) != l) continue;
        auto const weekday = static_cast<int>((today.time_since_epoch().count() % 7 + 7 + 3) % 7);  // 0: Monday
        auto const ahead = (d - weekday + 7) % 7;
        return timestamp{today + std::chrono::days{ahead == 0 ? 7 : ahead}};
    }
    return std::nullopt;
}

std::optional<std::string> did_you_mean(std::string_view word, std::vector<std::string_view> const& known) {
    // Edit distance with transpositions: "delcare" is one swap from "declare".
    auto const distance = [](std::string_view a, std::string_view b) {
        std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
        for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
        for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            for (std::size_t j = 1; j <= b.size(); ++j) {
                auto const cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                    d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.size()][b.size()];
    };
    auto const lower = to_lower(word);
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    for (auto const k : known) {
        auto const dist = distance(lower, to_lower(k));
        // Close enough to be meant: at most two edits, and fewer than half the word.
        if (dist == 0 || dist > 2 || dist * 2 >= std::max(lower.size(), k.size())) continue;
        if (!best || dist < best_distance) {
            best = std::string(k);
            best_distance = dist;
        }
    }
    return best;
}

}  // namespace warroom::core
