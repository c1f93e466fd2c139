// posfleet agent: DdiClient over HTTP (hawkBit DDI v1 plus posfleet's
// extension, docs/protocol.md). Follows links to the configured server only.
// Thread-safety: one HttpDdiClient per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agent/config.h"
#include "agent/ddi/ddi_client.h"
#include "core/clock.h"
#include "core/http_client.h"

namespace posfleet::agent {

class HttpDdiClient final : public DdiClient {
 public:
  // `control` carries polls and feedback; `downloads` its own connection, so
  // that the control connection can poll (e.g. for a cancel) while a transfer
  // runs. Both send the terminal's token; `clock` stamps feedback.
  // `elsewhere` downloads artifacts a deployment links to on another host (a server started
  // with --artifact-base-url: nginx or a CDN serving its artifact folder) and sends neither the
  // token nor a client certificate; the signed manifest vouches for those bytes. Without it,
  // such links are refused.
  HttpDdiClient(const Config& c, std::unique_ptr<HttpClient> control,
                std::unique_ptr<HttpClient> downloads, Clock& clock = system_clock(),
                std::unique_ptr<HttpClient> elsewhere = nullptr);
  // Over libcurl, to c.server with the terminal's token.
  static std::unique_ptr<HttpDdiClient> over_curl(const Config& c, Clock& clock = system_clock());

  // Asks for posfleet's extension, with notifications newer than `since`.
  Expected<PollResult> poll(std::int64_t since = 0) override;
  void attach_health(std::string json) override { health_ = std::move(json); }
  Expected<boost::json::object> put_policy(const std::string& mode, std::int64_t base_revision,
                                           bool reset = false) override;
  Expected<std::int64_t> post_ticket(const std::string& message,
                                     const std::string& version) override;
  Expected<Deployment> deployment(const std::string& href) override;
  Expected<std::string> root(std::int64_t version) override;
  Expected<boost::json::object> parameters(const std::string& app) override;
  Status parameters_applied(const std::string& app, const std::string& version) override;
  Status lock_report(std::int64_t lock_id, const std::string& how) override;
  Status action_report(std::int64_t id, bool done, const std::string& detail) override;
  Status upload_bundle(std::int64_t id, const std::string& bundle) override;
  Expected<std::int64_t> cancel_action(const std::string& href) override;  // returns stopId
  Status feedback(std::int64_t action_id, const FeedbackMessage& m) override;
  Status cancel_feedback(std::int64_t action_id, const FeedbackMessage& m) override;
  Status confirmation(std::int64_t action_id, bool confirmed,
                      const std::vector<std::string>& details) override;
  Status config_data(const std::vector<std::pair<std::string, std::string>>& attributes) override;
  int retry_after_seconds() const override { return http_->retry_after_seconds(); }
  Expected<DownloadResult> download(const std::string& href, const std::string& file,
                                    std::uint64_t length,
                                    const std::function<void(const DownloadProgress&)>& progress,
                                    const DownloadLimits& limits,
                                    const std::function<bool()>& should_stop) override {
    last_download_ = on_server(href) ? downloads_.get() : elsewhere_.get();
    if (!last_download_)
      return make_error(Code::kServer, "the download link names another host; refused");
    return last_download_->download(href, file, length, progress, limits, should_stop);
  }
  int download_retry_after() const override {
    return last_download_ ? last_download_->retry_after_seconds() : 0;
  }

 private:
  Status post(const std::string& path, const FeedbackMessage& m, std::int64_t id);
  std::string server_;
  std::string base_path_;
  std::unique_ptr<HttpClient> http_;
  // Whether `href` is on the configured server (the token may go with it).
  bool on_server(const std::string& href) const;
  std::unique_ptr<HttpClient> downloads_;
  std::unique_ptr<HttpClient> elsewhere_;
  HttpClient* last_download_ = nullptr;
  Clock& clock_;
  std::string health_;  // to go with the next poll (attach_health)
};

// "HH:MM:SS" → seconds; nullopt if malformed.
std::optional<int> parse_sleep(const std::string& text);

}  // namespace posfleet::agent
