// The coroutine names every I/O adapter uses, defined once so the Slack and HTTP adapters (and the
// daemon that runs both) agree on them.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace warroom::coro {

template <class T = void>
using task = boost::asio::awaitable<T>;
// Completion as (error_code, ...) values: for the operations whose failure is routine.
inline constexpr auto tuple_awaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

// Bridges a callback API (the store's commits) to a coroutine: `start` is given a function to call
// when the thing is done, on this loop's thread; true when it was called within `deadline`. A call
// after the deadline is harmless.
template <class Start>
task<bool> called_back(boost::asio::any_io_executor ex, std::chrono::milliseconds deadline, Start start) {
    struct state {
        explicit state(boost::asio::any_io_executor const& ex) : timer{ex} {}
        boost::asio::steady_timer timer;
        bool called = false;
    };
    auto st = std::make_shared<state>(ex);
    st->timer.expires_after(deadline);
    start(std::function<void()>{[st] {
        st->called = true;
        st->timer.cancel();
    }});
    if (!st->called) co_await st->timer.async_wait(tuple_awaitable);
    co_return st->called;
}

}  // namespace warroom::coro
