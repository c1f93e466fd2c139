// posfleet agent: the one place that picks the implementations behind the
// agent's seams — boot slots, hardware, the merchant's data, the DDI client
// (and the HTTP client beneath it), the clock. Start-up code (daemon.cc,
// main.cc) gets them here; tests build the same services from fakes
// (FakeDdiClient, FakeClock, FakeMerchantData) instead.
// Thread-safety: make on one thread; each part keeps its own rules.
#pragma once

#include <memory>

#include "agent/config.h"
#include "agent/ddi/ddi_client.h"
#include "agent/device/boot_control.h"
#include "agent/device/merchant_data.h"
#include "agent/device/simulated_hardware.h"
#include "agent/steps/steps.h"
#include "core/clock.h"

namespace posfleet::agent {

// Which device the agent runs on. Only the simulated terminal exists today
// (slots and hardware as files under device_dir); a real board adds its
// bootloader's BootControl and its hardware here, and nowhere else.
enum class Device { kSimulated };

struct AgentParts {
  Clock* clock = nullptr;
  std::unique_ptr<BootControl> boot;
  std::unique_ptr<SimulatedHardware> hardware;
  std::unique_ptr<MerchantData> data;
  std::unique_ptr<DdiClient> ddi;     // null unless asked for (it needs the server's token)
  std::unique_ptr<TrustStore> trust;  // the root and release sequence (agent/trust/)

  // The services an update uses, over these parts (ddi must be set).
  UpdateServices services() const;
};

struct PartsWanted {
  Device device = Device::kSimulated;
  bool server = false;  // the DDI client over HTTP to config.server
  bool boot = true;     // the boot slots (a sale, `pay`, needs none)
};

// Makes the parts; the boot slots of a new device are created (factory_version).
// A part not wanted stays null.
Expected<AgentParts> make_agent_parts(const Config& config, const PartsWanted& wanted = {});

}  // namespace posfleet::agent
