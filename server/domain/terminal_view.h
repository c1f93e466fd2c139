// posfleet server: what the console's overview and terminal pages show,
// assembled from the store. No HTTP here; api/console_api.cc renders it.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"

namespace posfleet::domain {

inline constexpr int kOutcomeDays = 14;

// A terminal is online when it was seen within three poll intervals, and at
// least the last minute (the terminal filter's `online` uses the same window).
int online_window_seconds(const Context& ctx);
// How stale a terminal's stored last_seen may grow before a poll writes it again (note_poll).
int last_seen_step_seconds(const Context& ctx);

// The fleet's overview at `now`; outcomes hold exactly kOutcomeDays UTC days,
// oldest first, days without an ended deployment as zeros.
// `org_path`: one organisation's subtree (Scope::query_path), "" the whole fleet.
Expected<store::FleetOverview> fleet_overview(Context& ctx, std::int64_t now,
                                              const std::string& org_path = "");

// The A/B slots as the terminal last reported them in configData
// (slot_active, slot_booted, slot_a_version, slot_b_version).
struct Slots {
  bool reported = false;
  std::string active, booted, a_version, b_version;
};
Slots slots_from_attributes(const std::string& attributes_json);

// How far a deployment has come, from its status history.
struct Progress {
  int percent = 0;                    // of the download as reported; 100 once it succeeded
  std::int64_t bytes = 0, total = 0;  // total 0 when the terminal reported no progress yet
  std::string line;                   // the newest status line
  std::int64_t time = 0;              // of the newest status (or the deployment's creation)
  bool active = false;                // scheduled, running or canceling
};
Progress update_progress(const store::DeploymentRecord& d,
                         const std::vector<store::ActionStatusRecord>& history);

// The terminal list's update state for a terminal whose newest deployment is
// `newest` (store::update_state_of; idle when there is none).
store::UpdateState update_state(const std::optional<store::DeploymentRecord>& newest);

}  // namespace posfleet::domain
