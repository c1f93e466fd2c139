// posfleet agent: crash points for the power-cut tests (tests/faults/).
//
// POSFLEET_FAULT=<point>:<value> makes the agent kill itself with SIGKILL —
// no cleanup, no flush — when it reaches that point:
//   state:<name>        right after the state <name> was persisted, before it acts
//   download:<bytes>    once a download has written at least <bytes> bytes
//   install:<bytes>     once installing has copied at least <bytes> bytes
// Unset, every check is one comparison. Not for production use.
// Thread-safety: reads the environment once.
#pragma once

#include <cstdint>
#include <string>

namespace posfleet::agent::fault {

void at_state(const std::string& state);
void at_bytes(const char* point, std::uint64_t bytes);

}  // namespace posfleet::agent::fault
