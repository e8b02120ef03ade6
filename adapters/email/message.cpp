#include "adapters/email/message.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <ctime>

#include "core/model.hpp"

namespace warroom::email {
namespace {

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<unsigned char const*>(bytes.data()),
                    static_cast<int>(bytes.size()));
    return out;
}

// A body part's base64 in lines of 76 (RFC 2045), its text with CRLF line ends first (its canonical form).
std::string base64_lines(std::string_view text) {
    std::string canonical;
    for (char c : text) {
        if (c == '\n') canonical += '\r';
        if (c != '\r') canonical += c;
    }
    auto const encoded = base64(canonical);
    std::string out;
    for (std::size_t at = 0; at < encoded.size(); at += 76) out.append(encoded, at, 76).append("\r\n");
    return out;
}

// "Tue, 03 Jun 2025 10:00:00 +0000", in English whatever the locale.
std::string rfc5322_date(std::chrono::system_clock::time_point t) {
    static constexpr char const* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr char const* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto const seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char out[40];
    std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[utc.tm_wday], utc.tm_mday,
                  months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    return out;
}

bool plain_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

constexpr std::string_view boundary = "=_warroom_alternative";  // "=_" never occurs in base64

}  // namespace

std::string header_value(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c != '\r' && c != '\n') out += c;
    }
    return out;
}

std::string address_of(std::string_view mailbox) {
    auto const open = mailbox.rfind('<');
    auto const close = mailbox.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && open < close)
        mailbox = mailbox.substr(open + 1, close - open - 1);
    while (!mailbox.empty() && mailbox.front() == ' ') mailbox.remove_prefix(1);
    while (!mailbox.empty() && mailbox.back() == ' ') mailbox.remove_suffix(1);
    return header_value(mailbox);
}

std::string encode_subject(std::string_view subject) {
    auto const line = header_value(subject);
    // "=?" in plain text could be read as the start of an encoded word: such a subject is encoded too.
    if (plain_ascii(line) && line.find("=?") == std::string::npos && line.size() <= 900) return line;
    // 45 bytes make 60 base64 characters: each word stays within RFC 2047's 75.
    constexpr std::size_t chunk = 45;
    std::string out;
    std::size_t at = 0;
    while (at < line.size()) {
        auto end = std::min(at + chunk, line.size());
        // Never between the bytes of one UTF-8 character.
        while (end < line.size() && end > at + 1 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(std::string_view(line).substr(at, end - at)) + "?=";
        at = end;
    }
    return out;
}

std::string html_of(std::string_view text) {
    std::string body;
    bool in_paragraph = false;
    std::size_t at = 0;
    while (at <= text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        auto const line = text.substr(at, end - at);
        at = end + 1;
        if (line.empty()) {
            if (in_paragraph) body += "</p>\n";
            in_paragraph = false;
            continue;
        }
        body += in_paragraph ? "<br>\n" : "<p>";
        in_paragraph = true;
        std::string plain(line);
        std::erase(plain, '\r');
        body += core::escape_html(plain);
    }
    if (in_paragraph) body += "</p>\n";
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n" + body + "</body></html>\n";
}

std::string message_id(std::int64_t entry, std::string_view content, std::string_view from) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(content.data(), content.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string tag;
    for (unsigned int i = 0; i < 8 && i < length; ++i) {
        tag += hex[digest[i] >> 4];
        tag += hex[digest[i] & 0xF];
    }
    auto const address = address_of(from);
    auto const at = address.rfind('@');
    auto const domain = at == std::string::npos ? std::string("warroom.invalid") : address.substr(at + 1);
    return "warroom." + std::to_string(entry) + "." + tag + "@" + domain;
}

std::string render(message const& m) {
    std::string to;
    for (auto const& address : m.to) to += (to.empty() ? "" : ",\r\n ") + header_value(address);
    std::string out = "From: " + header_value(m.from) + "\r\n" + "To: " + to + "\r\n" +
                      "Subject: " + encode_subject(m.subject) + "\r\n" + "Date: " + rfc5322_date(m.date) + "\r\n" +
                      "Message-ID: <" + header_value(m.message_id) + ">\r\n" + "MIME-Version: 1.0\r\n" +
                      // RFC 3834: an automatic message, so auto-responders do not answer it.
                      "Auto-Submitted: auto-generated\r\n" +
                      "Content-Type: multipart/alternative; boundary=\"" + std::string(boundary) + "\"\r\n\r\n";
    auto const part = [&](std::string_view type, std::string_view content) {
        out += "--" + std::string(boundary) + "\r\nContent-Type: " + std::string(type) +
               "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64_lines(content);
    };
    part("text/plain", m.text);
    part("text/html", html_of(m.text));
    out += "--" + std::string(boundary) + "--\r\n";
    return out;
}

}  // namespace warroom::email
