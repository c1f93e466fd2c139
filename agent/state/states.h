// posfleet agent: the update's states, from their one list (states.def).
// Thread-safety: constant data.
#pragma once

#include <array>
#include <string_view>

namespace posfleet::agent {

struct StateInfo {
  std::string_view name;
  bool slots_untouched;
  bool crash_point;  // where the power-cut harness kills the agent
};

inline constexpr StateInfo kStates[] = {
#define POSFLEET_STATE(name, untouched, crash) {#name, untouched, crash},
#include "agent/state/states.def"
#undef POSFLEET_STATE
};

// The entry of a state name, or null if there is no such state.
constexpr const StateInfo* state_info(std::string_view name) {
  for (const auto& s : kStates)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace posfleet::agent
