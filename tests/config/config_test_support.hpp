// Helpers for the config tests: a fake environment backed by a map (never the real one) and a
// scratch directory for config, token and CA files, removed when the test ends.
#pragma once

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "config/config.hpp"

namespace warroom::config::testing {

inline env_lookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto const it = vars.find(std::string{name});
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

inline env_lookup const no_env = env_of({});

class scratch_dir {
public:
    scratch_dir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("warroom-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~scratch_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    scratch_dir(scratch_dir const&) = delete;
    scratch_dir& operator=(scratch_dir const&) = delete;

    std::filesystem::path const& path() const { return path_; }
    std::string file(std::string const& name) const { return (path_ / name).string(); }
    std::string write(std::string const& name, std::string const& content) const {
        std::ofstream{path_ / name, std::ios::binary} << content;
        return file(name);
    }

private:
    std::filesystem::path path_;
};

// The message of the config_error thrown by f, or a marker that no error was thrown.
template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (config_error const& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace warroom::config::testing
