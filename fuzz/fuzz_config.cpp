// Any config file text: parse() returns settings or throws config_error with one line per problem,
// each naming the file.
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
        std::string_view rest = e.what();
        if (rest.empty()) __builtin_trap();
        while (!rest.empty()) {
            auto const end = rest.find('\n');
            auto const line = rest.substr(0, end);
            if (!line.starts_with("fuzz.toml")) __builtin_trap();
            rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
            if (end != std::string_view::npos && rest.empty()) __builtin_trap();  // no trailing empty line
        }
    }
    return 0;
}
