// Field lists through nlohmann's non-intrusive macros: one line per type, both directions. The
// "_WITH_DEFAULT" variant lets a newer binary drop a field without breaking older entries.
#include "adapters/store/effect_codec.hpp"

#include <nlohmann/json.hpp>

#include "app/store_port.hpp"

// An instant as milliseconds since the epoch, as the event codec stores it.
template <>
struct nlohmann::adl_serializer<warroom::core::timestamp> {
    static void to_json(json& j, warroom::core::timestamp t) { j = t.time_since_epoch().count(); }
    static void from_json(json const& j, warroom::core::timestamp& t) {
        t = warroom::core::timestamp{warroom::core::milliseconds{j.get<std::int64_t>()}};
    }
};

// A chart's missing value as null.
template <>
struct nlohmann::adl_serializer<std::optional<double>> {
    static void to_json(json& j, std::optional<double> const& v) {
        if (v) {
            j = *v;
        } else {
            j = nullptr;
        }
    }
    static void from_json(json const& j, std::optional<double>& v) {
        if (j.is_null()) {
            v.reset();
        } else {
            v = j.get<double>();
        }
    }
};

namespace warroom::core {
namespace ui {

// By their wire ids, so a stored entry reads back whatever the enums' order becomes.
template <class E>
void to_json(nlohmann::json& j, E const& e)
    requires std::is_enum_v<E>
{
    j = std::string(id(e));
}
template <class E>
E known(std::optional<E> parsed, nlohmann::json const& j) {
    if (!parsed) throw app::store_error("cannot decode outbox entry: unknown id " + j.dump());
    return *parsed;
}
void from_json(nlohmann::json const& j, action& a) { a = known(parse_action(j.get<std::string>()), j); }
void from_json(nlohmann::json const& j, form& f) { f = known(parse_form(j.get<std::string>()), j); }
void from_json(nlohmann::json const& j, field& f) { f = known(parse_field(j.get<std::string>()), j); }

}  // namespace ui

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(field, label, value)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(section, heading, lines, numbered)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(button, action, label, value)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(checkbox, label, value, checked, note)
NLOHMANN_JSON_SERIALIZE_ENUM(chart_kind, {{chart_kind::bars, "bars"}, {chart_kind::lines, "lines"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(chart_series, name, values, style, dashed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(chart, kind, title, description, x_label, y_label, categories, series)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(message_view, kind, incident, headline, fields, sections, footer, body,
                                                checklist, buttons, mentions, times, charts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(form_field, id, label, options, initial, optional, multiline)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(modal_view, id, incident, title, fields)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(open_war_room, incident, name, is_private, invite, topic)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(post, channel, view, pin, key, room, thread, edit_only)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(reply, channel, user, view)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(set_topic, channel, topic, room)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(invite, incident, channel, who)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(archive_room, incident, channel)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(open_form, user, form)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(direct_message, user, view)
void to_json(nlohmann::json& j, page_action a) { j = std::string(to_string(a)); }
void from_json(nlohmann::json const& j, page_action& a) {
    auto const name = j.get<std::string>();
    for (auto const candidate : {page_action::trigger, page_action::acknowledge, page_action::resolve}) {
        if (to_string(candidate) == name) {
            a = candidate;
            return;
        }
    }
    throw app::store_error("cannot decode outbox entry: unknown page action " + j.dump());
}
NLOHMANN_JSON_SERIALIZE_ENUM(severity,
                             {{severity::p0, "P0"}, {severity::p1, "P1"}, {severity::p2, "P2"}, {severity::p3, "P3"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(page, incident, action, dedup_key, summary, sev, responder, position,
                                                room, by)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ticket_alert, name, summary, url, starts_at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(open_ticket, group, title, level, source, labels, alerts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(email, incident, to, subject, text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(statuspage_maintenance, window, cancelled, text, from, to, components)
// Statuses by their command words, read back with the parsers commands use.
void to_json(nlohmann::json& j, statuspage_update const& u) {
    j = {{"incident", u.incident}, {"sequence", u.sequence}, {"name", u.name},    {"st", to_string(u.st)},
         {"text", u.text},         {"components", u.components}, {"impact", u.impact}};
    if (u.component_st) j["component_st"] = to_string(*u.component_st);
}
void from_json(nlohmann::json const& j, statuspage_update& u) {
    auto const st = parse_status(j.at("st").get<std::string>());
    if (!st) throw app::store_error("cannot decode outbox entry: unknown status " + j.at("st").dump());
    u = statuspage_update{j.at("incident").get<int>(), j.at("sequence").get<int>(), j.at("name").get<std::string>(),
                          *st, j.at("text").get<std::string>(), j.at("components").get<std::vector<std::string>>(),
                          std::nullopt, j.at("impact").get<std::string>()};
    if (auto const c = j.find("component_st"); c != j.end()) {
        u.component_st = parse_component_status(c->get<std::string>());
        if (!u.component_st) throw app::store_error("cannot decode outbox entry: unknown component status " + c->dump());
    }
}

}  // namespace warroom::core

namespace warroom::store {
namespace {

using nlohmann::json;

constexpr std::string_view kind_of(core::effect const& e) {
    constexpr std::string_view names[] = {"open_war_room",  "post", "reply",  "set_topic",    "open_form",
                                          "direct_message", "page", "invite", "archive_room", "open_ticket",
                                          "email",          "statuspage_update", "statuspage_maintenance"};
    static_assert(std::size(names) == std::variant_size_v<core::effect>);
    return names[e.index()];
}

template <std::size_t I = 0>
core::effect decode_kind(std::string_view kind, json const& body) {
    if constexpr (I == std::variant_size_v<core::effect>) {
        throw app::store_error("outbox entry: unknown effect kind \"" + std::string(kind) + "\"");
    } else {
        using T = std::variant_alternative_t<I, core::effect>;
        if (kind_of(core::effect{std::in_place_index<I>}) == kind) return body.get<T>();
        return decode_kind<I + 1>(kind, body);
    }
}

}  // namespace

std::string encode_effect(core::effect const& e) {
    json body = std::visit([](auto const& what) { return json(what); }, e);
    body["kind"] = kind_of(e);
    try {
        return body.dump();
    } catch (json::exception const& err) {
        throw app::store_error(std::string("outbox entry: cannot encode: ") + err.what());
    }
}

core::effect decode_effect(std::string_view text) {
    try {
        auto const body = json::parse(text);
        if (!body.is_object()) throw app::store_error("outbox entry: not a JSON object");
        return decode_kind(body.at("kind").get<std::string>(), body);
    } catch (json::exception const& err) {
        throw app::store_error(std::string("outbox entry: ") + err.what());
    }
}

}  // namespace warroom::store
