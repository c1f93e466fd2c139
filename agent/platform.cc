#include "agent/platform.h"

#include "agent/ddi/http_ddi_client.h"
#include "agent/device/simulated_boot_control.h"

namespace posfleet::agent {

UpdateServices AgentParts::services() const {
  Hardware hw{hardware.get(), hardware.get(), hardware.get(), hardware.get(), hardware.get()};
  return UpdateServices{*ddi, *boot, hw, data.get(), *clock, &default_fs(), trust.get()};
}

Expected<AgentParts> make_agent_parts(const Config& config, const PartsWanted& wanted) {
  AgentParts parts;
  parts.clock = &system_clock();
  switch (wanted.device) {
    case Device::kSimulated: {
      if (wanted.boot) {
        auto boot = std::make_unique<SimulatedBootControl>(config.device_dir);
        if (auto s = boot->init(config.factory_version); !s) return s.error();
        parts.boot = std::move(boot);
      }
      parts.hardware = std::make_unique<SimulatedHardware>(config.device_dir);
      parts.data = std::make_unique<FileMerchantData>(config.device_dir);
      break;
    }
  }
  if (wanted.server) parts.ddi = HttpDdiClient::over_curl(config, *parts.clock);
  auto trust = TrustStore::open(default_fs(), config.device_dir, config.root, config.trusted_keys,
                                config.threshold);
  if (!trust) return trust.error();
  parts.trust = std::move(*trust);
  return parts;
}

}  // namespace posfleet::agent
