// Each payload type lists its fields once (fields_of); encode and decode walk that list, so the
// two directions cannot drift apart. A payload type without a list is a compile error here.
#include "adapters/store/event_codec.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

namespace warroom::store {
namespace {

using nlohmann::json;
namespace c = core;

template <class T, class M>
struct field {
    std::string_view name;
    M T::*member;
    bool added_later = false;  // absent from older rows: reads as the member's default
};
// Spelled out because clang 14 (the fuzz build) has no deduction for aggregates.
template <class T, class M>
field(std::string_view, M T::*) -> field<T, M>;
template <class T, class M>
field(std::string_view, M T::*, bool) -> field<T, M>;
constexpr bool added_later = true;

template <class T>
using tag = std::type_identity<T>;

constexpr auto fields_of(tag<c::declared>) {
    using e = c::declared;
    return std::tuple{field{"title", &e::title},
                      field{"description", &e::description},
                      field{"sev", &e::sev},
                      field{"type", &e::type},
                      field{"started_at", &e::started_at},
                      field{"channel", &e::channel},
                      field{"personal_data", &e::personal_data},
                      field{"detected_at", &e::detected_at},
                      field{"detected_by", &e::detected_by},
                      field{"components", &e::components}};
}
constexpr auto fields_of(tag<c::update_posted>) {
    using e = c::update_posted;
    return std::tuple{field{"status", &e::st}, field{"text", &e::text}, field{"impact", &e::impact},
                      field{"components", &e::components}};
}
constexpr auto fields_of(tag<c::severity_changed>) {
    using e = c::severity_changed;
    return std::tuple{field{"from", &e::from}, field{"to", &e::to}};
}
constexpr auto fields_of(tag<c::phase_changed>) {
    using e = c::phase_changed;
    return std::tuple{field{"from", &e::from}, field{"to", &e::to}};
}
constexpr auto fields_of(tag<c::role_assigned>) {
    using e = c::role_assigned;
    return std::tuple{field{"role", &e::r}, field{"user", &e::user}, field{"previous", &e::previous}};
}
constexpr auto fields_of(tag<c::note_added>) {
    return std::tuple{field{"text", &c::note_added::text}, field{"happened", &c::note_added::happened}};
}
constexpr auto fields_of(tag<c::acknowledged>) { return std::tuple{}; }
constexpr auto fields_of(tag<c::mitigated>) { return std::tuple{}; }
constexpr auto fields_of(tag<c::action_added>) {
    using e = c::action_added;
    return std::tuple{field{"number", &e::number}, field{"text", &e::text}, field{"owner", &e::owner},
                      field{"due", &e::due}};
}
constexpr auto fields_of(tag<c::action_completed>) { return std::tuple{field{"number", &c::action_completed::number}}; }
constexpr auto fields_of(tag<c::escalated>) {
    using e = c::escalated;
    return std::tuple{field{"target", &e::target}, field{"label", &e::label}, field{"manual", &e::manual},
                      field{"reason", &e::reason}, field{"notified", &e::notified},
                      field{"customer_notice", &e::customer_notice, added_later}};
}
constexpr auto fields_of(tag<c::nudged>) { return std::tuple{}; }
constexpr auto fields_of(tag<c::snoozed>) { return std::tuple{field{"until", &c::snoozed::until}}; }
constexpr auto fields_of(tag<c::resolved>) {
    using e = c::resolved;
    return std::tuple{field{"resolution", &e::resolution}, field{"root_cause", &e::root_cause},
                      field{"summary", &e::summary, added_later}, field{"services", &e::services, added_later}};
}
constexpr auto fields_of(tag<c::reopened>) { return std::tuple{field{"reason", &c::reopened::reason}}; }
constexpr auto fields_of(tag<c::report_generated>) { return std::tuple{}; }
constexpr auto fields_of(tag<c::closed>) { return std::tuple{field{"reason", &c::closed::reason}}; }
constexpr auto fields_of(tag<c::checklist_marked>) {
    using e = c::checklist_marked;
    return std::tuple{field{"phase", &e::ph}, field{"item", &e::item}, field{"checked", &e::checked}};
}
constexpr auto fields_of(tag<c::reminder_sent>) { return std::tuple{field{"key", &c::reminder_sent::key}}; }
constexpr auto fields_of(tag<c::message_marked>) {
    using e = c::message_marked;
    return std::tuple{field{"ref", &e::ref}, field{"author", &e::author}, field{"posted_at", &e::posted_at},
                      field{"text", &e::text}};
}
constexpr auto fields_of(tag<c::message_unmarked>) { return std::tuple{field{"ref", &c::message_unmarked::ref}}; }
constexpr auto fields_of(tag<c::paged>) {
    return std::tuple{field{"user", &c::paged::user}, field{"position", &c::paged::position}};
}
constexpr auto fields_of(tag<c::invited>) {
    return std::tuple{field{"users", &c::invited::users}, field{"groups", &c::invited::groups}};
}
constexpr auto fields_of(tag<c::member_joined>) { return std::tuple{field{"user", &c::member_joined::user}}; }
constexpr auto fields_of(tag<c::member_left>) { return std::tuple{field{"user", &c::member_left::user}}; }
constexpr auto fields_of(tag<c::type_changed>) {
    return std::tuple{field{"from", &c::type_changed::from}, field{"to", &c::type_changed::to}};
}
constexpr auto fields_of(tag<c::room_moved>) {
    return std::tuple{field{"from", &c::room_moved::from}, field{"to", &c::room_moved::to}};
}
constexpr auto fields_of(tag<c::action_edited>) {
    using e = c::action_edited;
    return std::tuple{field{"number", &e::number}, field{"text", &e::text},         field{"owner", &e::owner},
                      field{"due", &e::due},       field{"unassigned", &e::unassigned}, field{"undated", &e::undated}};
}
constexpr auto fields_of(tag<c::action_removed>) { return std::tuple{field{"number", &c::action_removed::number}}; }
constexpr auto fields_of(tag<c::impact_recorded>) {
    using e = c::impact_recorded;
    return std::tuple{field{"users", &e::users}, field{"services", &e::services}, field{"financial", &e::financial}};
}
constexpr auto fields_of(tag<c::declined>) { return std::tuple{field{"reason", &c::declined::reason}}; }
constexpr auto fields_of(tag<c::customer_notice_edited>) {
    return std::tuple{field{"text", &c::customer_notice_edited::text}};
}
constexpr auto fields_of(tag<c::customer_notice_approved>) { return std::tuple{}; }
constexpr auto fields_of(tag<c::regulator_notified>) { return std::tuple{}; }
constexpr auto fields_of(tag<c::alert_group_opened>) {
    using e = c::alert_group_opened;
    return std::tuple{field{"source", &e::source}, field{"key", &e::key}, field{"title", &e::title},
                      field{"emailed", &e::emailed}};
}
constexpr auto fields_of(tag<c::alert_fired>) {
    using e = c::alert_fired;
    return std::tuple{field{"fingerprint", &e::fingerprint}, field{"name", &e::name},
                      field{"summary", &e::summary},         field{"level", &e::level},
                      field{"starts_at", &e::starts_at},     field{"url", &e::url}};
}
constexpr auto fields_of(tag<c::alert_resolved>) {
    return std::tuple{field{"fingerprint", &c::alert_resolved::fingerprint},
                      field{"ends_at", &c::alert_resolved::ends_at}};
}
constexpr auto fields_of(tag<c::alert_group_declared>) {
    return std::tuple{field{"incident", &c::alert_group_declared::incident}};
}
constexpr auto fields_of(tag<c::alert_group_merged>) {
    return std::tuple{field{"incident", &c::alert_group_merged::incident}};
}
constexpr auto fields_of(tag<c::alert_group_declined>) {
    return std::tuple{field{"reason", &c::alert_group_declined::reason},
                      field{"automatic", &c::alert_group_declined::automatic}};
}
constexpr auto fields_of(tag<c::alert_group_snoozed>) {
    return std::tuple{field{"until", &c::alert_group_snoozed::until}};
}
constexpr auto fields_of(tag<c::alert_group_emailed>) {
    return std::tuple{field{"to", &c::alert_group_emailed::to}};
}
constexpr auto fields_of(tag<c::alert_noted>) {
    using e = c::alert_noted;
    return std::tuple{field{"source", &e::source}, field{"name", &e::name}, field{"summary", &e::summary},
                      field{"resolved", &e::resolved}};
}
constexpr auto fields_of(tag<c::published>) {
    using e = c::published;
    return std::tuple{field{"text", &e::text}, field{"status", &e::st}, field{"components", &e::components},
                      field{"component_status", &e::component_st}};
}
constexpr auto fields_of(tag<c::maintenance_scheduled>) {
    using e = c::maintenance_scheduled;
    return std::tuple{field{"components", &e::components}, field{"from", &e::from}, field{"to", &e::to},
                      field{"text", &e::text}};
}
constexpr auto fields_of(tag<c::maintenance_cancelled>) { return std::tuple{}; }

template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;
// Lists are left out when empty and read back empty when absent, so a list added to an event later
// reads from older rows.
template <class T>
inline constexpr bool is_list = false;
template <class T>
inline constexpr bool is_list<std::vector<T>> = true;

std::optional<c::severity> parse_enum(std::string_view s, tag<c::severity>) { return c::parse_severity(s); }
std::optional<c::incident_type> parse_enum(std::string_view s, tag<c::incident_type>) {
    return c::parse_incident_type(s);
}
std::optional<c::phase> parse_enum(std::string_view s, tag<c::phase>) { return c::parse_phase(s); }
std::optional<c::status> parse_enum(std::string_view s, tag<c::status>) { return c::parse_status(s); }
std::optional<c::role> parse_enum(std::string_view s, tag<c::role>) { return c::parse_role(s); }
std::optional<c::alert_level> parse_enum(std::string_view s, tag<c::alert_level>) { return c::parse_alert_level(s); }
std::optional<c::component_status> parse_enum(std::string_view s, tag<c::component_status>) {
    return c::parse_component_status(s);
}

template <class V>
void write(json& obj, std::string_view name, V const& v) {
    if constexpr (is_optional<V>) {
        if (v) write(obj, name, *v);
    } else if constexpr (is_list<V>) {
        if (!v.empty()) obj[std::string(name)] = v;
    } else if constexpr (std::is_same_v<V, c::timestamp>) {
        obj[std::string(name)] = std::int64_t{v.time_since_epoch().count()};
    } else if constexpr (std::is_enum_v<V>) {
        obj[std::string(name)] = c::to_string(v);
    } else {
        obj[std::string(name)] = v;
    }
}

// Names the event and field in every message, so a bad row in a large log can be found.
class reader {
public:
    reader(std::string_view type, json const& obj) : type_(type), obj_(obj) {}

    template <class V>
    void read(std::string_view name, V& out, bool added_later) const {
        auto const it = obj_.find(name);
        if (added_later && it == obj_.end()) {
            out = V{};
            return;
        }
        if constexpr (is_optional<V>) {
            if (it == obj_.end()) {
                out.reset();
                return;
            }
            out.emplace();
            convert(name, *it, *out);
        } else if constexpr (is_list<V>) {
            out.clear();
            if (it == obj_.end()) return;
            if (!it->is_array()) fail(name, "must be a list");
            for (auto const& item : *it) convert(name, item, out.emplace_back());
        } else {
            if (it == obj_.end()) fail(name, "is missing");
            convert(name, *it, out);
        }
    }

private:
    [[noreturn]] void fail(std::string_view name, std::string_view what) const {
        throw app::store_error("cannot decode \"" + std::string(type_) + "\" event: field \"" + std::string(name) +
                             "\" " + std::string(what));
    }

    std::int64_t integer(std::string_view name, json const& j) const {
        if (j.is_number_unsigned()) {
            auto const u = j.get<std::uint64_t>();
            if (u > std::uint64_t{std::numeric_limits<std::int64_t>::max()}) fail(name, "is out of range");
            return static_cast<std::int64_t>(u);
        }
        if (!j.is_number_integer()) fail(name, "must be an integer");
        return j.get<std::int64_t>();
    }

    template <class V>
    void convert(std::string_view name, json const& j, V& out) const {
        if constexpr (std::is_same_v<V, std::string>) {
            if (!j.is_string()) fail(name, "must be a string");
            out = j.get<std::string>();
        } else if constexpr (std::is_same_v<V, bool>) {
            if (!j.is_boolean()) fail(name, "must be true or false");
            out = j.get<bool>();
        } else if constexpr (std::is_same_v<V, int>) {
            auto const v = integer(name, j);
            if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
                fail(name, "is out of range");
            }
            out = static_cast<int>(v);
        } else if constexpr (std::is_same_v<V, c::timestamp>) {
            out = c::timestamp{c::milliseconds{integer(name, j)}};
        } else {
            static_assert(std::is_enum_v<V>, "add a conversion for this field type");
            if (!j.is_string()) fail(name, "must be a string");
            auto const& text = j.get_ref<std::string const&>();
            auto const parsed = parse_enum(text, tag<V>{});
            if (!parsed) fail(name, "has unknown value \"" + text + "\"");
            out = *parsed;
        }
    }

    std::string_view type_;
    json const& obj_;
};

template <class T>
c::payload decode_as(reader const& r) {
    T v{};
    std::apply([&](auto const&... f) { (r.read(f.name, v.*f.member, f.added_later), ...); }, fields_of(tag<T>{}));
    return v;
}

struct decoder {
    std::string_view name;
    c::payload (*decode)(reader const&);
};

template <std::size_t... I>
auto make_decoders(std::index_sequence<I...>) {
    return std::array{decoder{c::event_name(c::payload{std::in_place_index<I>}),
                              &decode_as<std::variant_alternative_t<I, c::payload>>}...};
}

std::span<decoder const> decoders() {
    static auto const table = make_decoders(std::make_index_sequence<std::variant_size_v<c::payload>>{});
    return table;
}

}  // namespace

std::string encode(c::payload const& p) {
    auto obj = json::object();
    std::visit(
        [&](auto const& alt) {
            using T = std::decay_t<decltype(alt)>;
            std::apply([&](auto const&... f) { (write(obj, f.name, alt.*f.member), ...); }, fields_of(tag<T>{}));
        },
        p);
    try {
        return obj.dump();
    } catch (json::type_error const&) {
        throw app::store_error("cannot encode \"" + std::string(c::event_name(p)) +
                             "\" event: a text field is not valid UTF-8");
    }
}

c::payload decode(std::string_view type, std::string_view body) {
    decoder const* found = nullptr;
    for (auto const& d : decoders()) {
        if (d.name == type) found = &d;
    }
    if (!found) throw app::store_error("cannot decode event: unknown event type \"" + std::string(type) + "\"");

    json obj;
    try {
        obj = json::parse(body);
    } catch (json::exception const& e) {
        // parse_error, and out_of_range for numbers too large to hold (found by fuzz_event_codec).
        throw app::store_error("cannot decode \"" + std::string(type) + "\" event: malformed JSON body (" + e.what() +
                             ")");
    }
    if (!obj.is_object()) {
        throw app::store_error("cannot decode \"" + std::string(type) + "\" event: body is not a JSON object");
    }
    return found->decode(reader{type, obj});
}

}  // namespace warroom::store
