// posfleet fleet simulator: who each simulated terminal is, derived from its
// index and the run's secret alone, so the seeder (which writes the terminals
// into posfleetd's SQLite before it starts) and the simulator (which speaks DDI
// as them) agree without sharing a file: serial, token, model, time zone, group,
// client kind (posfleet's agent or a stock DDI client), whether it is switched
// off for the whole run, how often it is selling, and its maintenance window.
//
// Windows are real time, compressed: every terminal's window is open all day
// except, for some groups, one gap of a few minutes placed inside the run (a
// daily window cannot recur within minutes). The gap is fixed in UTC when the
// run starts and written into each group's policy as local HH:MM in the
// group's own zone (window_of), so the policy the server returns must be read
// in that zone to hit the gap; window_open() is the simulator's independent
// check, computed from the UTC gap with no time-zone arithmetic at all.
//
// Thread-safety: immutable after construction; every method is const.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/policy.h"

namespace posfleet::fleet {

enum class ClientKind : std::uint8_t {
  kPosfleet,  // posfleet-agent: ?posfleet=1, decides the window itself, reports configData
  kStock,     // a stock DDI client (swupdate): sees deploymentBase only inside its window
};

struct ZoneShare {
  const char* name;  // IANA
  const char* tag;   // in group names
  int per_mille;
};
// Asia/Shanghai mostly; Urumqi (UTC+6), Hong Kong, Berlin (CET, DST in summer), Kolkata (+5:30).
const std::vector<ZoneShare>& zones();

struct ModelShare {
  const char* name;
  int per_mille;
  double failure_rate;   // share of installs that fail
  double rollback_rate;  // of those, the share reported as a rollback
};
const std::vector<ModelShare>& models();

struct FleetOptions {
  int terminals = 2000;
  std::string secret = "fleet";  // tokens derive from it; the seeder and simulator share it
  int gap_groups = 8;            // groups with a gap in their window, per zone
  int gap_minutes = 2;           // how long a gap lasts
  int gap_spread_minutes = 8;    // gaps start spread over this long after the run's start
  int gap_per_mille = 300;       // terminals whose window has a gap
  int stock_per_mille = 200;     // stock DDI clients
  int offline_per_mille = 10;    // switched off for the whole run
  int busy_per_mille = 100;      // busy shops: selling 30 % of the time; the others 5 %
  bool first_gap_now = false;    // the first gap covers the minute the run starts in (smoke)
};

class FleetModel {
 public:
  // start: unix seconds the run starts; gaps begin at whole minutes after it.
  FleetModel(FleetOptions o, std::int64_t start);

  int size() const { return o_.terminals; }
  const FleetOptions& options() const { return o_; }
  std::string serial(int i) const;  // SIM0000001...
  std::string token(int i) const;   // 48 hex digits from the secret and the serial
  int model(int i) const;           // index into models()
  int zone(int i) const;            // index into zones()
  int gap(int i) const;             // 0: no gap; 1..gap_groups
  int group_index(int i) const { return zone(i) * (o_.gap_groups + 1) + gap(i); }
  int group_count() const { return static_cast<int>(zones().size()) * (o_.gap_groups + 1); }
  std::string group(int g) const;  // "sim-sha-g3"
  ClientKind kind(int i) const;
  bool offline(int i) const;

  // The window of group g as its policy says it: local HH:MM in the group's zone.
  MaintenanceWindow window_of(int g) const;
  // The gap of gap slot k in UTC, [first, second); {0, 0} for k == 0.
  std::pair<std::int64_t, std::int64_t> gap_utc(int k) const;
  // Independent of the policy and of time zones: is terminal i's window open at t?
  bool window_open(int i, std::int64_t unix_seconds) const;
  // A sale runs in 4-second slots chosen by a hash: busy shops in 30 % of them.
  bool selling(int i, std::int64_t unix_ms) const;

 private:
  std::uint64_t mix(int i, std::uint64_t salt) const;
  FleetOptions o_;
  std::int64_t first_gap_;  // the first whole minute at least 60 s after the start, or now's
  std::uint64_t seed_;
};

}  // namespace posfleet::fleet
