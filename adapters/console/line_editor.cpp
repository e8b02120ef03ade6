#include "adapters/console/line_editor.hpp"

#include <editline/readline.h>

#include <cstdlib>

namespace warroom::console {

line_editor::line_editor(std::string history_file) : history_file_(std::move(history_file)) {
    using_history();
    stifle_history(1000);
    if (!history_file_.empty()) read_history(history_file_.c_str());
}

line_editor::~line_editor() {
    if (!history_file_.empty()) write_history(history_file_.c_str());
}

std::optional<std::string> line_editor::read(std::string const& prompt) {
    char* raw = readline(prompt.c_str());
    if (!raw) return std::nullopt;
    std::string line(raw);
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
    return line;
}

}  // namespace warroom::console
