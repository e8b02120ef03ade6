#include "adapters/store/table_store.hpp"

#include <array>

namespace warroom::store {

std::span<table const> tables() {
    using enum column_type;
    static std::array<table, 4> const all{{
        {"events",
         {{"seq", integer},
          {"incident", integer},
          {"version", integer},
          {"type", text},
          {"at", integer},
          {"actor", text},
          {"body", text}},
         true},
        {"reminders_fired", {{"key", text}, {"fired_at", integer}}, false},
        {"outbox",
         {{"id", integer},
          {"lane", integer},
          {"body", text},
          {"created_at", integer},
          {"attempts", integer},
          {"owner", text},
          {"lease_until", integer},
          {"done_at", integer},
          {"result", text}},
         true},
        {"delivery_facts", {{"key", text}, {"value", text}}, false},
    }};
    return all;
}

std::string column_names(table const& t) {
    std::string out;
    for (auto const& c : t.columns) out.append(out.empty() ? "" : ", ").append(c.name);
    return out;
}

}  // namespace warroom::store
