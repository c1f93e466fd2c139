#include "agent/state/fault_injection.h"

#include <unistd.h>
#include <csignal>
#include <cstdlib>

namespace posfleet::agent::fault {

namespace {

struct Plan {
  std::string point;  // "state", "download", "install" or ""
  std::string state;
  std::uint64_t bytes = 0;
};

const Plan& plan() {
  static const Plan p = [] {
    Plan out;
    const char* env = std::getenv("POSFLEET_FAULT");
    if (!env) return out;
    std::string spec(env);
    auto colon = spec.find(':');
    if (colon == std::string::npos) return out;
    out.point = spec.substr(0, colon);
    if (out.point == "state")
      out.state = spec.substr(colon + 1);
    else
      out.bytes = std::strtoull(spec.c_str() + colon + 1, nullptr, 10);
    return out;
  }();
  return p;
}

[[noreturn]] void die() {
  ::kill(::getpid(), SIGKILL);
  std::abort();
}

}  // namespace

void at_state(const std::string& state) {
  if (plan().point == "state" && plan().state == state) die();
}

void at_bytes(const char* point, std::uint64_t bytes) {
  if (!plan().point.empty() && plan().point == point && bytes >= plan().bytes) die();
}

}  // namespace posfleet::agent::fault
