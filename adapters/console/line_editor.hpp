// Line editing and history for the console at a terminal (libedit, BSD editline): arrow keys,
// Ctrl-R search, and the history kept in a file across sessions.
#pragma once

#include <optional>
#include <string>

namespace warroom::console {

class line_editor {
public:
    // `history_file`: where history is read from and saved to; empty keeps it for the session only.
    explicit line_editor(std::string history_file);
    ~line_editor();
    line_editor(line_editor const&) = delete;
    line_editor& operator=(line_editor const&) = delete;

    // Shows `prompt` and reads one line; nullopt at end of input (Ctrl-D on an empty line).
    std::optional<std::string> read(std::string const& prompt);

private:
    std::string history_file_;
};

}  // namespace warroom::console
