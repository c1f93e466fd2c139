// posfleet core, tests only: a Clock that moves only when told (advance) or
// when code waits on it (wait_for moves it by the whole wait at once, after
// letting other threads run). Starts at the real time so that signed
// manifests' expiry dates still hold.
// Thread-safety: any thread.
#pragma once

#include <atomic>
#include <thread>

#include "core/clock.h"

namespace posfleet {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start = unix_now()) : start_(start) {}
  std::int64_t now() override { return start_ + ms_.load() / 1000; }
  std::chrono::steady_clock::time_point steady() override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(ms_.load()));
  }
  void wait_for(std::condition_variable&, std::unique_lock<std::mutex>& lock,
                std::chrono::milliseconds d) override {
    lock.unlock();
    std::this_thread::yield();
    lock.lock();
    advance(d);
    ++waits;
  }
  void advance(std::chrono::milliseconds d) { ms_ += d.count(); }
  void advance_seconds(std::int64_t s) { ms_ += s * 1000; }

  std::atomic<int> waits{0};

 private:
  const std::int64_t start_;
  std::atomic<std::int64_t> ms_{0};
};

}  // namespace posfleet
