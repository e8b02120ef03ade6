// Any config file text: parse() returns settings or throws config_error with a one-line message.
#include <cstdint>
#include <string>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace warroom;
    std::string const text(reinterpret_cast<char const*>(data), size);
    auto const no_env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    try {
        (void)config::parse(text, "fuzz.toml", no_env);
    } catch (config::config_error const& e) {
        if (std::string_view(e.what()).find('\n') != std::string_view::npos) __builtin_trap();
    }
    return 0;
}
