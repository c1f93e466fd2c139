// posfleet server: where a terminal is with a deployment (store::DeploymentPhase) — the one rule
// that reads it from what the terminal says, for posfleet's agent and for stock DDI clients.
//
// A feedback moves the phase on; nothing else reads the terminal's words for it:
//   closed + success                                   → success
//   closed + failure, with the agent's "phase: rolled_back" line → rolled_back, else → failed
//   rejected                                           → declined
//   canceled                                           → canceled
//   download | downloading                             → downloading
//   downloaded (the whole download is there)           → installing
//   status.result.progress: cnt < of → downloading, cnt ≥ of → installing
//   proceeding with posfleet's structured line "phase: <downloading|installing|waiting_window>"
//                                                      → that phase (the agent's own steps)
//   proceeding otherwise (a stock client at work)      → downloading when it was scheduled or
//                                                        waiting for its window; else unchanged
//   scheduled | resumed | anything else                → unchanged
// A terminal's line never ends a deployment by itself: "phase: …" may only name an open phase
// (and rolled_back on a closed failure), so a hostile line cannot claim success.
// Other events set the phase directly (domain/deployments.cc): fetched → downloading, merchant
// confirmed → downloading, merchant denied → declined, held by the server for a stock client
// outside its window → waiting_window, canceled by the operator before a fetch → canceled, timed
// out (domain/timeouts.h) → timed_out.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/store/deployment_status.h"
#include "server/store/records.h"

namespace posfleet::domain {

struct Feedback;

// The structured line posfleet's agent puts first in a feedback's details: "phase: installing".
inline constexpr std::string_view kPhaseLinePrefix = "phase: ";

// The phase a feedback leads to from `current`.
store::DeploymentPhase next_phase(store::DeploymentPhase current, const Feedback& fb);

// The phase named by a structured "phase: …" line among `fb`'s details, if any (open phases and
// rolled_back only; anything else is ignored).
std::optional<store::DeploymentPhase> phase_line(const Feedback& fb);

// Open phases: the terminal may still move on from here.
bool is_open_phase(store::DeploymentPhase p);

// Sets d's phase to `p`; phase_since becomes `now` only when the phase changes (the timeouts
// measure how long a deployment has been in its phase, not since its last report).
void move_phase(store::DeploymentRecord& d, store::DeploymentPhase p, std::int64_t now);

}  // namespace posfleet::domain
