// The procedures' incident report, filled from the incident's state and timeline, as Markdown.
// Notes starting "went well:", "improve:" or "recommend:" feed the lessons sections.
#pragma once

#include <string>

#include "core/incident.hpp"
#include "core/policy.hpp"

namespace warroom::core {

// `now`: an incident not yet resolved is reported as ongoing, as of now.
std::string render_report(incident const& i, policy const& p, timestamp now);

}  // namespace warroom::core
