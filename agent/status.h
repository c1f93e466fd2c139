// posfleet agent: `posfleet-agent status`, read from the device directory so it
// works whether or not the daemon runs.
#pragma once

#include <boost/json/object.hpp>

#include "agent/config.h"
#include "core/result.h"

namespace posfleet::agent {

// Version, slots, update state and progress, last outcome.
Expected<boost::json::object> status_json(const Config& config);
Status print_status(const Config& config, bool as_json);

}  // namespace posfleet::agent
