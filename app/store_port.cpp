#include "app/store_port.hpp"

namespace warroom::app {

void event_store::submit(write_op op, std::function<void(write_result)> done) {
    write_result r;
    try {
        r = write({std::move(op)}).front();
    } catch (store_error const& err) {
        r.failure = err.what();
    }
    if (done) {
        done(std::move(r));
    } else if (r.failure) {
        throw store_error(*r.failure);  // nobody to tell later: the caller hears it now
    }
}

std::vector<delivery_lease> event_store::leases_between(std::int64_t from, std::int64_t through) {
    std::vector<delivery_lease> out;
    if (through < from) return out;
    for (auto const& e : pending(from - 1, static_cast<std::size_t>(through - from + 1))) {
        if (e.id > through) break;
        out.push_back({e.id, e.owner, e.lease_until});
    }
    return out;
}

write_result event_store::write_one(write_op op) {
    auto r = write({std::move(op)}).front();
    if (r.failure) throw store_error(*r.failure);
    return r;
}

append_result event_store::append(append_batch const& batch) { return write_one(batch).status; }

bool event_store::start_delivery(std::int64_t id, std::string const& owner, timestamp now, seconds lease) {
    return write_one(lease_delivery{id, owner, now, lease}).status == append_result::written;
}

void event_store::finish(std::int64_t id, std::string const& result,
                         std::vector<std::pair<std::string, std::string>> const& facts) {
    write_one(finish_delivery{id, result, facts});
}

void event_store::release(std::string const& owner) { write_one(release_deliveries{owner}); }

}  // namespace warroom::app
