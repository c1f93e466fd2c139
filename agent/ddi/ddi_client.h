// posfleet agent: the terminal's side of hawkBit DDI v1 (docs/protocol.md),
// as an interface: everything the daemon asks the server. The update steps
// need only its UpdateDdi part (agent/ddi/update_ddi.h). HttpDdiClient
// (http_ddi_client.h) implements it over HTTP; tests use FakeDdiClient
// (fake_ddi_client.h).
// Thread-safety: one instance per thread.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "agent/ddi/update_ddi.h"

namespace posfleet::agent {

struct ArtifactLink {
  std::string chunk, filename, href;
  std::uint64_t size = 0;
};

struct Deployment {
  std::int64_t action_id = 0;
  std::vector<ArtifactLink> artifacts;
  std::string manifest_text;  // posfleet extension: the signed manifest, "" if absent
  // posfleet extension: the patches the server offers this terminal (chunk: the component),
  // each to be matched with the signed manifest's deltas before use.
  std::vector<ArtifactLink> deltas = {};
};

class DdiClient : public UpdateDdi {
 public:
  // The largest JSON reply the terminal reads (a poll, a deployment with its manifest).
  static constexpr std::size_t kMaxReplyBytes = 4 << 20;
  // The most patches of one deployment the terminal reads (a manifest lists at most 16 a
  // component; the server offers at most one a component).
  static constexpr std::size_t kMaxOfferedDeltas = 64;
  // posfleet resources under the controller (docs/protocol.md).
  // reset: back to the group's and fleet's setting (mode is then ignored).
  virtual Expected<boost::json::object> put_policy(const std::string& mode,
                                                   std::int64_t base_revision,
                                                   bool reset = false) = 0;
  // Errors: kInvalidArgument when the server refused the ticket for good (a
  // 4xx other than 401, 403, 408, 429); kUnavailable on 429, the daily quota
  // (see retry_after_seconds()); others are worth trying again later.
  virtual Expected<std::int64_t> post_ticket(const std::string& message,
                                             const std::string& version) = 0;
  virtual Expected<Deployment> deployment(const std::string& href) = 0;
  // Root document `version` as the server stores it (GET .../roots/{version},
  // docs/formats/root.md), unchecked text of at most Root::kMaxRootBytes.
  virtual Expected<std::string> root(std::int64_t version) {
    return make_error(Code::kNotFound, "root " + std::to_string(version) + ": not served");
  }
  // posfleet's parameters (docs/parameters.md): the set of `app` the server holds for this
  // terminal, unchecked (agent/settings/parameters.h checks it), and the acknowledgement that
  // version `version` of it is applied.
  virtual Expected<boost::json::object> parameters(const std::string& app) {
    return make_error(Code::kNotFound, "parameters of " + app + ": not served");
  }
  virtual Status parameters_applied(const std::string& app, const std::string& version) {
    (void)version;
    return make_error(Code::kNotFound, "parameters of " + app + ": not served");
  }
  // The terminal unlocked lock `lock_id` (docs/terminal_lock.md): by its code ("code") or
  // because the back office lifted it ("remote").
  virtual Status lock_report(std::int64_t lock_id, const std::string& how) {
    (void)how;
    return make_error(Code::kNotFound, "lock " + std::to_string(lock_id) + ": not served");
  }
  // Remote actions (docs/diagnostics.md): action `id` done or failed, and a log bundle.
  virtual Status action_report(std::int64_t id, bool done, const std::string& detail) {
    (void)done;
    (void)detail;
    return make_error(Code::kNotFound, "action " + std::to_string(id) + ": not served");
  }
  virtual Status upload_bundle(std::int64_t id, const std::string& bundle) {
    (void)bundle;
    return make_error(Code::kNotFound, "action " + std::to_string(id) + ": not served");
  }
  // The terminal's health (core/health.h's JSON) to go with the next poll, as posfleet's
  // extension (docs/health.md); kept until a poll the server answers has carried it.
  virtual void attach_health(std::string json) { (void)json; }
  // DDI confirmation flow: the merchant confirmed (or denied) the action.
  virtual Status confirmation(std::int64_t action_id, bool confirmed,
                              const std::vector<std::string>& details) = 0;
  virtual Status config_data(
      const std::vector<std::pair<std::string, std::string>>& attributes) = 0;
  // Seconds the server's last answer on the control connection asked to wait
  // (Retry-After on a 429 or 503, e.g. a poll while it sheds load), else 0.
  virtual int retry_after_seconds() const = 0;
};

}  // namespace posfleet::agent
