// Runs the real `warroom` binary as a child process, as a user or a script would: a console
// session fed from a file with its transcript captured, or a live child with pipes on stdin and
// stdout that a test can write to, read from and kill.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace warroom::console::test {

struct run_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// `warroom <args>` with stdin from `input` (text), WARROOM_CONFIG and WARROOM_STORE_URL unset, in the
// working directory `cwd` (the test's own when empty).
run_result run_warroom(std::string const& args, std::string const& input, std::filesystem::path const& cwd = {});

// How many times `needle` occurs in `haystack` (overlaps included).
inline std::size_t count(std::string const& haystack, std::string const& needle) {
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

class child {
public:
    explicit child(std::string const& args);
    ~child();
    child(child const&) = delete;
    child& operator=(child const&) = delete;

    void write(std::string const& text);
    // Reads what the child printed so far (waits up to timeout_ms for something); empty at EOF.
    std::string read_some(int timeout_ms);
    void kill_hard();  // SIGKILL and reap
    void close_input();
    int wait();  // exit status after the child ends by itself

private:
    int pid_ = -1;
    int in_ = -1;
    int out_ = -1;
};

}  // namespace warroom::console::test
