// posfleet agent: `posfleet-agent status`, read from the device directory so it
// works whether or not the daemon runs.
#pragma once

#include "agent/config.h"
#include "core/result.h"

namespace posfleet::agent {

Status print_status(const Config& config, bool as_json);

}  // namespace posfleet::agent
