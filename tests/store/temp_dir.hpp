// A fresh directory under the system temp dir, removed with everything in it (the database and
// its -wal and -shm files) when the object dies. Tests use real files, as the bot does.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace warroom::store::test {

class temp_dir {
public:
    temp_dir() {
        std::random_device random;
        for (;;) {
            auto const suffix = std::to_string(random()) + std::to_string(random());
            path_ = std::filesystem::temp_directory_path() / ("warroom-store-test-" + suffix);
            if (std::filesystem::create_directory(path_)) return;
        }
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;

    std::filesystem::path const& path() const noexcept { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

}  // namespace warroom::store::test
