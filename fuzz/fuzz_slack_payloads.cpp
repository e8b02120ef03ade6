// Whatever Slack (or something pretending to be it) sends: a Socket Mode frame is always classified
// without crashing, an envelope always keeps a non-empty id (so it can be acked), a submitted form's
// values and unescaping never crash, and a view rendered from the text stays within Slack's limits.
#include <cstdint>
#include <string_view>

#include "adapters/slack/blocks.hpp"
#include "adapters/slack/socket_mode.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace warroom;
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    auto const f = slack::parse_frame(text);
    if (auto const* e = std::get_if<slack::envelope>(&f)) {
        if (e->id.empty()) __builtin_trap();
        (void)slack::ack_frame(e->id, &e->payload);
    }
    auto const j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_discarded()) (void)slack::form_values(j);
    auto const plain = slack::unescape_mrkdwn(text);
    if (plain.size() > text.size()) __builtin_trap();
    core::message_view v;
    v.headline = std::string(text.substr(0, 200));
    v.fields = {{"Title", std::string(text)}};
    v.sections = {{"Update", {std::string(text)}, false}};
    for (auto const& payload : slack::message_payloads(v)) {
        if (payload.at("blocks").size() > 50) __builtin_trap();
    }
    return 0;
}
