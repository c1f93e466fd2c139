// posfleet agent: the terminal's side of hawkBit DDI v1 (docs/protocol.md).
// Thread-safety: one DdiClient per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "agent/config.h"
#include "agent/ddi/update_ddi.h"
#include "core/http_client.h"

namespace posfleet::agent {

struct ArtifactLink {
  std::string chunk, filename, href;
  std::uint64_t size = 0;
};

struct Deployment {
  std::int64_t action_id = 0;
  std::vector<ArtifactLink> artifacts;
  std::string manifest_text;  // posfleet extension: the signed manifest, "" if absent
};

class DdiClient : public UpdateDdi {
 public:
  // The largest JSON reply the terminal reads (a poll, a deployment with its manifest).
  static constexpr std::size_t kMaxReplyBytes = 4 << 20;
  explicit DdiClient(const Config& c);
  // Asks for posfleet's extension, with notifications newer than `since`.
  Expected<PollResult> poll(std::int64_t since = 0) override;
  // posfleet resources under the controller (docs/protocol.md).
  // reset: back to the group's and fleet's setting (mode is then ignored).
  Expected<boost::json::object> put_policy(const std::string& mode, std::int64_t base_revision,
                                           bool reset = false);
  // Errors: kInvalidArgument when the server refused the ticket for good (a
  // 4xx other than 401, 403, 408, 429); kUnavailable on 429, the daily quota
  // (see retry_after_seconds()); others are worth trying again later.
  Expected<std::int64_t> post_ticket(const std::string& message, const std::string& version);
  Expected<Deployment> deployment(const std::string& href);
  Expected<std::int64_t> cancel_action(const std::string& href) override;  // returns stopId
  Status feedback(std::int64_t action_id, const FeedbackMessage& m) override;
  Status cancel_feedback(std::int64_t action_id, const FeedbackMessage& m) override;
  // DDI confirmation flow: the merchant confirmed (or denied) the action.
  Status confirmation(std::int64_t action_id, bool confirmed,
                      const std::vector<std::string>& details);
  Status config_data(const std::vector<std::pair<std::string, std::string>>& attributes);
  // Seconds the server's last answer on the control connection asked to wait
  // (Retry-After on a 429 or 503, e.g. a poll while it sheds load), else 0.
  int retry_after_seconds() const { return http_.retry_after_seconds(); }
  // Downloads use their own connection, so that the control connection can
  // poll (e.g. for a cancel) while a transfer runs.
  Expected<DownloadResult> download(const std::string& href, const std::string& file,
                                    std::uint64_t length,
                                    const std::function<void(const DownloadProgress&)>& progress,
                                    const DownloadLimits& limits,
                                    const std::function<bool()>& should_stop) override {
    return downloads_.download(href, file, length, progress, limits, should_stop);
  }
  int download_retry_after() const override { return downloads_.retry_after_seconds(); }

 private:
  Status post(const std::string& path, const FeedbackMessage& m, std::int64_t id);
  std::string server_;
  std::string base_path_;
  HttpClient http_;
  HttpClient downloads_;
};

// "HH:MM:SS" → seconds; nullopt if malformed.
std::optional<int> parse_sleep(const std::string& text);

}  // namespace posfleet::agent
