// Prints effects as a transcript: each post under a header naming its channel, replies marked as
// seen only by the asker. Forms are filled one field per line, like a modal, and re-asked on errors.
#include "adapters/console/console.hpp"

#include "app/forms.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <istream>
#include <ostream>

namespace warroom::console {
namespace {

using core::to_lower;
using core::trim;

std::string strip(std::string_view s, char lead) {
    s = trim(s);
    if (!s.empty() && s.front() == lead) s.remove_prefix(1);
    return std::string(s);
}

constexpr std::string_view console_help =
    "Console commands:\n"
    "  /incident <command>   run an incident command (/incident help lists them)\n"
    "  /as <user>            act as another user\n"
    "  /in <channel>         move to a channel (a war room implies its incident; entering one joins it,\n"
    "                        and a private one only lets its members in)\n"
    "  /invite @user         bring someone into the war room you are in (as Slack's /invite)\n"
    "  /leave                leave the war room you are in\n"
    "  /click <button|n>     press a button on the channel's last prompt, or toggle checklist item n\n"
    "  /clock +<duration>    advance the simulated clock (30m, 2h, 1d); reminders fire on the way\n"
    "  /clock                show the simulated time\n"
    "  /cancel               inside a form: abandon it (Ctrl-D too)\n"
    "  /quit                 leave (Ctrl-D)\n";

}  // namespace

console::console(app::service& svc, std::ostream& out, core::timestamp start, console_options options)
    : svc_(svc),
      out_(out),
      now_(start),
      options_(std::move(options)),
      user_(options_.user),
      channel_(strip(options_.channel, '#')) {}

std::string console::prompt() const {
    if (form_) return "  " + form_->fields[form_field_].label + "> ";
    return user_ + "@#" + channel_ + "> ";
}

void console::run(line_reader const& read) {
    for (;;) {
        auto const text = read(prompt());
        if (!text) {
            // Ctrl-D in a form gives up the form, not the session.
            if (!form_) break;
            cancel_form();
            continue;
        }
        if (!line(*text)) break;
    }
    out_.flush();
}

void console::run(std::istream& in) {
    run([&](std::string const& shown) -> std::optional<std::string> {
        if (!options_.echo) out_ << shown << std::flush;
        in.clear();  // after a Ctrl-D at a terminal, reading goes on
        std::string text;
        if (!std::getline(in, text)) return std::nullopt;
        if (options_.echo) out_ << shown << text << '\n';
        return text;
    });
}

bool console::line(std::string_view raw) {
    try {
        return dispatch(trim(raw));
    } catch (std::exception const& e) {
        // A failed append wrote nothing (one transaction), so the session can go on.
        out_ << "⚠️ warroom could not complete that, nothing was recorded: " << e.what() << '\n';
        form_.reset();
        out_.flush();
        return true;
    }
}

bool console::dispatch(std::string_view text) {
    if (form_) {
        fill_field(text);
        out_.flush();
        return true;
    }
    if (text.empty() || text.front() == '#') return true;
    auto const space = text.find(' ');
    auto const word = to_lower(text.substr(0, space));
    auto const arg = space == std::string_view::npos ? std::string_view{} : trim(text.substr(space));
    if (word == options_.slash) {
        show(svc_.handle(here(), arg));
    } else if (word == "/as") {
        if (arg.empty()) {
            out_ << "you are @" << user_ << '\n';
        } else {
            user_ = strip(arg, '@');
            // As in Slack, the new person sees this room only if they may be in it.
            if (svc_.by_channel(channel_)) {
                auto const room = channel_;
                channel_ = strip(options_.channel, '#');
                enter(room);
            }
        }
    } else if (word == "/in") {
        if (arg.empty()) {
            out_ << "you are in #" << channel_ << '\n';
        } else {
            enter(strip(arg, '#'));
        }
    } else if (word == "/invite") {
        if (arg.empty()) {
            out_ << "whom? /invite @user\n";
        } else {
            auto const who = strip(arg, '@');
            auto const invited = svc_.invite(here(), who);
            show(invited);
            if (invited.changed) out_ << "[slack] @" << who << " joined #" << channel_ << " (invited by @" << user_ << ")\n";
        }
    } else if (word == "/leave") {
        auto const left = svc_.left(here(), user_);
        out_ << (left.changed ? "you left #" + channel_ + "\n" : "you are not a member of #" + channel_ + "\n");
        if (left.changed) channel_ = strip(options_.channel, '#');
    } else if (word == "/click") {
        click(arg);
    } else if (word == "/clock") {
        advance_clock(arg);
    } else if (word == "/quit" || word == "/exit") {
        return false;
    } else if (word == "/help") {
        out_ << console_help;
    } else if (text.front() == '/') {
        out_ << "unknown console command " << word << "; /help lists them\n";
    } else {
        out_ << "(a plain message in #" << channel_ << "; warroom acts on " << options_.slash << " commands)\n";
    }
    // Reminders due at this very moment (the 0-minute page of a P0) go out at once, as in the daemon.
    show(svc_.tick(now_));
    // Whatever was shown is on disk already; flushing per line makes the output an acknowledgement.
    out_.flush();
    return true;
}

void console::enter(std::string_view channel) {
    app::outcome entered;
    if (auto const refused = svc_.enter(here(), channel, entered)) {
        out_ << "🔒 you cannot enter #" << channel << ": " << *refused << '\n';
        if (entered.denied && options_.on_denial) options_.on_denial(*entered.denied);
        return;
    }
    channel_ = std::string(channel);
    if (entered.changed) out_ << "(you joined #" << channel_ << ")\n";
}

void console::show(app::outcome const& o) {
    if (o.denied && options_.on_denial) options_.on_denial(*o.denied);
    for (auto const& e : o.effects) {
        std::visit(
            [&]<typename T>(T const& x) {
                if constexpr (std::is_same_v<T, core::open_war_room>) {
                    out_ << "[slack] created " << (x.is_private ? "private" : "public") << " channel #" << x.name
                         << "; invited";
                    for (auto const& u : x.invite) out_ << ' ' << (u.front() == '@' ? "" : "@") << u;
                    out_ << "; topic: " << x.topic << '\n';
                } else if constexpr (std::is_same_v<T, core::post>) {
                    if (x.edit_only && !kept_.contains(x.key)) return;  // never posted: nothing to edit
                    bool const edit = !x.key.empty() && !kept_.insert(x.key).second;
                    out_ << "── #" << x.channel << " ── warroom" << (x.pin ? " (pinned)" : "")
                         << (edit ? " (edits its earlier message)" : "")
                         << (x.thread.empty() ? "" : " (in the thread of the announcement)") << '\n'
                         << core::render_text(x.view);
                    // Slack gets each chart as a PNG; a terminal gets what a screen reader would.
                    for (auto const& c : x.view.charts) out_ << "[chart] " << c.title << ": " << c.description << '\n';
                    remember(x.channel, x.view);
                } else if constexpr (std::is_same_v<T, core::reply>) {
                    out_ << "── #" << x.channel << " ── warroom (only @" << x.user << " sees this)\n"
                         << core::render_text(x.view);
                    remember(x.channel, x.view);
                } else if constexpr (std::is_same_v<T, core::set_topic>) {
                    out_ << "[slack] #" << x.channel << " topic: " << x.topic << '\n';
                } else if constexpr (std::is_same_v<T, core::direct_message>) {
                    out_ << "── DM @" << x.user << " ── warroom\n" << core::render_text(x.view);
                } else if constexpr (std::is_same_v<T, core::open_form>) {
                    start_form(x);
                } else if constexpr (std::is_same_v<T, core::invite>) {
                    out_ << "[slack] invited to #" << x.channel << ':';
                    for (auto const& u : x.who) out_ << ' ' << (u.front() == '@' ? "" : "@") << u;
                    out_ << '\n';
                } else if constexpr (std::is_same_v<T, core::archive_room>) {
                    out_ << "[slack] archived #" << x.channel << '\n';
                } else if constexpr (std::is_same_v<T, core::page>) {
                    out_ << "[paging] " << core::to_string(x.action) << ' ' << x.dedup_key;
                    if (!x.responder.empty()) out_ << " for @" << x.responder << " (" << x.position << ')';
                    out_ << ": " << x.summary << '\n';
                } else if constexpr (std::is_same_v<T, core::open_ticket>) {
                    out_ << "[ticket] " << core::ticket_key(x.group) << " (" << x.level << "): " << x.title << '\n';
                } else if constexpr (std::is_same_v<T, core::email>) {
                    out_ << "[email] to";
                    for (auto const& to : x.to) out_ << ' ' << to;
                    out_ << ": " << x.subject << '\n' << x.text;
                } else if constexpr (std::is_same_v<T, core::statuspage_update>) {
                    out_ << "[statuspage] " << core::incident_ref(x.incident) << " update " << x.sequence << " ("
                         << core::api_name(x.st) << "): " << x.text << '\n';
                } else if constexpr (std::is_same_v<T, core::statuspage_maintenance>) {
                    out_ << "[statuspage] " << core::maintenance_ref(x.window) << (x.cancelled ? " completed: " : " scheduled: ")
                         << x.text << '\n';
                }
            },
            e);
    }
}

void console::remember(std::string const& channel, core::message_view const& v) {
    if (v.buttons.empty() && v.checklist.empty()) return;
    auto& list = prompts_[channel];
    list.push_back(v);
    // A person scrolls back a little, not forever.
    if (list.size() > 20) list.erase(list.begin());
}

void console::click(std::string_view arg) {
    auto prompts = prompts_[channel_];
    // A war room always offers what Slack keeps in view there: the pinned declaration's buttons, and
    // the current phase's checklist, which numbers always refer to (an older phase's checklist
    // printed earlier in the session does not).
    if (auto const* room = svc_.by_channel(channel_)) {
        std::erase_if(prompts, [](core::message_view const& v) { return v.buttons.empty(); });
        prompts.insert(prompts.begin(), core::declaration_view(*room, svc_.rules(), now_));
        prompts.push_back(core::checklist_view(*room, room->ph, svc_.rules(), now_));
    }
    if (prompts.empty()) {
        out_ << "no prompt with buttons in #" << channel_ << " yet\n";
        return;
    }
    auto const wanted = to_lower(arg);
    bool const numeric =
        !wanted.empty() && std::all_of(wanted.begin(), wanted.end(), [](unsigned char c) { return std::isdigit(c); });
    // The newest prompt that offers what was asked for: a checklist item by number, a button by label.
    for (auto p = prompts.rbegin(); p != prompts.rend(); ++p) {
        if (numeric) {
            if (p->checklist.empty()) continue;
            auto const n = std::stoul(wanted.substr(0, 6));
            if (n == 0 || n > p->checklist.size()) {
                out_ << "the checklist in #" << channel_ << " has items 1-" << p->checklist.size() << '\n';
                return;
            }
            show(svc_.press(here(), core::ui::action::check, p->checklist[n - 1].value));
            return;
        }
        for (auto const& b : p->buttons) {
            auto const label = to_lower(b.label);
            if (!wanted.empty() &&
                (label == wanted || core::ui::id(b.action) == wanted || label.rfind(wanted, 0) == 0)) {
                show(svc_.press(here(), b.action, b.value));
                return;
            }
        }
    }
    auto const& last = prompts.back();
    out_ << "no button '" << arg << "' on the recent prompts in #" << channel_;
    if (last.buttons.empty() && last.checklist.empty()) {
        out_ << "; the last one has no buttons\n";
        return;
    }
    out_ << "; the last one has:";
    for (auto const& b : last.buttons) out_ << " [" << b.label << "]";
    if (!last.checklist.empty()) out_ << " checklist items 1-" << last.checklist.size();
    out_ << '\n';
}

void console::advance_clock(std::string_view arg) {
    if (arg.empty()) {
        out_ << "🕐 " << core::format_time(now_, *svc_.rules().zone) << '\n';
        return;
    }
    auto const text = arg.front() == '+' ? arg.substr(1) : arg;
    auto const step = core::parse_duration(text);
    if (!step) {
        out_ << "cannot read '" << arg << "': use /clock +30m (s, m, h, d)\n";
        return;
    }
    auto const target = now_ + *step;
    // Stop at each due reminder, so each fires at its own time, as the daemon's scheduler would.
    std::optional<core::timestamp> shown, idle;
    while (auto const due = svc_.next_due()) {
        if (*due > target) break;
        now_ = std::max(now_, *due);
        if (shown != now_) out_ << "🕐 " << core::format_time(now_, *svc_.rules().zone) << '\n';
        shown = now_;
        auto const fired = svc_.tick(now_);
        show(fired);
        // A tick that fired nothing caught up with another process's writes; if the same time is
        // still due after that, it was taken elsewhere: do not spin on it.
        if (!fired.changed) {
            if (idle == due) break;
            idle = due;
        }
    }
    now_ = target;
    if (shown != now_) out_ << "🕐 " << core::format_time(now_, *svc_.rules().zone) << '\n';
}

void console::start_form(core::open_form const& f) {
    form_ = f.form;
    form_field_ = 0;
    form_values_.clear();
    form_errors_.clear();
    out_ << "┌ form: " << form_->title << " (one line per field; empty keeps the default; /cancel or Ctrl-D abandons it)\n";
    prompt_field();
}

void console::prompt_field() {
    auto const& field = form_->fields[form_field_];
    out_ << "│ " << field.label;
    if (!field.options.empty()) {
        out_ << " [";
        for (std::size_t k = 0; k < field.options.size(); ++k) out_ << (k ? "|" : "") << field.options[k];
        out_ << "]";
    }
    if (!field.initial.empty()) out_ << " (default: " << field.initial << ")";
    if (field.optional) out_ << " (optional)";
    if (auto const err = form_errors_.find(field.id); err != form_errors_.end()) out_ << " ⚠️ " << err->second;
    out_ << '\n';
}

void console::cancel_form() {
    out_ << "└ form cancelled; nothing was submitted\n";
    form_.reset();
    out_.flush();
}

void console::fill_field(std::string_view text) {
    if (text == "/cancel") {
        cancel_form();
        return;
    }
    auto const& field = form_->fields[form_field_];
    auto value = text.empty() ? field.initial : std::string(text);
    // Checked as it is entered, as Slack checks a field: the same field is asked again.
    if (auto const problem = app::field_problem(field.id, value, now_)) {
        out_ << "│ ⚠️ " << *problem << '\n';
        prompt_field();
        return;
    }
    form_values_[field.id] = std::move(value);
    // After errors, only the fields in error are asked again.
    do {
        ++form_field_;
    } while (form_field_ < form_->fields.size() && !form_errors_.empty() &&
             !form_errors_.contains(form_->fields[form_field_].id));
    if (form_field_ < form_->fields.size()) {
        prompt_field();
        return;
    }
    auto const form = *form_;
    auto const result = svc_.submit(here(), form.id, form.incident, form_values_);
    if (!result.field_errors.empty()) {
        form_errors_ = result.field_errors;
        out_ << "│ please correct:\n";
        form_field_ = 0;
        while (form_field_ < form.fields.size() && !form_errors_.contains(form.fields[form_field_].id)) ++form_field_;
        if (form_field_ == form.fields.size()) {
            for (auto const& [id, message] : form_errors_) out_ << "│ " << core::ui::id(id) << ": " << message << '\n';
            out_ << "└ form closed\n";
            form_.reset();
            return;
        }
        prompt_field();
        return;
    }
    out_ << "└ submitted\n";
    form_.reset();
    show(result);
    show(svc_.tick(now_));
}

}  // namespace warroom::console
