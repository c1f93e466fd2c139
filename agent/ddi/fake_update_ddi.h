// posfleet agent, tests only: an UpdateDdi whose server is a script. Polls
// answer `next_poll` (a cancel link once `cancel_action_id` is set), every
// feedback is kept, and each download calls `on_download` (which may write
// the file and return any result or error).
// Thread-safety: one thread.
#pragma once

#include <fstream>

#include "agent/ddi/update_ddi.h"

namespace posfleet::agent {

class FakeUpdateDdi : public UpdateDdi {
 public:
  struct Sent {
    bool cancel = false;  // sent to cancelAction/…/feedback
    std::int64_t action_id = 0;
    FeedbackMessage m;
  };

  Expected<PollResult> poll(std::int64_t) override {
    ++polls;
    PollResult p;
    p.sleep_seconds = 1;
    if (cancel_action_id)
      p.cancel_href = "http://fake/cancelAction/" + std::to_string(cancel_action_id);
    return p;
  }
  Expected<std::int64_t> cancel_action(const std::string&) override { return cancel_action_id; }
  Status feedback(std::int64_t id, const FeedbackMessage& m) override { return keep(false, id, m); }
  Status cancel_feedback(std::int64_t id, const FeedbackMessage& m) override {
    if (m.execution == "closed" || m.execution == "canceled") cancel_action_id = 0;
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

  // The messages with this execution ("closed", "proceeding", …).
  std::vector<Sent> sent_with(const std::string& execution) const {
    std::vector<Sent> out;
    for (const auto& s : sent)
      if (s.m.execution == execution) out.push_back(s);
    return out;
  }

  std::int64_t cancel_action_id = 0;
  int retry_after = 0;
  int polls = 0, downloads = 0;
  DownloadLimits last_limits;
  std::function<Expected<DownloadResult>(const std::string&, const std::string&, std::uint64_t)>
      on_download;
  std::vector<Sent> sent;

 private:
  Status keep(bool cancel, std::int64_t id, const FeedbackMessage& m) {
    sent.push_back({cancel, id, m});
    return ok_status();
  }
};

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
