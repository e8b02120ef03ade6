// URL splitting for the transports: scheme decides TLS and the default port; the target keeps the
// path and query exactly as Slack gave them (tickets are opaque).
#include <doctest/doctest.h>

#include "adapters/http/net.hpp"

using warroom::http::split_url;

TEST_CASE("Slack's URLs split into TLS flag host port and target") {
    auto const api = split_url("https://slack.com/api/");
    REQUIRE(api);
    CHECK(api->tls);
    CHECK(api->host == "slack.com");
    CHECK(api->port == "443");
    CHECK(api->target == "/api/");
    auto const wss = split_url("wss://wss-primary.slack.com/link/?ticket=1234-5678&app_id=A1");
    REQUIRE(wss);
    CHECK(wss->tls);
    CHECK(wss->target == "/link/?ticket=1234-5678&app_id=A1");
    auto const local = split_url("ws://127.0.0.1:40817/link/?ticket=t");
    REQUIRE(local);
    CHECK_FALSE(local->tls);
    CHECK(local->host == "127.0.0.1");
    CHECK(local->port == "40817");
    auto const v6 = split_url("http://[::1]:8080");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->target == "/");
}

TEST_CASE("other schemes and malformed URLs are refused") {
    for (auto const* bad :
         {"", "slack.com/api", "ftp://slack.com/", "https://", "https://exa mple.com/", "mailto:x@y"}) {
        CAPTURE(bad);
        CHECK_FALSE(split_url(bad));
    }
}
