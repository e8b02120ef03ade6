// The incident dashboard as one HTML page (semantic headings and tables, inline SVG charts, no
// JavaScript, readable on a phone) and the same figures as JSON; and who may read it. A private
// incident appears as "private incident", with its number, severity, type and phase only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/period_report.hpp"

namespace warroom::dashboard {

std::string render_html(core::dashboard_data const& d, core::policy const& p, core::time_zone const& z);
std::string render_json(core::dashboard_data const& d, core::policy const& p);

enum class access {
    allowed,       // the token matched, or none is needed
    unauthorized,  // a token is configured and the request did not carry it: 401
    off,           // no token and a listener others reach: not served
};
// `token`: the configured bearer token, empty for none; `loopback`: the listener is bound to loopback.
access check_access(std::optional<std::string_view> authorization, std::string_view token, bool loopback);

}  // namespace warroom::dashboard
