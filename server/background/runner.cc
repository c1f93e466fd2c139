#include "server/background/runner.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <random>

#include "server/store/store.h"

namespace posfleet::background {

namespace {
std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Runner::Runner(store::Store& store, std::string owner, std::chrono::milliseconds lease_ttl)
    : store_(store), owner_(std::move(owner)), lease_ttl_(lease_ttl) {}

Runner::~Runner() { stop(); }

void Runner::every(std::string name, std::chrono::milliseconds period, std::function<Status()> job,
                   std::string lease) {
  jobs_.push_back({std::move(name), std::move(lease),
                   std::max(period, std::chrono::milliseconds(1)), std::move(job)});
}

std::string Runner::make_owner() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device rd;
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(rd() % 1000000);
}

void Runner::run_due(std::chrono::steady_clock::time_point now) {
  for (auto& job : jobs_) {
    if (now < job.due) continue;
    job.due = now + job.period;
    if (!job.lease.empty()) {
      const std::int64_t ms = unix_ms();
      auto held = store_.take_lease(job.lease, owner_, ms, ms + lease_ttl_.count());
      if (!held) {
        spdlog::warn("background: {}: cannot take lease {}: {}", job.name, job.lease,
                     held.error().message);
        continue;
      }
      if (!*held) continue;  // another server runs it
    }
    try {
      if (auto s = job.run(); !s)
        spdlog::warn("background: {}: {}; again in {} ms", job.name, s.error().to_string(),
                     job.period.count());
    } catch (const std::exception& e) {
      spdlog::error("background: {} threw: {}; again in {} ms", job.name, e.what(),
                    job.period.count());
    }
  }
}

void Runner::start() {
  if (thread_.joinable() || jobs_.empty()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Runner::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    run_due(std::chrono::steady_clock::now());
    lock.lock();
    auto next = std::chrono::steady_clock::time_point::max();
    for (const auto& job : jobs_) next = std::min(next, job.due);
    cv_.wait_until(lock, next, [this] { return stopping_; });
  }
}

void Runner::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (const auto& job : jobs_)
    if (!job.lease.empty())
      if (auto s = store_.release_lease(job.lease, owner_); !s)
        spdlog::info("background: lease {} not released ({}); it runs out by itself", job.lease,
                     s.error().message);
}

}  // namespace posfleet::background
