// The coroutine names every I/O adapter uses, defined once so the Slack and HTTP adapters (and the
// daemon that runs both) agree on them.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace warroom::coro {

template <class T = void>
using task = boost::asio::awaitable<T>;
// Completion as (error_code, ...) values: for the operations whose failure is routine.
inline constexpr auto tuple_awaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace warroom::coro
