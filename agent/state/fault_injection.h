// posfleet agent: crash points for the power-cut tests (tests/faults/).
//
// POSFLEET_FAULT=<point>:<value> makes the agent cut its own power when it
// reaches that point: with the power-cut filesystem installed (install()),
// everything not yet synced is dropped as on a real cut (core/fault_fs.h),
// then the process kills itself with SIGKILL — no cleanup, no flush:
//   state:<name>        right after the state <name> was persisted, before it acts
//   download:<bytes>    once a download has written at least <bytes> bytes
//   install:<bytes>     once installing has copied at least <bytes> bytes
//   apply:<bytes>       once applying a delta patch has written at least <bytes> bytes
//   point:<name>[@<n>]  the n-th time (default 1) the named point is reached:
//                       inside every atomic write "<file>:written|synced|renamed"
//                       (core/fs.h), prefixed "<scope>/" inside a Scope:
//                       set_pending/, clear_pending/, mark_good/, power_up/
//                       (boot control), backup/, restore/, append/ (merchant
//                       data); and the explicit points named at their call.
// POSFLEET_FAULT_TEAR=1 tears the unsynced tails (zeros) instead of cutting
// them back. Unset, every check is one comparison. Not for production use.
// Thread-safety: reads the environment once; scopes are per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace posfleet::agent::fault {

// When POSFLEET_FAULT is set: puts the power-cut filesystem over
// `device_dir` as the process's filesystem (core/fs.h default_fs()).
void install(const std::string& device_dir);

void at_state(const std::string& state);
void at_bytes(const char* point, std::uint64_t bytes);
void at_point(std::string_view name);

// Names the operation a crash point falls in, for the points reached meanwhile.
class Scope {
 public:
  explicit Scope(const char* name);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  const char* outer_;
};

}  // namespace posfleet::agent::fault
