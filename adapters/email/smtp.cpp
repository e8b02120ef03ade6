#include "adapters/email/smtp.hpp"

#include <curl/curl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <string_view>

#include "adapters/email/message.hpp"
#include "adapters/loaded/loaded.hpp"

namespace warroom::email {
namespace {

// libcurl is opened when the first SMTP client is made: linked, it, cairo and what they link added
// 5.4 MiB to the resident memory of every daemon, those sending no e-mail too.
struct curl_api {
    decltype(&::curl_easy_cleanup) curl_easy_cleanup;
    decltype(&::curl_easy_getinfo) curl_easy_getinfo;
    decltype(&::curl_easy_init) curl_easy_init;
    decltype(&::curl_easy_perform) curl_easy_perform;
    decltype(&::curl_easy_setopt) curl_easy_setopt;
    decltype(&::curl_easy_strerror) curl_easy_strerror;
    decltype(&::curl_global_cleanup) curl_global_cleanup;
    decltype(&::curl_global_init) curl_global_init;
    decltype(&::curl_slist_append) curl_slist_append;
    decltype(&::curl_slist_free_all) curl_slist_free_all;
};

curl_api const& curl() {
    static curl_api const api = [] {
        loaded::library const library{"libcurl.so.4", "libcurl4"};
        curl_api a{};
        library.load(a.curl_easy_cleanup, "curl_easy_cleanup");
        library.load(a.curl_easy_getinfo, "curl_easy_getinfo");
        library.load(a.curl_easy_init, "curl_easy_init");
        library.load(a.curl_easy_perform, "curl_easy_perform");
        library.load(a.curl_easy_setopt, "curl_easy_setopt");
        library.load(a.curl_easy_strerror, "curl_easy_strerror");
        library.load(a.curl_global_cleanup, "curl_global_cleanup");
        library.load(a.curl_global_init, "curl_global_init");
        library.load(a.curl_slist_append, "curl_slist_append");
        library.load(a.curl_slist_free_all, "curl_slist_free_all");
        return a;
    }();
    return api;
}

// The message as libcurl reads it, a piece at a time.
struct upload {
    std::string_view left;
};
std::size_t read_upload(char* into, std::size_t size, std::size_t count, void* from) {
    auto& u = *static_cast<upload*>(from);
    auto const n = std::min(size * count, u.left.size());
    std::copy_n(u.left.data(), n, into);
    u.left.remove_prefix(n);
    return n;
}

// Keeps the server's last refusal (a 4xx or 5xx line; the "221 Bye" that follows is not the reason).
// Only what came in is looked at: what went out holds the login.
int keep_refusal(CURL*, curl_infotype type, char* data, std::size_t size, void* into) {
    if (type != CURLINFO_HEADER_IN) return 0;
    std::string_view text{data, size};
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (auto const last = text.rfind('\n'); last != std::string_view::npos) text.remove_prefix(last + 1);
    if (text.starts_with('4') || text.starts_with('5')) *static_cast<std::string*>(into) = header_value(text);
    return 0;
}

outcome send_now(smtp_settings const& s, std::string const& from, std::vector<std::string> const& to,
                 std::string const& message) {
    outcome out;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle{curl().curl_easy_init(), curl().curl_easy_cleanup};
    if (!handle) {
        out.code = CURLE_FAILED_INIT;
        out.error = "libcurl could not start";
        return out;
    }
    auto* const c = handle.get();
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients{nullptr, curl().curl_slist_free_all};
    for (auto const& address : to) {
        auto* const more = curl().curl_slist_append(recipients.get(), ("<" + address_of(address) + ">").c_str());
        if (more) {
            recipients.release();
            recipients.reset(more);
        }
    }
    auto const sender = "<" + address_of(from) + ">";
    upload body{message};
    char error[CURL_ERROR_SIZE] = {};
    curl().curl_easy_setopt(c, CURLOPT_URL, s.url.c_str());
    curl().curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (std::string_view(s.url).starts_with("smtp://"))
        curl().curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(s.starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
    if (!s.ca_file.empty()) curl().curl_easy_setopt(c, CURLOPT_CAINFO, s.ca_file.c_str());
    if (!s.username.empty()) {
        curl().curl_easy_setopt(c, CURLOPT_USERNAME, s.username.c_str());
        curl().curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.c_str());
    }
    curl().curl_easy_setopt(c, CURLOPT_MAIL_FROM, sender.c_str());
    curl().curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
    curl().curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl().curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl().curl_easy_setopt(c, CURLOPT_READDATA, &body);
    curl().curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::chrono::milliseconds(s.timeout).count()));
    curl().curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // on a worker thread: no SIGALRM for timeouts
    curl().curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    // The debug hook is how libcurl shows the server's replies; it goes to keep_refusal, never to stderr.
    curl().curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl().curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, keep_refusal);
    curl().curl_easy_setopt(c, CURLOPT_DEBUGDATA, &out.reply);
    auto const code = curl().curl_easy_perform(c);
    out.code = code;
    curl().curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.reply_code);
    if (code != CURLE_OK) out.error = error[0] ? error : curl().curl_easy_strerror(code);
    return out;
}

}  // namespace

verdict judge(outcome const& o) {
    if (o.code == CURLE_OK) return verdict::delivered;
    if (o.reply_code >= 500 && o.reply_code < 600) return verdict::failed;
    if (o.reply_code >= 400 && o.reply_code < 500) return verdict::retry;
    switch (o.code) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_USE_SSL_FAILED:
            return verdict::failed;
        default:
            return verdict::retry;
    }
}

std::string reason(outcome const& o) {
    if (o.reply_code >= 400 && !o.reply.empty()) return "smtp: the server said " + o.reply;
    return "smtp: " + o.error;
}

smtp_client::smtp_client(smtp_settings s) : settings_(std::move(s)) {
    // Before any worker runs: libcurl's global set-up is not safe to race.
    curl().curl_global_init(CURL_GLOBAL_DEFAULT);
}

smtp_client::~smtp_client() {
    workers_.join();
    curl().curl_global_cleanup();
}

coro::task<outcome> smtp_client::send(std::string from, std::vector<std::string> to, std::string message) {
    auto work = [this, from = std::move(from), to = std::move(to),
                 message = std::move(message)]() -> coro::task<outcome> {
        co_return send_now(settings_, from, to, message);
    };
    // Runs on a worker; co_spawn hands the result back on the caller's executor. Named, not a
    // temporary in the co_await expression: GCC 12 frees such temporaries twice.
    auto on_worker = boost::asio::co_spawn(workers_, std::move(work), boost::asio::use_awaitable);
    co_return co_await std::move(on_worker);
}

}  // namespace warroom::email
