// The transport names the Slack adapter uses, from the HTTP adapter, and the wall clock in the
// core's unit for the requests this adapter hands the service.
#pragma once

#include <chrono>

#include "adapters/http/net.hpp"
#include "core/model.hpp"

namespace warroom::slack {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using http::connect_tcp;
using http::connect_tls;
using http::error_code;
using http::make_tls_context;
using http::split_url;
using http::tcp;
using http::url_parts;
using coro::task;
using coro::tuple_awaitable;

inline core::timestamp wall_clock_now() {
    return std::chrono::floor<core::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace warroom::slack
