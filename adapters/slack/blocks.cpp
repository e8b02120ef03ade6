// Block Kit from the core's view models. Text in a view is user input: mrkdwn gets it escaped, and the
// only markup added is ours (bold labels, channel links from the context, user mentions). plain_text
// (header, buttons, modal labels) is never parsed by Slack, so it carries the text as typed.
// Lengths count UTF-16 code units: never fewer than Slack counts, whether it counts those or code
// points. A cut falls between characters and never inside an entity (&amp;) or a link (<@U1>).
#include "adapters/slack/blocks.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/contact.hpp"

namespace warroom::slack {
namespace {

using nlohmann::json;

// Slack's limits (protocol doc §7).
constexpr std::size_t max_blocks = 50;
constexpr std::size_t max_section_text = 3000;
constexpr std::size_t max_fields = 10;
constexpr std::size_t max_field_text = 2000;
constexpr std::size_t max_header = 150;
constexpr std::size_t max_button_text = 75;
constexpr std::size_t max_button_value = 2000;
constexpr std::size_t max_actions = 25;
constexpr std::size_t max_options = 10;
constexpr std::size_t max_option_text = 75;
constexpr std::size_t max_option_value = 150;
constexpr std::size_t max_context_elements = 10;
constexpr std::size_t max_fallback = 3000;
constexpr std::size_t max_modal_title = 24;
constexpr std::size_t max_label = 2000;
// Slack also refuses a message whose blocks hold more than about 12,000 characters in all
// (msg_blocks_too_long; undocumented, bolt-js#2509), so a message stops well short of that.
constexpr std::size_t message_budget = 10'000;

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

std::size_t units(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (continuation(c) ? 0 : 1) + (c >= 0xF0 ? 1 : 0);  // 4-byte: a surrogate pair
    return n;
}

// Bytes of the longest prefix of `s` within `limit` units that ends on a safe boundary. A UTF-8
// continuation byte counts no unit, so it always stays with the character it continues.
std::size_t cut_point(std::string_view s, std::size_t limit, bool markup) {
    std::size_t at = 0, used = 0;
    while (at < s.size()) {
        auto end = at + 1;
        if (markup && (s[at] == '<' || s[at] == '&')) {
            if (auto const close = s.find(s[at] == '<' ? '>' : ';', at); close != std::string_view::npos) {
                end = close + 1;
            }
        }
        auto const n = units(s.substr(at, end - at));
        if (used + n > limit) break;
        used += n;
        at = end;
    }
    return at;
}

std::string truncate(std::string_view s, std::size_t limit, bool markup) {
    if (units(s) <= limit) return std::string(s);
    return std::string(s.substr(0, cut_point(s, limit - 1, markup))) + "…";
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto const end = std::min(text.find('\n'), text.size());
        out.emplace_back(text.substr(0, end));
        text.remove_prefix(std::min(end + 1, text.size()));
    }
    return out;
}

// Lines joined with "\n" into texts of at most `limit` units. A line that fits no text whole is cut
// hard, its first piece filling the current text: the pieces concatenate back to the line.
std::vector<std::string> pack(std::vector<std::string> const& lines, std::size_t limit) {
    std::vector<std::string> out;
    std::string text;
    auto const flush = [&] {
        if (!text.empty()) out.push_back(std::move(text));
        text.clear();
    };
    for (std::string_view rest : lines) {
        for (;;) {
            auto const used = units(text) + (text.empty() ? 0 : 1);
            auto const room = used < limit ? limit - used : 0;
            auto const need = units(rest);
            if (need <= room) {
                text += (text.empty() ? "" : "\n") + std::string(rest);
                break;
            }
            if (!text.empty() && need <= limit) {
                flush();
                continue;
            }
            auto cut = cut_point(rest, room, true);
            if (cut == 0 && text.empty()) cut = cut_point(rest, room, false);  // a lone token over the limit
            if (cut > 0) text += (text.empty() ? "" : "\n") + std::string(rest.substr(0, cut));
            flush();
            rest.remove_prefix(cut);
            if (rest.empty()) break;
        }
    }
    flush();
    return out;
}

// A token ("@U1", "#room") starts at the start of the text or after whitespace or "(", and ends at
// the end, whitespace or punctuation: "mail@U1", "&lt;@U1&gt;" and "@U1abc" are not tokens.
bool opens_token(std::string_view s, std::size_t at) {
    return at == 0 || s[at - 1] == ' ' || s[at - 1] == '\n' || s[at - 1] == '\t' || s[at - 1] == '(';
}
bool closes_token(std::string_view s, std::size_t at) {
    if (at == s.size()) return true;
    auto const c = static_cast<unsigned char>(s[at]);
    return c < 0x80 && (std::isspace(c) || std::ispunct(c));
}

bool channel_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; }

std::string link_channels(std::string_view s, render_context const& ctx) {
    if (ctx.channel_ids.empty()) return std::string(s);
    std::string out;
    for (std::size_t at = 0; at < s.size();) {
        if (s[at] == '#' && opens_token(s, at)) {
            auto end = at + 1;
            while (end < s.size() && channel_char(s[end])) ++end;
            auto const it = ctx.channel_ids.find(s.substr(at + 1, end - at - 1));
            if (it != ctx.channel_ids.end() && closes_token(s, end)) {
                out += "<#" + it->second + ">";
                at = end;
                continue;
            }
        }
        out += s[at++];
    }
    return out;
}

// Core writes Markdown (the report, "**Next Update**:"); mrkdwn bolds with one star and has no
// headings or list syntax.
std::string from_markdown(std::string_view line) {
    std::string out;
    for (std::size_t at = 0; at < line.size(); ++at) {
        out += line[at];
        if (line.compare(at, 2, "**") == 0) ++at;
    }
    auto const hashes = out.find_first_not_of('#');
    if (hashes > 0 && hashes != std::string::npos && out[hashes] == ' ' && hashes + 1 < out.size()) {
        return "*" + out.substr(hashes + 1) + "*";
    }
    if (out.starts_with("- ")) return "• " + out.substr(2);
    return out;
}

json plain(std::string text) { return {{"type", "plain_text"}, {"text", std::move(text)}, {"emoji", true}}; }
json mrkdwn(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }
json section(std::string text) { return {{"type", "section"}, {"text", mrkdwn(std::move(text))}}; }

// Every string in the block, keys' values included: an upper bound on what Slack counts.
std::size_t weight(json const& j) {
    if (j.is_string()) return units(j.get_ref<std::string const&>());
    std::size_t n = 0;
    if (j.is_structured()) {
        for (auto const& e : j) n += weight(e);
    }
    return n;
}

class renderer {
public:
    explicit renderer(render_context const& ctx) : ctx_(ctx) {}

    std::vector<json> blocks(core::message_view const& v) {
        mentions_ = &v.mentions;
        times_ = &v.times;
        headline(v.headline);
        fields(v.fields);
        for (auto const& s : v.sections) {
            std::vector<std::string> lines;
            if (!s.heading.empty()) lines.push_back("*" + escape_mrkdwn(s.heading) + "*");
            int n = 0;
            for (auto const& line : s.lines) {
                lines.push_back((s.numbered ? std::to_string(++n) + ". " : "• ") + md(line));
            }
            text_sections(lines);
        }
        std::vector<std::string> body;
        for (auto const& line : split_lines(v.body)) body.push_back(md(from_markdown(line)));
        text_sections(body);
        checklist(v.checklist);
        std::vector<json> footer;
        for (auto const& line : v.footer) {
            for (auto& piece : pack({md(from_markdown(line))}, max_section_text)) footer.push_back(mrkdwn(piece));
        }
        in_groups(footer, max_context_elements, "context");
        buttons(v.buttons);
        return std::move(blocks_);
    }

    std::string md(std::string_view raw) const { return link_times(md_without_times(raw), *times_); }
    // Mentions and channel links, but the times left as their text.
    std::string md_without_times(std::string_view raw) const {
        return link_channels(link_mentions(escape_mrkdwn(raw), *mentions_, ctx_), ctx_);
    }

private:
    // The header shows the first line; the full headline follows as text when the header cut it or
    // when it holds links (a mention in plain_text would ping no one).
    void headline(std::string const& h) {
        auto const first = h.substr(0, h.find('\n'));
        if (first.find_first_not_of(' ') != std::string::npos) {
            blocks_.push_back({{"type", "header"}, {"text", plain(truncate(first, max_header, false))}});
            if (first.size() == h.size() && units(h) <= max_header && md(h) == escape_mrkdwn(h)) return;
        }
        text_sections(split_lines(md(h)));
    }

    // `*Label:*\nvalue`, ten to a section; a field too long for one becomes text sections in place.
    void fields(std::vector<core::field> const& fs) {
        std::vector<json> group;
        for (auto const& f : fs) {
            auto const text = "*" + escape_mrkdwn(f.label) + ":*\n" + md(f.value);
            if (units(text) <= max_field_text) {
                group.push_back(mrkdwn(text));
                continue;
            }
            in_groups(group, max_fields, "section");
            group.clear();
            text_sections(split_lines(text));
        }
        in_groups(group, max_fields, "section");
    }

    void checklist(std::vector<core::checkbox> const& items) {
        for (std::size_t at = 0; at < items.size(); at += max_options) {
            auto options = json::array(), checked = json::array();
            for (auto k = at; k < std::min(at + max_options, items.size()); ++k) {
                auto const& c = items[k];
                json option = {{"text", mrkdwn(truncate(md(c.label), max_option_text, true))},
                               {"value", truncate(c.value, max_option_value, false)}};
                // 75 characters leave no room for a date token: the note's time stays text.
                if (!c.note.empty()) {
                    option["description"] = mrkdwn(truncate(md_without_times(c.note), max_option_text, true));
                }
                if (c.checked) checked.push_back(option);
                options.push_back(std::move(option));
            }
            json element = {{"type", "checkboxes"}, {"action_id", action_id(core::ui::action::check)}, {"options", options}};
            if (!checked.empty()) element["initial_options"] = checked;
            blocks_.push_back({{"type", "actions"}, {"elements", json::array({element})}});
        }
    }

    void buttons(std::vector<core::button> const& bs) {
        std::vector<json> elements;
        bool primary = false;
        for (auto const& b : bs) {
            json e = {{"type", "button"},
                      {"action_id", action_id(b.action)},
                      {"text", plain(truncate(b.label, max_button_text, false))},
                      {"value", truncate(b.value, max_button_value, false)}};
            using core::ui::action;
            if (b.action == action::resolve) {
                e["style"] = "danger";
            } else if (!primary &&
                       (b.action == action::acknowledge || b.action == action::claim_ic || b.action == action::post_update)) {
                e["style"] = "primary";
                primary = true;
            }
            elements.push_back(std::move(e));
        }
        in_groups(elements, max_actions, "actions");
    }

    void text_sections(std::vector<std::string> const& lines) {
        for (auto& text : pack(lines, max_section_text)) blocks_.push_back(section(std::move(text)));
    }

    // Blocks of `type` holding at most `n` of the elements each ("fields" for a section).
    void in_groups(std::vector<json> const& elements, std::size_t n, std::string const& type) {
        for (std::size_t at = 0; at < elements.size(); at += n) {
            auto const end = elements.begin() + static_cast<std::ptrdiff_t>(std::min(at + n, elements.size()));
            blocks_.push_back({{"type", type},
                               {type == "section" ? "fields" : "elements",
                                std::vector<json>(elements.begin() + static_cast<std::ptrdiff_t>(at), end)}});
        }
    }

    // action_id must be unique within a message: the k-th use of an action gets "#k" (k ≥ 2).
    std::string action_id(core::ui::action a) {
        auto const action = std::string(core::ui::id(a));
        auto const k = ++uses_[action];
        return k == 1 ? action : action + "#" + std::to_string(k);
    }

    render_context const& ctx_;
    std::vector<std::string> const* mentions_ = &no_mentions;
    std::vector<std::pair<std::string, core::timestamp>> const* times_ = &no_times;
    static inline std::vector<std::pair<std::string, core::timestamp>> const no_times = {};
    static inline std::vector<std::string> const no_mentions = {};
    std::vector<json> blocks_;
    std::map<std::string, int> uses_;
};

std::string fallback_source(core::message_view const& v) {
    if (!v.headline.empty()) return v.headline;
    for (auto const& line : split_lines(v.body)) {
        if (!line.empty()) return from_markdown(line);
    }
    for (auto const& s : v.sections) {
        if (!s.heading.empty()) return s.heading;
        if (!s.lines.empty()) return s.lines.front();
    }
    return v.kind;
}

}  // namespace

std::string escape_mrkdwn(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '&') {
            out += "&amp;";
        } else if (c == '<') {
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else {
            out += c;
        }
    }
    return out;
}

std::string link_mentions(std::string_view s, std::vector<std::string> const& mentions, render_context const& ctx) {
    if (mentions.empty()) return std::string(s);
    std::string out;
    for (std::size_t at = 0; at < s.size();) {
        if (s[at] == '@' && opens_token(s, at)) {
            auto end = at + 1;
            while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '-' ||
                                      s[end] == '_' || s[end] == '.')) {
                ++end;
            }
            // A trailing dot ends a sentence, not a handle.
            while (end > at + 1 && s[end - 1] == '.') --end;
            auto const id = std::string(s.substr(at + 1, end - at - 1));
            bool const ours = std::find(mentions.begin(), mentions.end(), id) != mentions.end();
            std::string link;
            if (ours && core::is_user_id(id)) {
                link = "<@" + id + ">";
            } else if (ours && core::is_group_id(id)) {
                link = "<!subteam^" + id + ">";
            } else if (auto const g = ctx.group_ids.find(id); ours && g != ctx.group_ids.end()) {
                link = "<!subteam^" + g->second + ">";
            }
            if (!link.empty() && closes_token(s, end)) {
                out += link;
                at = end;
                continue;
            }
        }
        out += s[at++];
    }
    return out;
}

std::string link_times(std::string_view s, std::vector<std::pair<std::string, core::timestamp>> const& times) {
    if (times.empty()) return std::string(s);
    // Longest first, so "2026-11-28 00:46 CET" is not taken for a "00:46 CET" inside it.
    auto sorted = times;
    std::ranges::stable_sort(sorted, [](auto const& a, auto const& b) { return a.first.size() > b.first.size(); });
    std::string out;
    for (std::size_t at = 0; at < s.size();) {
        auto const hit = std::ranges::find_if(sorted, [&](auto const& t) {
            return !t.first.empty() && s.substr(at, t.first.size()) == t.first;
        });
        if (hit == sorted.end()) {
            out += s[at++];
            continue;
        }
        auto const epoch = std::chrono::floor<std::chrono::seconds>(hit->second).time_since_epoch().count();
        out += "<!date^" + std::to_string(epoch) + "^{date_short_pretty} {time}|" + hit->first + ">";
        at += hit->first.size();
    }
    return out;
}

std::vector<json> message_payloads(core::message_view const& view, render_context const& ctx) {
    renderer r(ctx);
    std::vector<json> messages;
    auto blocks = json::array();
    std::size_t used = 0;
    for (auto& block : r.blocks(view)) {
        auto const w = weight(block);
        if (!blocks.empty() && (blocks.size() == max_blocks || used + w > message_budget)) {
            messages.push_back(std::move(blocks));
            blocks = json::array();
            used = 0;
        }
        used += w;
        blocks.push_back(std::move(block));
    }
    if (!blocks.empty() || messages.empty()) messages.push_back(std::move(blocks));

    auto const text = r.md(fallback_source(view));
    std::vector<json> out;
    for (std::size_t k = 0; k < messages.size(); ++k) {
        // Parts of a split view say which part they are, in the notification too.
        auto const part = messages.size() == 1
                              ? std::string{}
                              : " (" + std::to_string(k + 1) + "/" + std::to_string(messages.size()) + ")";
        out.push_back(
            {{"text", truncate(text, max_fallback - units(part), true) + part}, {"blocks", std::move(messages[k])}});
    }
    return out;
}

json modal(core::modal_view const& form, std::string const& private_metadata) {
    auto blocks = json::array();
    for (auto const& f : form.fields) {
        auto const id = std::string(core::ui::id(f.id));
        json element = {{"action_id", id}};
        if (f.options.empty()) {
            element["type"] = "plain_text_input";
            element["multiline"] = f.multiline;
            if (!f.initial.empty()) element["initial_value"] = f.initial;
        } else {
            element["type"] = "static_select";
            element["options"] = json::array();
            for (auto const& o : f.options) {
                json option = {{"text", plain(truncate(o, max_option_text, false))}, {"value", o}};
                if (o == f.initial) element["initial_option"] = option;
                element["options"].push_back(std::move(option));
            }
        }
        blocks.push_back({{"type", "input"},
                          {"block_id", id},
                          {"label", plain(truncate(f.label, max_label, false))},
                          {"optional", f.optional},
                          {"element", std::move(element)}});
    }
    auto const submit = [&] {
        switch (form.id) {
            case core::ui::form::declare: return "Declare";
            case core::ui::form::update: return "Post update";
            case core::ui::form::resolve: return "Resolve";
            case core::ui::form::customer_notice: return "Save notice";
            case core::ui::form::decline_alert: return "Decline";
            case core::ui::form::merge_alert: return "Merge";
        }
        return "Submit";
    }();
    return {{"type", "modal"},
            {"callback_id", std::string(core::ui::id(form.id))},
            {"private_metadata", private_metadata},
            {"title", plain(truncate(form.title, max_modal_title, false))},
            {"submit", plain(submit)},
            {"close", plain("Cancel")},
            {"blocks", std::move(blocks)}};
}

namespace {

// The string at v[key]: "" when absent or null, nothing when of another type (an unknown shape).
std::optional<std::string> string_at(json const& v, char const* key) {
    auto const it = v.find(key);
    if (it == v.end() || it->is_null()) return "";
    if (it->is_string()) return it->get<std::string>();
    return std::nullopt;
}

std::optional<std::string> value_text(json const& v) {
    if (!v.is_object()) return std::nullopt;
    auto const type = string_at(v, "type").value_or("");
    if (type == "plain_text_input") return string_at(v, "value");
    if (type == "users_select") return string_at(v, "selected_user");
    if (type == "datepicker") return string_at(v, "selected_date");
    if (type == "static_select") {
        auto const it = v.find("selected_option");
        if (it == v.end() || it->is_null()) return "";
        return it->is_object() ? string_at(*it, "value") : std::nullopt;
    }
    if (type == "checkboxes") {
        auto const it = v.find("selected_options");
        if (it == v.end() || it->is_null()) return "";
        if (!it->is_array()) return std::nullopt;
        std::string out;
        for (std::size_t k = 0; k < it->size(); ++k) {
            auto const value = (*it)[k].is_object() ? string_at((*it)[k], "value") : std::nullopt;
            if (!value) return std::nullopt;
            out += (k == 0 ? "" : ",") + *value;
        }
        return out;
    }
    return std::nullopt;
}

}  // namespace

std::map<std::string, std::string> form_values(json const& state_values) {
    std::map<std::string, std::string> out;
    if (!state_values.is_object()) return out;
    for (auto const& block : state_values.items()) {
        if (!block.value().is_object()) continue;
        for (auto const& action : block.value().items()) {
            if (auto text = value_text(action.value())) out[block.key()] = std::move(*text);
        }
    }
    return out;
}

std::string unescape_mrkdwn(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t k = 0; k < text.size();) {
        if (text.substr(k, 5) == "&amp;") {
            out += '&';
            k += 5;
        } else if (text.substr(k, 4) == "&lt;") {
            out += '<';
            k += 4;
        } else if (text.substr(k, 4) == "&gt;") {
            out += '>';
            k += 4;
        } else {
            out += text[k++];
        }
    }
    return out;
}

}  // namespace warroom::slack
