// posfleet server: load shedding for artifact downloads, and the figures that
// GET /api/v1/status shows.
//
// At most `max_downloads` artifact transfers stream at once. A download beyond
// that is turned away with a Retry-After (docs/protocol.md, "Server load"),
// and while the slots are exhausted, or were within the last 10 s, the base
// poll tells terminals to come back less often, so that a fleet spreads out
// instead of stampeding. A terminal that asks again before its Retry-After
// ran out is counted as an early retry: a misbehaving client shows up there.
// Thread-safety: every member may be called from any thread. The poll path
// (poll_seconds) reads atomics only; the download path (acquire) also takes a
// mutex for the per-terminal not-before times.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace posfleet::domain {

// What acquire() gives: a held slot, or how long to wait for one.
struct DownloadGrant {
  std::shared_ptr<void> slot;   // the slot is free again when the last copy goes; null when refused
  int retry_after_seconds = 0;  // when refused: what to tell the terminal
  explicit operator bool() const { return slot != nullptr; }
};

struct LoadFigures {
  int active = 0, max = 0, peak = 0;
  std::int64_t refused = 0, early_retries = 0;
  int recent_refused = 0;  // turned away in the last 10-20 s
  bool busy = false;       // slots exhausted now or within the last 10 s
};

class LoadState {
 public:
  // `max_downloads` 0 means unlimited (downloads are still counted).
  explicit LoadState(int max_downloads);
  LoadState(const LoadState&) = delete;
  LoadState& operator=(const LoadState&) = delete;

  // Takes a download slot for `terminal_id`, or refuses with a Retry-After of
  // 5-15 s, jittered, longer the more terminals were turned away recently.
  // The LoadState must outlive every slot it hands out.
  DownloadGrant acquire(std::int64_t terminal_id);

  // The poll interval to announce: `configured` while downloads have room;
  // twice that while they are busy; four times while more than four times
  // the slots' worth of terminals were turned away recently. At most a day.
  int poll_seconds(int configured) const;

  LoadFigures figures() const;

  static constexpr std::int64_t kBusyWindowMs = 10'000;

 private:
  void release();
  // Counts an early retry and forgets expired not-before times.
  void check_not_before(std::int64_t terminal_id, std::int64_t now_ms);
  int recent_refused(std::int64_t now_ms) const;

  const int max_;
  std::atomic<int> active_{0}, peak_{0};
  std::atomic<std::int64_t> refused_{0}, early_{0};
  std::atomic<std::int64_t> last_busy_ms_;  // when the slots were last seen exhausted
  std::atomic<std::int64_t> window_start_ms_{0};
  std::atomic<int> window_refused_{0};  // refusals since window_start_ms_

  std::mutex mu_;                                              // guards not_before_
  std::unordered_map<std::int64_t, std::int64_t> not_before_;  // terminal id -> steady ms
};

}  // namespace posfleet::domain
