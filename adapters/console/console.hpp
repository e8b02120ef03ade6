// The terminal adapter: the same service as Slack, driven by typed lines. `/incident ...` runs a
// command; `/as`, `/in`, `/click`, `/clock` switch user, channel, press a button, move the
// simulated clock (reminders fire as it passes them). Output is what the bot would post, in order.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app/service.hpp"

namespace warroom::console {

struct console_options {
    std::string user = "you";
    std::string channel = "incidents";
    std::string slash = "/incident";
    bool echo = true;  // print each input line after its prompt (scripts and pipes)
    // Where refusals on authority and rate limits go (the bot's log, never the room).
    std::function<void(app::denial const&)> on_denial = {};
};

class console {
public:
    console(app::service& svc, std::ostream& out, core::timestamp start, console_options options);

    // Where lines come from: shows the prompt and returns the next line, nullopt at end of input.
    using line_reader = std::function<std::optional<std::string>(std::string const& prompt)>;
    // Reads lines until end of input or /quit. End of input inside a form abandons the form only.
    void run(line_reader const& read);
    // A script or a pipe: prompts are printed (with each line when echoing).
    void run(std::istream& in);
    // One input line; false when the session should end.
    bool line(std::string_view text);
    std::string prompt() const;
    core::timestamp now() const { return now_; }

private:
    bool dispatch(std::string_view text);
    void show(app::outcome const& o);
    void remember(std::string const& channel, core::message_view const& v);
    void click(std::string_view arg);
    void enter(std::string_view channel);
    void advance_clock(std::string_view arg);
    void start_form(core::open_form const& f);
    void prompt_field();
    void fill_field(std::string_view text);
    void cancel_form();
    app::origin here() const { return {user_, channel_, now_}; }

    app::service& svc_;
    std::ostream& out_;
    core::timestamp now_;
    console_options options_;
    std::string user_;
    std::string channel_;
    std::map<std::string, std::vector<core::message_view>> prompts_;  // per channel: messages with buttons, newest last
    std::set<std::string> kept_;  // keys of messages kept current: a post with a known key edits
    std::optional<core::modal_view> form_;
    std::size_t form_field_ = 0;
    app::form_values form_values_;
    std::map<core::ui::field, std::string> form_errors_;
};

}  // namespace warroom::console
