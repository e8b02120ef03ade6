// Any text a user can type after /incident: parsing never crashes, and a parsed declaration is
// either refused with a reason or yields the incident, its lead and its people, in that order.
#include <cstdint>
#include <string_view>

#include "core/command_line.hpp"
#include "core/contact.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace warroom::core;
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    auto const now = timestamp{std::chrono::seconds{1767603600}};
    for (bool const in_room : {false, true}) {
        auto const parsed = parse_command_line(text, in_room, now);
        if (auto const* r = std::get_if<request>(&parsed)) {
            if (auto const* d = std::get_if<declare>(&r->what)) {
                static auto const rules = policy::defaults();
                auto const decided = decide_declare(1, *d, "fuzz", now, rules);
                if (auto const* events = std::get_if<std::vector<event>>(&decided);
                    events && (events->size() != 3 || !std::holds_alternative<declared>(events->front().what))) {
                    __builtin_trap();
                }
            }
        } else if (std::get<usage_error>(parsed).reason.empty()) {
            __builtin_trap();
        }
    }
    (void)parse_duration(text);
    (void)parse_time(text);
    (void)parse_mention(text);
    (void)parse_contact(text);
    return 0;
}
