// Delivers statuspage_update outbox entries to Atlassian Statuspage, one try at a time, for the outbox
// engine (which keeps each incident's publications in order and retries). The Statuspage incident id
// of each incident is a delivery fact ("statuspage:<n>"), kept in the store as soon as Statuspage
// answers, so an update after a restart PATCHes the same incident. A try that may have reached
// Statuspage is reconciled first: the incident is found by the reference it carries in its metadata,
// the update by its text and status. Calls are spaced at least a second apart (Statuspage's limit):
// a delivery that would wait long for its turn waits in the outbox (not_yet); a 420 or 429 is retried
// by the outbox after its Retry-After, and holds the calls after it too.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "adapters/http/client.hpp"
#include "adapters/outbox/runner.hpp"
#include "adapters/statuspage/statuspage.hpp"
#include "app/store_port.hpp"

namespace warroom::statuspage {

// The delivery fact holding incident `n`'s Statuspage incident id.
std::string incident_fact(int incident);
// The delivery fact holding maintenance window `n`'s Statuspage incident id.
std::string maintenance_fact(int window);

class deliverer final : public outbox::deliverer {
public:
    deliverer(http::client& client, app::event_store& store, settings s, std::shared_ptr<spdlog::logger> log)
        : client_(client), store_(store), settings_(std::move(s)), log_(std::move(log)) {}

    // Only statuspage_update and statuspage_maintenance entries are given to it.
    outbox::task<outbox::attempt> deliver(app::outbox_entry const& entry, bool in_doubt) override;

private:
    struct answer {
        int status = 0;  // 0: no answer
        http::client_response raw;
    };
    // One call, no sooner than a second after the one before it (or than a rate limit's Retry-After).
    outbox::task<answer> call(request r);
    // One try for a publication or a maintenance window (`ref` names it in the log).
    template <class Pushed>
    outbox::task<outbox::attempt> push(Pushed const& u, std::string const& ref, std::string const& fact, bool in_doubt);
    // What a failed call means for the entry.
    outbox::attempt failed(std::string const& ref, std::string const& what, answer const& a) const;

    http::client& client_;
    app::event_store& store_;
    settings settings_;
    std::shared_ptr<spdlog::logger> log_;
    std::chrono::steady_clock::time_point next_call_{};
};

}  // namespace warroom::statuspage
