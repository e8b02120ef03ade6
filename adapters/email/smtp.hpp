// Sends e-mail through an SMTP server with libcurl: smtp:// with STARTTLS required (unless turned off
// for a relay without TLS), or smtps:// (TLS from the first byte), verified like every TLS peer of
// warroom's: against SSL_CERT_FILE when set, else the system's trust store; a login when a username
// is set.
// libcurl blocks, so every send runs on a worker thread of the client's own and the caller's
// coroutine resumes on its own executor: an event loop never waits on SMTP. The password goes to
// libcurl only; of the conversation only the server's refusals are kept, never what warroom sent.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "adapters/boost/coro.hpp"

namespace warroom::email {

struct smtp_settings {
    std::string url;       // "smtp://mail.example.com:587" or "smtps://mail.example.com:465"
    bool starttls = true;  // smtp://: send only once the server has upgraded the connection to TLS
    std::string username;  // empty: no login
    std::string password;
    std::chrono::seconds timeout{30};  // one send, all of it: connect, TLS, login, message
    std::string ca_file;               // the CA bundle to trust; empty: the system's
};

// What one send came to.
struct outcome {
    int code = 0;         // libcurl's CURLcode; 0 (CURLE_OK): the server took the message
    long reply_code = 0;  // the server's last reply (250, 451, 550, …); 0 when it said nothing
    std::string reply;    // the server's last refusal line (4xx, 5xx), as it said it
    std::string error;    // libcurl's account of a failure
};

enum class verdict {
    delivered,  // the server took it
    retry,      // transient: a 4xx reply, or no reply at all (refused, unreachable, timed out)
    failed,     // permanent: a 5xx reply (a recipient rejected, the login refused), or a setting
                // libcurl cannot use (the URL, TLS the server does not offer)
};
verdict judge(outcome const& o);
// One line for the log: the server's reply when it refused, else libcurl's error.
std::string reason(outcome const& o);

class smtp_client {
public:
    explicit smtp_client(smtp_settings s);
    // Waits for sends in progress: each ends within the timeout.
    ~smtp_client();
    smtp_client(smtp_client const&) = delete;
    smtp_client& operator=(smtp_client const&) = delete;

    // Sends `message` (RFC 5322 text, see message.hpp) to `to`, from `from`'s address.
    coro::task<outcome> send(std::string from, std::vector<std::string> to, std::string message);

private:
    smtp_settings settings_;
    // Two: one slow server answer does not hold every other e-mail behind it.
    boost::asio::thread_pool workers_{2};
};

}  // namespace warroom::email
