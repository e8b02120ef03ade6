#include "adapters/metrics/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace warroom::metrics {
namespace {

// HELP text: backslash and line feed escaped. Label values: the double quote as well.
void append_escaped(std::string& out, std::string_view text, bool quote) {
    for (char const c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quote) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

void append_number(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
    } else if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
    } else if (v == std::floor(v) && std::abs(v) < 1e15) {
        // Whole numbers (bytes, counts, bounds like 1 s) as integers, not "1e+06".
        char buf[24];
        auto const r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
        out.append(buf, r.ptr);
    } else {
        // The shortest that reads back the same, as %g writes it: "0.0005", not "5e-04".
        char buf[32];
        auto const r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
        out.append(buf, r.ptr);
    }
}

void append_number(std::string& out, std::uint64_t v) {
    char buf[24];
    auto const r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_header(std::string& out, std::string const& name, std::string const& help, std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    append_escaped(out, help, false);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

// `name{a="x",b="y"} ` for the label pairs given (just `name ` without any).
void append_series(std::string& out, std::string_view name,
                   std::vector<std::pair<std::string_view, std::string_view>> const& labels) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        for (std::size_t k = 0; k < labels.size(); ++k) {
            if (k > 0) out += ',';
            out += labels[k].first;
            out += "=\"";
            append_escaped(out, labels[k].second, true);
            out += '"';
        }
        out += '}';
    }
    out += ' ';
}

void render_family(std::string& out, std::string const& name, counter_family const& f) {
    auto const& labels = f.labels();
    for (std::size_t i = 0; i < f.size(); ++i) {
        auto const v = f.flat(i).value();
        if (v == 0 && !labels.empty()) continue;
        // The flat index in mixed radix, last label fastest (as counter_family::at composes it).
        std::vector<std::pair<std::string_view, std::string_view>> pairs(labels.size());
        auto rest = i;
        for (std::size_t k = labels.size(); k-- > 0;) {
            auto const n = labels[k].values.size();
            pairs[k] = {labels[k].name, labels[k].values[rest % n]};
            rest /= n;
        }
        append_series(out, name, pairs);
        append_number(out, v);
        out += '\n';
    }
}

void render_histogram(std::string& out, std::string const& name, histogram const& h) {
    auto const& bounds = h.bounds();
    // Read once, so that the buckets, +Inf and _count agree even while observations arrive.
    std::vector<std::uint64_t> cumulative(bounds.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < cumulative.size(); ++i) cumulative[i] = running += h.in_bucket(i);
    auto const bucket = name + "_bucket";
    for (std::size_t i = 0; i < cumulative.size(); ++i) {
        std::string le;
        if (i < bounds.size()) {
            append_number(le, bounds[i]);
        } else {
            le = "+Inf";
        }
        append_series(out, bucket, {{"le", le}});
        append_number(out, cumulative[i]);
        out += '\n';
    }
    append_series(out, name + "_sum", {});
    append_number(out, std::chrono::duration<double>(h.sum()).count());
    out += '\n';
    append_series(out, name + "_count", {});
    append_number(out, running);
    out += '\n';
}

}  // namespace

std::size_t label::index_of(std::string_view value) const noexcept {
    auto const it = std::find(values.begin(), values.end(), value);
    return it == values.end() ? values.size() - 1 : static_cast<std::size_t>(it - values.begin());
}

counter_family::counter_family(std::vector<label> labels) : labels_(std::move(labels)), size_(1) {
    for (auto const& l : labels_) {
        if (l.values.empty()) throw std::invalid_argument("metrics: label " + std::string(l.name) + " has no values");
        size_ *= l.values.size();
    }
    counters_ = std::make_unique<counter[]>(size_);
}

histogram::histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
    if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
        std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
        throw std::invalid_argument("metrics: histogram bounds must ascend");
    }
    for (auto const b : bounds_) {
        bounds_ns_.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(b)).count());
    }
    buckets_ = std::make_unique<counter[]>(bounds_.size() + 1);
}

void histogram::observe(std::chrono::nanoseconds d) noexcept {
    auto const ns = std::max<std::int64_t>(0, d.count());
    // The first bound at or above the value: Prometheus buckets are "less than or equal".
    auto const i = std::lower_bound(bounds_ns_.begin(), bounds_ns_.end(), ns) - bounds_ns_.begin();
    buckets_[static_cast<std::size_t>(i)].add();
    sum_.add(static_cast<std::uint64_t>(ns));
}

counter_family& registry::counters(std::string name, std::string help, std::vector<label> labels) {
    auto& f = families_.emplace_back(std::move(labels));
    metrics_.push_back({std::move(name), std::move(help), &f});
    return f;
}

histogram& registry::durations(std::string name, std::string help, std::vector<double> bounds) {
    auto& h = histograms_.emplace_back(std::move(bounds));
    metrics_.push_back({std::move(name), std::move(help), &h});
    return h;
}

void registry::read(std::string name, std::string help, kind k, std::function<double()> value) {
    metrics_.push_back({std::move(name), std::move(help), reading{k, std::move(value)}});
}

void registry::read_each(std::string name, std::string help, label l, std::function<double(std::size_t)> value) {
    metrics_.push_back({std::move(name), std::move(help), reading_each{std::move(l), std::move(value)}});
}

std::string registry::render() const {
    std::string out;
    for (auto const& m : metrics_) {
        if (auto const* f = std::get_if<counter_family const*>(&m.what)) {
            append_header(out, m.name, m.help, "counter");
            render_family(out, m.name, **f);
        } else if (auto const* h = std::get_if<histogram const*>(&m.what)) {
            append_header(out, m.name, m.help, "histogram");
            render_histogram(out, m.name, **h);
        } else if (auto const* r = std::get_if<reading>(&m.what)) {
            append_header(out, m.name, m.help, r->k == kind::counter ? "counter" : "gauge");
            append_series(out, m.name, {});
            append_number(out, r->value());
            out += '\n';
        } else {
            auto const& each = std::get<reading_each>(m.what);
            append_header(out, m.name, m.help, "gauge");
            for (std::size_t i = 0; i < each.l.values.size(); ++i) {
                append_series(out, m.name, {{each.l.name, each.l.values[i]}});
                append_number(out, each.value(i));
                out += '\n';
            }
        }
    }
    return out;
}

}  // namespace warroom::metrics
