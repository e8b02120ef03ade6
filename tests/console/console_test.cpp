// The console adapter driven in-process through its line reader, as a terminal drives it: what the
// transcript of a piped session cannot show, such as a session that goes on after Ctrl-D in a form.
#include <doctest/doctest.h>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <deque>
#include <sstream>

#include "adapters/console/console.hpp"
#include "adapters/store/open_store.hpp"
#include "tests/store/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;

// Lines as typed; nullopt where the person pressed Ctrl-D.
using typed = std::deque<std::optional<std::string>>;

std::string session(typed lines) {
    warroom::store::test::temp_dir dir;
    auto store = warroom::store::open_store("sqlite://" + (dir / "w.db").string());
    warroom::app::service svc{*store, warroom::core::policy::defaults(), "/incident", false,
                              warroom::app::user_limits{{}, {}, {}}};
    std::ostringstream out;
    warroom::console::console c{svc, out, warroom::core::timestamp{1767603600000ms}, {"alice", "incidents"}};
    c.run([&](std::string const&) -> std::optional<std::string> {
        if (lines.empty()) return std::nullopt;
        auto next = lines.front();
        lines.pop_front();
        return next;
    });
    return out.str();
}

// `warroom console` on a pseudo-terminal, as a person at a keyboard runs it: line editing is on.
class terminal {
public:
    explicit terminal(std::filesystem::path const& home) {
        pid_ = forkpty(&fd_, nullptr, nullptr, nullptr);
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            setenv("HOME", home.c_str(), 1);
            unsetenv("WARROOM_CONFIG");
            unsetenv("WARROOM_STORE_URL");
            auto const store = "sqlite://" + (home / "w.db").string();
            execl(WARROOM_BINARY, WARROOM_BINARY, "--store", store.c_str(), "console", "--as", "alice", "--clock",
                  "2026-01-05T09:00Z", static_cast<char*>(nullptr));
            _exit(127);
        }
    }
    ~terminal() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        close(fd_);
    }
    terminal(terminal const&) = delete;
    terminal& operator=(terminal const&) = delete;

    void type(std::string const& keys) { REQUIRE(write(fd_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size())); }
    // Everything shown so far, once it holds `wanted` after `from` (or after 10 s without it).
    std::string const& wait_for(std::string const& wanted, std::size_t from = 0) {
        auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (shown_.find(wanted, from) == std::string::npos && std::chrono::steady_clock::now() < until) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            auto const n = read(fd_, buf, sizeof buf);
            if (n <= 0) break;
            shown_.append(buf, static_cast<std::size_t>(n));
        }
        return shown_;
    }
    // Whether `text` was shown, the prompt came back after it and the line editor is reading keys.
    // libedit prints the prompt before it leaves canonical mode, and a Ctrl-D the terminal takes in
    // canonical mode reaches the editor as a NUL; on Linux the master side sees the terminal's modes.
    bool shows_then_prompts(std::string const& text) {
        auto const at = wait_for(text).find(text);
        if (at == std::string::npos || wait_for(prompt, at).find(prompt, at) == std::string::npos) return false;
        auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        termios modes{};
        while (tcgetattr(fd_, &modes) == 0 && (modes.c_lflag & ICANON) != 0) {
            if (std::chrono::steady_clock::now() > until) return false;
            poll(nullptr, 0, 1);
        }
        return true;
    }
    // Reads what is left to show (the console blocks on a full terminal otherwise) until it exits;
    // -1 if it has not exited within 10 s.
    int exit_code() {
        auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        int status = 0;
        while (waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > until) return -1;
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            if (auto const n = read(fd_, buf, sizeof buf); n > 0) shown_.append(buf, static_cast<std::size_t>(n));
        }
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    std::string const& shown() const { return shown_; }

    static constexpr char const* prompt = "alice@#incidents> ";

private:
    int fd_ = -1;
    pid_t pid_ = -1;
    std::string shown_;
};

}  // namespace

TEST_CASE("at a terminal the console edits lines and keeps their history across sessions") {
    warroom::store::test::temp_dir home;
    {
        terminal t(home.path());
        REQUIRE(t.shows_then_prompts("incident commands."));
        t.type("/incident declare P2 Reports slow\r");
        CHECK(t.shows_then_prompts("Reports slow (INC-1)"));
        // Up arrow, then edit the recalled line: four backspaces and a new ending.
        t.type("\x1b[A\b\b\b\bfast\r");
        CHECK(t.shows_then_prompts("Reports fast (INC-2)"));
        t.type("\x04");  // Ctrl-D at the prompt ends the session
        CHECK_MESSAGE(t.exit_code() == 0, t.shown());
    }
    // The history outlives the session: the next one recalls the edited line.
    terminal again(home.path());
    REQUIRE(again.shows_then_prompts("incident commands."));
    again.type("\x1b[A\r");
    CHECK(again.shows_then_prompts("Reports fast (INC-3)"));
    again.type("\x04");
    CHECK_MESSAGE(again.exit_code() == 0, again.shown());
}

TEST_CASE("Ctrl-D inside a form abandons the form and the session goes on, Ctrl-D at the prompt ends it") {
    auto const out = session({"/incident declare", "API down", std::nullopt, "/incident list all", std::nullopt,
                              "/incident declare P1 never read"});
    CHECK(out.find("└ form cancelled; nothing was submitted") != std::string::npos);
    CHECK(out.find("🗂️ All incidents") > out.find("form cancelled"));
    CHECK(out.find("INCIDENT") == std::string::npos);
    CHECK(out.find("never read") == std::string::npos);
}
