// posfleet server: what the domain layer works with. The domain knows no HTTP:
// handlers in ddi/ and api/ parse and authorize, then call into here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/signing.h"

#include "server/store/artifact_store.h"
#include "server/store/store.h"

namespace posfleet::domain {

class SmsSender;
class SecretBox;
class LoadState;
class IdentityVerifier;
class RateLimiter;
class LastSeen;
class HealthReports;
class DeviceCa;
}  // namespace posfleet::domain
namespace posfleet::webhooks {
class Poster;
}  // namespace posfleet::webhooks
namespace posfleet::domain {

struct Context {
  store::Store& store;
  store::ArtifactStore& artifacts;
  std::string tenant = "DEFAULT";
  int poll_seconds = 300;
  std::string data_dir = {};     // for files kept beside the database (audit anchor, SMS outbox)
  SmsSender* sms = nullptr;      // how one-time codes reach phones
  SecretBox* secrets = nullptr;  // encrypts personal data at rest
  IdentityVerifier* verifier =
      nullptr;                          // checks applicants beyond the format (identity_verifier.h)
  RateLimiter* public_limit = nullptr;  // per address, on the routes that need no log-in
  std::vector<std::string> trusted_proxies =
      {};                           // peers whose X-Forwarded-For names the client (nginx in front)
  int session_idle_seconds = 1800;  // a back-office session ends after this long unused
  int session_max_seconds = 12 * 3600;  // and after this long in any case
  // Gathers polls' last_seen for one write a second (last_seen.h); none: each poll writes.
  LastSeen* last_seen = nullptr;
  LoadState* load = nullptr;  // download slots and poll stretching (load.h); none: unlimited
  // Release keys the server checks signatures against at publish (releases.h);
  // none: the server stores what it is given and only terminals check.
  std::vector<PublicKey> release_keys = {};
  int release_threshold = 1;
  // The most terminals one bulk policy edit or deployment may change (policy_bulk.h).
  std::int64_t bulk_cap = 10000;
  // How terminals reach the server (posfleetd --external-url, e.g. https://fleet.example.com):
  // every link handed out starts with it, never with a request's Host header.
  std::string external_url = "http://127.0.0.1:8080";
  std::string support_phone = {};  // --support-phone: what a locked terminal tells its merchant
  // Where another web server (nginx, a CDN) serves --artifact-dir (posfleetd
  // --artifact-base-url, ending in '/'): the DDI's download links point there, at the artifact's
  // path inside the folder; "" = at posfleetd itself.
  std::string artifact_base_url = {};
  // Signs terminals' certificates (device_ca.h); none: enrolment hands out tokens only.
  DeviceCa* device_ca = nullptr;
  int device_cert_days = 90;  // how long a terminal's certificate is valid
  // How often the server looks for stuck deployments (timeouts.h; posfleetd --timeout-sweep-ms).
  int timeout_sweep_ms = 30000;
  // Webhooks (server/webhooks/): how often due events are sent (posfleetd --webhook-ms), the
  // first retry's delay (doubling after), whether plain http:// may go beyond loopback, and what
  // sends them (none: libcurl; tests put a fake here).
  int webhook_ms = 2000;
  int webhook_retry_seconds = 10;
  bool webhook_allow_http = false;
  webhooks::Poster* webhook_poster = nullptr;
  // Staged rollouts (rollouts/engine.h): how often the engine steps (posfleetd
  // --rollout-tick-ms), and how long a member not seen since its wave started may be offline
  // before it counts as unreachable (posfleetd --rollout-unreachable-seconds).
  std::int64_t rollout_tick_ms = 5000;
  std::int64_t rollout_unreachable_seconds = 3600;
  // Terminals' health (health.h, docs/health.md): how often a terminal sends it with a poll
  // (posfleetd --health-every-seconds), how far apart its history rows are at least
  // (--health-history-seconds), how long they are kept (--health-retention-days), and what
  // gathers reports for one write a second (none: each report is written at once).
  int health_every_seconds = 900;
  int health_history_seconds = 3600;
  int health_retention_days = 30;
  HealthReports* health = nullptr;
};

// Who did something, and through which of posfleet's paths.
struct Actor {
  std::string name;  // user name, terminal serial or support agent
  std::string kind;  // user | token | terminal | support | system
  std::string path;  // console | terminal | support | api
  // The client's network address (api::client_address); "" for the server's
  // own actions. record_audit falls back to the request's (audit.h AuditAddress).
  std::string address = {};
  // The organisation it acts for (domain/organisations.h): its audit entries belong there,
  // unless they are about a terminal, which are the terminal's organisation's.
  std::int64_t organisation = 1;
};

}  // namespace posfleet::domain
