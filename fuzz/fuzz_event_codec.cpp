// Stored event bodies read back from disk: decoding garbage throws store_error and nothing else;
// whatever decodes re-encodes to something that decodes to the same payload.
#include <cstdint>
#include <string_view>

#include "adapters/store/event_codec.hpp"
#include "app/store_port.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace warroom;
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    // First line: the type column; the rest: the JSON body.
    auto const newline = input.find('\n');
    auto const type = input.substr(0, newline);
    auto const body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
    try {
        auto const payload = store::decode(type, body);
        if (store::decode(core::event_name(payload), store::encode(payload)) != payload) __builtin_trap();
    } catch (app::store_error const&) {
    }
    return 0;
}
