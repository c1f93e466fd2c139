// Fuzz target: the DDI JSON a terminal reads from its server (agent/ddi/http_ddi_client.cc and
// agent/service.cc) — the poll with its config.polling.sleep, _links and the posfleet extension
// (policy, held update, notifications), deploymentBase with its chunks, artifacts and the
// posfleet manifest, cancelAction, the answers to a policy change and a support ticket. The
// input is the body of every answer the fake server gives; the terminal's state file is saved
// and must load again.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "agent/config.h"
#include "agent/ddi/http_ddi_client.h"
#include "agent/service.h"
#include "agent/settings/terminal_state.h"
#include "core/fake_clock.h"
#include "core/fake_http_client.h"
#include "core/manifest.h"
#include "fuzz/fuzz_support.h"

using namespace posfleet;
using namespace posfleet::agent;

namespace {

struct Terminal {
  Terminal() {
    dir =
        std::filesystem::temp_directory_path() / ("posfleet_ddi_fuzz_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    config.server = "http://fleet.example:8080";
    config.terminal = "PF1";
    config.token = "t";
    config.model = "A920";
    config.device_dir = dir.string();
    config.trusted_keys = {fuzz::fixed_signing_key(1).pub};
  }
  ~Terminal() { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
  Config config;
};

Terminal& terminal() {
  static Terminal t;
  return t;
}

// The server of this run: every request is answered 200 with `body`.
std::unique_ptr<FakeHttpClient> answering(const std::string& body) {
  auto http = std::make_unique<FakeHttpClient>();
  http->on_request = [body](const FakeHttpClient::Sent&) -> Expected<HttpResult> {
    return HttpResult{200, body, {}};
  };
  return http;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::init_quietly();
  (void)terminal();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  const std::string body(fuzz::as_text(data, size));
  Terminal& t = terminal();
  FakeClock clock(1790000000);
  HttpDdiClient ddi(t.config, answering(body), answering(body), clock);
  const std::string state_path = (t.dir / "terminal_state.json").string();
  std::filesystem::remove(state_path);
  std::atomic<bool> stopping{false};
  AgentService service(t.config, state_path, stopping, clock);

  (void)parse_sleep(body);
  boost::json::object offer;
  if (auto poll = ddi.poll(0)) {
    service.absorb(poll->posfleet);
    if (auto* o = poll->posfleet.if_contains("offer"); o && o->is_object()) offer = o->get_object();
  }
  if (auto d =
          ddi.deployment("http://fleet.example:8080/DEFAULT/controller/v1/PF1/deploymentBase/1")) {
    InstalledRelease installed{"1.0.0", "", {}};
    (void)service.consider(*d, offer, installed);
    (void)service.consider(*d, offer, std::nullopt);
    (void)service.offer_terms(d->action_id);
  }
  (void)ddi.cancel_action("http://fleet.example:8080/DEFAULT/controller/v1/PF1/cancelAction/1");
  if (auto answer = ddi.put_policy("manual", 1))
    service.change_answered({"manual", 1, false}, *answer);
  (void)ddi.post_ticket("printer jams", "1.0.0");

  // What the terminal saved of all this, it can read back.
  if (std::filesystem::exists(state_path))
    FUZZ_CHECK(TerminalState::load(state_path), "the terminal's saved state does not load");
  return 0;
}
