// posfleet agent: the DDI calls an update makes while it runs — poll (for a
// cancel, and so settings keep flowing), feedback, cancel, artifact download.
// DdiClient (HttpDdiClient) implements it over HTTP; tests use FakeDdiClient
// (agent/ddi/fake_ddi_client.h) to script the server's answers.
// Thread-safety: one instance per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/http_client.h"
#include "core/result.h"

namespace posfleet::agent {

struct PollResult {
  int sleep_seconds = 60;
  boost::json::object posfleet;  // the extension: policy, notifications, offer ({} if absent)
  std::string deployment_href;   // empty if no deployment
  std::string cancel_href;       // empty if no cancel request
  bool wants_config_data = false;
};

struct FeedbackMessage {
  std::string execution;  // proceeding | closed | canceled | rejected
  std::string result;     // none | success | failure
  std::vector<std::string> details;
  int code = 0;
  // DDI status.result.progress (sent when of > 0): bytes downloaded of the total.
  std::int64_t progress_cnt = 0, progress_of = 0;
};

class UpdateDdi {
 public:
  virtual ~UpdateDdi() = default;
  virtual Expected<PollResult> poll(std::int64_t since = 0) = 0;
  virtual Expected<std::int64_t> cancel_action(const std::string& href) = 0;  // returns stopId
  virtual Status feedback(std::int64_t action_id, const FeedbackMessage& m) = 0;
  virtual Status cancel_feedback(std::int64_t action_id, const FeedbackMessage& m) = 0;
  // HttpClient::download semantics (core/http_client.h).
  virtual Expected<DownloadResult> download(
      const std::string& href, const std::string& file, std::uint64_t length,
      const std::function<void(const DownloadProgress&)>& progress, const DownloadLimits& limits,
      const std::function<bool()>& should_stop) = 0;
  // Seconds the last download's 429/503 asked to wait, else 0.
  virtual int download_retry_after() const = 0;
};

}  // namespace posfleet::agent
