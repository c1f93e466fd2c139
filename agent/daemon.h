// posfleet agent: the daemon (`posfleet-agent run`). Polls the server at the
// interval it asks for, starts an offered deployment, drives the update state
// machine to its end, answers cancel requests, and resumes an interrupted
// update after a restart.
// Thread-safety: run() on one thread; request_stop() from a signal handler.
#pragma once

#include "agent/config.h"
#include "core/result.h"

namespace posfleet::agent {

Status run_daemon(const Config& config);
void request_stop();

}  // namespace posfleet::agent
