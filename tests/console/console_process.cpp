// POSIX process plumbing for the console tests: fork, dup2, exec through /bin/sh so arguments
// read like the README's commands.
#include "tests/console/console_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/store/temp_dir.hpp"

namespace warroom::console::test {
namespace {

std::string command_line(std::string const& args) {
    return std::string("exec env -u WARROOM_CONFIG -u WARROOM_STORE_URL -u SLACK_APP_TOKEN -u SLACK_BOT_TOKEN ") +
           WARROOM_BINARY + " " + args;
}

std::string slurp(std::filesystem::path const& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

run_result run_warroom(std::string const& args, std::string const& input, std::filesystem::path const& cwd) {
    store::test::temp_dir dir;
    { std::ofstream(dir / "stdin", std::ios::binary) << input; }
    auto const cmd = (cwd.empty() ? std::string{} : "cd '" + cwd.string() + "' && ") + command_line(args) + " < " + (dir / "stdin").string() + " > " + (dir / "stdout").string() +
                     " 2> " + (dir / "stderr").string();
    auto const status = std::system(cmd.c_str());
    run_result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(dir / "stdout");
    r.err = slurp(dir / "stderr");
    return r;
}

child::child(std::string const& args) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(to_child[0], STDIN_FILENO);
        dup2(from_child[1], STDOUT_FILENO);
        close(to_child[0]);
        close(to_child[1]);
        close(from_child[0]);
        close(from_child[1]);
        auto const cmd = command_line(args);
        execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    in_ = to_child[1];
    out_ = from_child[0];
    // A child killed mid-stream must not take the test down with SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
}

child::~child() {
    if (pid_ > 0) kill_hard();
    if (in_ >= 0) close(in_);
    if (out_ >= 0) close(out_);
}

void child::write(std::string const& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        auto const n = ::write(in_, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("write to child failed");
        done += static_cast<std::size_t>(n);
    }
}

std::string child::read_some(int timeout_ms) {
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return {};
    char buf[65536];
    auto const n = ::read(out_, buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string{};
}

void child::kill_hard() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

void child::close_input() {
    close(in_);
    in_ = -1;
}

int child::wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace warroom::console::test
