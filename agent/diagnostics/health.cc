#include "agent/diagnostics/health.h"

#include <algorithm>
#include <fstream>

#include "agent/steps/steps.h"

namespace posfleet::agent {

health::Sample collect_health(Network& network, Battery& battery, Storage& storage,
                              const MerchantData& data, BootControl& boot,
                              const std::string& proc_uptime) {
  // Whatever cannot be read is left out: a report with gaps is worth more than none.
  health::Sample s;
  if (auto b = battery.battery(); b) {
    s.battery = std::clamp(b->percent, 0, 100);
    s.charging = b->mains;
  }
  if (auto f = storage.free_bytes(); f) s.storage_free = *f;
  if (auto t = storage.total_bytes(); t) s.storage_total = *t;
  if (auto n = network.network(); n) {
    s.network = n->kind;
    if (n->kind != "offline" && n->kind != "ethernet") s.signal = std::clamp(n->signal, 0, 100);
  }
  if (std::ifstream up(proc_uptime); up) {
    double seconds = 0;
    if (up >> seconds && seconds >= 0) s.uptime = static_cast<std::int64_t>(seconds);
  }
  if (auto sale = data.last_transaction_time(); sale && *sale > 0) s.last_sale = *sale;
  // The release it runs ("release") and each of its components' versions.
  if (auto r = installed_release(boot); r) {
    s.apps.emplace_back("release", r->version);
    for (const auto& c : r->components)
      if (s.apps.size() < health::kMaxApps && c.name != "release")
        s.apps.emplace_back(c.name, c.version);
  }
  std::sort(s.apps.begin(), s.apps.end());
  // Within what the server takes: the last apps give way first (never the release).
  while (s.to_json().size() > health::kMaxJsonBytes && s.apps.size() > 1) s.apps.pop_back();
  return s;
}

int HealthTimer::conditions(const health::Sample& s) {
  return (s.low_battery() ? 1 : 0) | (s.low_storage() ? 2 : 0) | (s.weak_signal() ? 4 : 0);
}

bool HealthTimer::due(const health::Sample& s, std::int64_t now) const {
  return last_conditions_ < 0 || conditions(s) != last_conditions_ || now - last_ >= every_;
}

void HealthTimer::sent(const health::Sample& s, std::int64_t now) {
  last_ = now;
  last_conditions_ = conditions(s);
}

void HealthTimer::every(std::int64_t seconds) {
  if (seconds >= 1 && seconds <= 86400) every_ = seconds;
}

}  // namespace posfleet::agent
