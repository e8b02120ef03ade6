// The e-mail as the SMTP server gets it: headers that nothing in an incident can add to, subjects in
// RFC 2047 when they are not plain ASCII, a text and an escaped HTML part, a Message-ID that every
// try of one outbox entry shares; and how an SMTP attempt's outcome is judged.
#include <doctest/doctest.h>

#include <curl/curl.h>

#include <chrono>
#include <string>
#include <vector>

#include "adapters/email/message.hpp"
#include "adapters/email/smtp.hpp"

namespace {
using namespace warroom::email;

std::string unbase64(std::string_view text) {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (char c : text) {
        auto const at = alphabet.find(c);
        if (at == std::string_view::npos) continue;  // line breaks, padding
        bits = (bits << 6) | static_cast<unsigned>(at);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        auto const end = text.find("\r\n", at);
        REQUIRE(end != std::string::npos);  // every line ends in CRLF
        out.push_back(text.substr(at, end - at));
        at = end + 2;
    }
    return out;
}

// The decoded words of an encoded Subject, joined.
std::string decoded_subject(std::string const& encoded) {
    std::string out;
    std::size_t at = 0;
    while ((at = encoded.find("=?UTF-8?B?", at)) != std::string::npos) {
        auto const end = encoded.find("?=", at + 10);
        REQUIRE(end != std::string::npos);
        CHECK(end + 2 - at <= 75);  // RFC 2047's longest encoded word
        auto const word = unbase64(encoded.substr(at + 10, end - at - 10));
        REQUIRE(!word.empty());
        CHECK((static_cast<unsigned char>(word.front()) & 0xC0) != 0x80);  // never starts inside a character
        out += word;
        at = end + 2;
    }
    return out;
}

message sample() {
    return message{"warroom <warroom@example.com>",
                   {"security@example.com", "legal@example.com"},
                   "[INC-7 P1] Checkout is down: Security team notified",
                   "INC-7 (P1, Service Outage): Checkout is down\nSecurity team notified\n\nJoin #inc-7 in Slack.\n",
                   "warroom.42.0123456789abcdef@example.com",
                   std::chrono::sys_days{std::chrono::year{2026} / 3 / 2} + std::chrono::hours{9} +
                       std::chrono::minutes{5} + std::chrono::seconds{7}};
}

}  // namespace

TEST_CASE("a message has the RFC 5322 headers and a text and an HTML part") {
    auto const text = render(sample());
    auto const lines = lines_of(text);
    auto const blank = std::find(lines.begin(), lines.end(), "");
    REQUIRE(blank != lines.end());
    std::vector<std::string> const headers(lines.begin(), blank);
    CHECK(headers == std::vector<std::string>{
                         "From: warroom <warroom@example.com>",
                         "To: security@example.com,",
                         " legal@example.com",
                         "Subject: [INC-7 P1] Checkout is down: Security team notified",
                         "Date: Mon, 02 Mar 2026 09:05:07 +0000",
                         "Message-ID: <warroom.42.0123456789abcdef@example.com>",
                         "MIME-Version: 1.0",
                         "Auto-Submitted: auto-generated",
                         "Content-Type: multipart/alternative; boundary=\"=_warroom_alternative\"",
                     });
    auto const plain = text.find("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    auto const html = text.find("Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    REQUIRE(plain != std::string::npos);
    REQUIRE(html != std::string::npos);
    CHECK(plain < html);
    auto const body_of = [&](std::size_t part) {
        auto const start = text.find("\r\n\r\n", part) + 4;
        return unbase64(text.substr(start, text.find("--=_warroom_alternative", start) - start));
    };
    CHECK(body_of(plain) ==
          "INC-7 (P1, Service Outage): Checkout is down\r\nSecurity team notified\r\n\r\nJoin #inc-7 in Slack.\r\n");
    auto html_lines = body_of(html);
    std::erase(html_lines, '\r');  // sent with CRLF line ends, like the text
    CHECK(html_lines == html_of(sample().text));
    CHECK(text.ends_with("\r\n--=_warroom_alternative--\r\n"));
    for (auto const& line : lines) CHECK(line.size() <= 78);
}

TEST_CASE("nothing in a header value can start another header") {
    auto m = sample();
    m.subject = "Checkout down\r\nBcc: everyone@example.com";
    m.from = "warroom@example.com\nX-Injected: 1";
    m.to = {"security@example.com\r\nCc: leak@example.com"};
    m.message_id = "id@example.com>\r\nReply-To: <attacker@example.com";
    for (auto const& line : lines_of(render(m))) {
        CAPTURE(line);
        CHECK_FALSE(line.starts_with("Bcc:"));
        CHECK_FALSE(line.starts_with("Cc:"));
        CHECK_FALSE(line.starts_with("X-Injected:"));
        CHECK_FALSE(line.starts_with("Reply-To:"));
    }
    CHECK(header_value("a\r\nb\nc\rd") == "abcd");
    CHECK(address_of("warroom <warroom@example.com>") == "warroom@example.com");
    CHECK(address_of(" warroom@example.com ") == "warroom@example.com");
    CHECK(address_of("security@example.com\r\n") == "security@example.com");
}

TEST_CASE("subjects: plain ASCII as it is, anything else in RFC 2047 encoded words") {
    CHECK(encode_subject("[INC-7 P1] Checkout is down") == "[INC-7 P1] Checkout is down");
    struct row {
        std::string subject;
    };
    for (auto const& r : std::vector<row>{{"Störung: Zahlungen fallen aus"},
                                          {"[INC-7 P0] 決済サービスが停止しています。顧客への影響を調査中です。決済サービスが停止"},
                                          {"🚨 Alert (high): Error rate above 5% on checkout, payments and search"},
                                          {"looks like =?UTF-8?B?aGk=?= an encoded word"},
                                          {"tab\there"}}) {
        CAPTURE(r.subject);
        auto const encoded = encode_subject(r.subject);
        CHECK(encoded.starts_with("=?UTF-8?B?"));
        CHECK(decoded_subject(encoded) == r.subject);
        for (char c : encoded) CHECK(((c >= 0x20 && c <= 0x7e) || c == '\r' || c == '\n'));
    }
}

TEST_CASE("the HTML part escapes what HTML reads and keeps paragraphs and line breaks") {
    CHECK(html_of("Impact: <script>alert('x')</script> & \"more\"\nsecond line\n\nnext paragraph\n") ==
          "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"
          "<p>Impact: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;<br>\nsecond line</p>\n"
          "<p>next paragraph</p>\n</body></html>\n");
}

TEST_CASE("every try of one outbox entry carries the same Message-ID, other entries and contents differ") {
    auto const id = message_id(42, "subject\ntext", "warroom <warroom@example.com>");
    CHECK(id == message_id(42, "subject\ntext", "warroom <warroom@example.com>"));
    CHECK(id.starts_with("warroom.42."));
    CHECK(id.ends_with("@example.com"));
    CHECK(id != message_id(43, "subject\ntext", "warroom <warroom@example.com>"));
    CHECK(id != message_id(42, "subject\nother text", "warroom <warroom@example.com>"));
}

TEST_CASE("an SMTP outcome: 4xx and no answer are retried, 5xx and unusable settings are given up") {
    struct row {
        int code;
        long reply;
        verdict expected;
    };
    for (auto const& r : std::vector<row>{
             {CURLE_OK, 250, verdict::delivered},
             {CURLE_COULDNT_CONNECT, 0, verdict::retry},          // refused: the server is down
             {CURLE_COULDNT_RESOLVE_HOST, 0, verdict::retry},
             {CURLE_OPERATION_TIMEDOUT, 0, verdict::retry},
             {CURLE_RECV_ERROR, 354, verdict::retry},             // the connection broke during the message
             {CURLE_SEND_ERROR, 450, verdict::retry},             // mailbox busy
             {CURLE_WEIRD_SERVER_REPLY, 421, verdict::retry},     // service not available now
             {CURLE_SEND_ERROR, 550, verdict::failed},            // recipient rejected
             {CURLE_LOGIN_DENIED, 535, verdict::failed},          // wrong login
             {CURLE_WEIRD_SERVER_REPLY, 554, verdict::failed},    // the message refused
             {CURLE_USE_SSL_FAILED, 250, verdict::failed},        // STARTTLS required, not offered
             {CURLE_UNSUPPORTED_PROTOCOL, 0, verdict::failed},
             {CURLE_URL_MALFORMAT, 0, verdict::failed},
         }) {
        CAPTURE(r.code);
        CAPTURE(r.reply);
        CHECK(judge(outcome{r.code, r.reply, "", ""}) == r.expected);
    }
    CHECK(reason(outcome{CURLE_SEND_ERROR, 550, "550 5.1.1 <nobody@example.com>: Recipient address rejected",
                         "RCPT failed: 550"}) ==
          "smtp: the server said 550 5.1.1 <nobody@example.com>: Recipient address rejected");
    CHECK(reason(outcome{CURLE_COULDNT_CONNECT, 0, "", "Failed to connect to 127.0.0.1 port 2525: Connection refused"}) ==
          "smtp: Failed to connect to 127.0.0.1 port 2525: Connection refused");
    CHECK(reason(outcome{CURLE_USE_SSL_FAILED, 250, "250 HELP", "STARTTLS not supported."}) ==
          "smtp: STARTTLS not supported.");
}
