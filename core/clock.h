// posfleet core: time. UTC timestamps in the one text form posfleet writes,
// "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC, whole seconds), and the Clock seam:
// code that waits or stamps times takes a Clock&, so tests run it on a
// FakeClock (core/fake_clock.h) that moves only when told, with no real sleeps.
// Thread-safety: the free functions are pure; SystemClock is safe from any
// thread; a Clock implementation says its own rules.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet {

std::int64_t unix_now();
std::string format_utc(std::int64_t unix_seconds);
Expected<std::int64_t> parse_utc(std::string_view text);

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time, unix seconds.
  virtual std::int64_t now() = 0;
  // Monotonic time, for intervals and deadlines that must not jump.
  virtual std::chrono::steady_clock::time_point steady() = 0;
  // Waits on `cv` (with `lock` held) for at most `d`, or until notified.
  // Callers re-check their condition after it returns, as with any wait.
  virtual void wait_for(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                        std::chrono::milliseconds d) = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now() override { return unix_now(); }
  std::chrono::steady_clock::time_point steady() override {
    return std::chrono::steady_clock::now();
  }
  void wait_for(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                std::chrono::milliseconds d) override {
    cv.wait_for(lock, d);
  }
};

// The process's real clock.
Clock& system_clock();

}  // namespace posfleet
