#include "agent/state/fault_injection.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "core/fault_fs.h"

namespace posfleet::agent::fault {

namespace {

struct Plan {
  std::string point;  // "state", "download", "install", "point" or ""
  std::string name;   // the state's or the point's
  std::uint64_t bytes = 0;
  int nth = 1;
  bool tear = false;
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
    std::string value = spec.substr(colon + 1);
    if (out.point == "state") {
      out.name = value;
    } else if (out.point == "point") {
      auto at = value.rfind('@');
      out.name = value.substr(0, at);
      if (at != std::string::npos) out.nth = std::atoi(value.c_str() + at + 1);
    } else {
      out.bytes = std::strtoull(value.c_str(), nullptr, 10);
    }
    const char* tear = std::getenv("POSFLEET_FAULT_TEAR");
    out.tear = tear && std::string(tear) == "1";
    return out;
  }();
  return p;
}

std::unique_ptr<FaultInjectingFs> g_fs;
thread_local const char* t_scope = nullptr;

[[noreturn]] void die(const std::string& where) {
  std::fprintf(stderr, "power cut at %s\n", where.c_str());
  if (g_fs)
    for (const auto& line : g_fs->power_cut(plan().tear))
      std::fprintf(stderr, "power cut: %s\n", line.c_str());
  std::fflush(stderr);
  ::kill(::getpid(), SIGKILL);
  std::abort();
}

}  // namespace

void install(const std::string& device_dir) {
  if (plan().point.empty() || g_fs) return;
  g_fs = std::make_unique<FaultInjectingFs>(device_dir, default_fs(),
                                            static_cast<std::uint64_t>(::getpid()));
  g_fs->on_point([](std::string_view name) { at_point(name); });
  set_default_fs(g_fs.get());
}

void at_state(const std::string& state) {
  if (plan().point == "state" && plan().name == state) die("state:" + state);
}

void at_bytes(const char* point, std::uint64_t bytes) {
  if (!plan().point.empty() && plan().point == point && bytes >= plan().bytes)
    die(std::string(point) + ":" + std::to_string(bytes));
}

void at_point(std::string_view name) {
  if (plan().point != "point") return;
  const std::string full =
      t_scope ? std::string(t_scope) + "/" + std::string(name) : std::string(name);
  if (full != plan().name) return;
  static std::mutex mu;
  static int reached = 0;
  std::lock_guard lock(mu);
  if (++reached == plan().nth) die("point:" + full + "@" + std::to_string(reached));
}

Scope::Scope(const char* name) : outer_(t_scope) { t_scope = name; }
Scope::~Scope() { t_scope = outer_; }

}  // namespace posfleet::agent::fault
