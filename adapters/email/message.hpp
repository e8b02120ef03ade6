// An e-mail as the RFC 5322 text an SMTP server is given, without I/O. No header value can carry a
// line break (CR and LF are dropped), so nothing said in an incident can add a header; a subject that
// is not plain ASCII goes in RFC 2047 encoded words. The body is multipart/alternative: the text as
// written, and a simple HTML part made from it with every character that HTML reads escaped.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::email {

struct message {
    std::string from;  // "warroom <warroom@example.com>" or a bare address
    std::vector<std::string> to;
    std::string subject;
    std::string text;        // UTF-8, lines separated by "\n"
    std::string message_id;  // without its angle brackets: "warroom.42.1f3a…@example.com"
    std::chrono::system_clock::time_point date;
};

// The whole message, lines ending in CRLF.
std::string render(message const& m);

// The same Message-ID on every try of outbox entry `entry`, which says `content`: a receiver that gets
// the message again (an answer lost after the server took it) can tell it is the same one. The
// content is part of it so that a new store, numbering its entries from 1 again, makes new ids.
std::string message_id(std::int64_t entry, std::string_view content, std::string_view from);

// The address alone: "warroom@example.com" of "warroom <warroom@example.com>".
std::string address_of(std::string_view mailbox);

// A header value on one line: CR and LF dropped.
std::string header_value(std::string_view value);
// The Subject header's value: as it is when printable ASCII, else RFC 2047 encoded words (UTF-8,
// base64), never splitting a character, folded onto continuation lines.
std::string encode_subject(std::string_view subject);
// The text as an HTML document: paragraphs at blank lines, line breaks kept, & < > " ' escaped.
std::string html_of(std::string_view text);

}  // namespace warroom::email
