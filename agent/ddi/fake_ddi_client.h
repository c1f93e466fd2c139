// posfleet agent, tests only: a DdiClient whose server is a script. Polls
// answer `next_poll` (plus a cancel link once `cancel_action_id` is set),
// every feedback delivered is kept in `sent` (the next `fail_feedback` ones
// are lost with kNetwork first), and each download calls `on_download`
// (which may write the file and return any result or error). The daemon's
// own calls (deployment, policy change, ticket, confirmation, configData)
// answer from their scripts and are kept too.
// Thread-safety: one thread.
#pragma once

#include <fstream>
#include <map>

#include "agent/ddi/ddi_client.h"

namespace posfleet::agent {

class FakeDdiClient : public DdiClient {
 public:
  struct Sent {
    bool cancel = false;  // sent to cancelAction/…/feedback
    std::int64_t action_id = 0;
    FeedbackMessage m;
  };

  Expected<PollResult> poll(std::int64_t since) override {
    ++polls;
    last_since = since;
    if (fail_polls > 0) {
      --fail_polls;
      return make_error(Code::kNetwork, "poll: connection refused");
    }
    PollResult p = next_poll;
    if (cancel_action_id)
      p.cancel_href = "http://fake/cancelAction/" + std::to_string(cancel_action_id);
    return p;
  }
  Expected<std::int64_t> cancel_action(const std::string&) override { return cancel_action_id; }
  Status feedback(std::int64_t id, const FeedbackMessage& m) override { return keep(false, id, m); }
  Status cancel_feedback(std::int64_t id, const FeedbackMessage& m) override {
    if (fail_feedback == 0 && (m.execution == "closed" || m.execution == "canceled"))
      cancel_action_id = 0;
    return keep(true, id, m);
  }
  Expected<DownloadResult> download(const std::string& href, const std::string& file,
                                    std::uint64_t length,
                                    const std::function<void(const DownloadProgress&)>&,
                                    const DownloadLimits& limits,
                                    const std::function<bool()>& should_stop) override {
    ++downloads;
    last_limits = limits;
    if (should_stop && should_stop()) return make_error(Code::kCanceled, "stopped");
    if (on_download) return on_download(href, file, length);
    return make_error(Code::kNotFound, "download of " + href + " answered HTTP 404");
  }
  int download_retry_after() const override { return retry_after; }

  Expected<boost::json::object> put_policy(const std::string& mode, std::int64_t base_revision,
                                           bool reset) override {
    policy_changes.push_back({mode, base_revision, reset});
    if (on_put_policy) return on_put_policy(mode, base_revision, reset);
    return make_error(Code::kNetwork, "policy change: connection refused");
  }
  Expected<std::int64_t> post_ticket(const std::string& message,
                                     const std::string& version) override {
    tickets.push_back({message, version});
    if (on_ticket) return on_ticket(message);
    return static_cast<std::int64_t>(tickets.size());
  }
  Expected<std::string> root(std::int64_t version) override {
    auto r = roots.find(version);
    if (r == roots.end())
      return make_error(Code::kNotFound, "root " + std::to_string(version) + " answered HTTP 404");
    return r->second;
  }
  Expected<Deployment> deployment(const std::string& href) override {
    auto d = deployments.find(href);
    if (d == deployments.end()) return make_error(Code::kNotFound, href + " answered HTTP 404");
    return d->second;
  }
  Status confirmation(std::int64_t action_id, bool confirmed,
                      const std::vector<std::string>&) override {
    confirmations.push_back({action_id, confirmed});
    return ok_status();
  }
  Status config_data(const std::vector<std::pair<std::string, std::string>>& a) override {
    attributes.push_back(a);
    return ok_status();
  }
  int retry_after_seconds() const override { return control_retry_after; }

  // The messages with this execution ("closed", "proceeding", …).
  std::vector<Sent> sent_with(const std::string& execution) const {
    std::vector<Sent> out;
    for (const auto& s : sent)
      if (s.m.execution == execution) out.push_back(s);
    return out;
  }

  PollResult next_poll = [] {
    PollResult p;
    p.sleep_seconds = 1;
    return p;
  }();
  std::int64_t cancel_action_id = 0;
  int retry_after = 0, control_retry_after = 0;
  int fail_polls = 0, fail_feedback = 0;
  bool gone = false;  // feedback answers 410 Gone: the server ended the action (timed out)
  int polls = 0, downloads = 0, lost_feedback = 0;
  std::int64_t last_since = 0;
  DownloadLimits last_limits;
  std::function<Expected<DownloadResult>(const std::string&, const std::string&, std::uint64_t)>
      on_download;
  std::function<Expected<boost::json::object>(const std::string&, std::int64_t, bool)>
      on_put_policy;
  std::function<Expected<std::int64_t>(const std::string&)> on_ticket;
  std::map<std::string, Deployment> deployments;
  std::map<std::int64_t, std::string> roots;  // root version -> envelope text
  std::vector<Sent> sent;
  struct PolicyChange {
    std::string mode;
    std::int64_t base_revision = 0;
    bool reset = false;
  };
  std::vector<PolicyChange> policy_changes;
  std::vector<std::pair<std::string, std::string>> tickets;  // message, version
  std::vector<std::pair<std::int64_t, bool>> confirmations;
  std::vector<std::vector<std::pair<std::string, std::string>>> attributes;

 private:
  Status keep(bool cancel, std::int64_t id, const FeedbackMessage& m) {
    if (gone) return make_error(Code::kConflict, "server says the action has already ended");
    if (fail_feedback > 0) {
      --fail_feedback;
      ++lost_feedback;
      return make_error(Code::kNetwork, "feedback: connection reset");
    }
    sent.push_back({cancel, id, m});
    return ok_status();
  }
};

// The update steps' view of it; the older name of the same fake.
using FakeUpdateDdi = FakeDdiClient;

// Writes `bytes` to `file` the way a finished download would.
inline Expected<DownloadResult> fake_download_bytes(const std::string& file,
                                                    const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  DownloadResult r;
  r.fetched = bytes.size();
  r.status = 200;
  return r;
}

}  // namespace posfleet::agent
