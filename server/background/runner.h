// posfleet server: background work (advancing rollouts, timing out stuck deployments,
// delivering webhooks) run on one thread of its own, each job every `period`.
//
// A job with a lease name runs only while this server holds that lease in the store
// (store/leases_store.h): on several posfleetd servers sharing one database exactly one runs it
// at a time, and another takes over within `lease_ttl` of the holder stopping or dying. A job
// returns quickly (one step of its work) and is never run twice at once; an error or exception
// it raises is logged and the job runs again next period. Timers that must survive a restart
// live in the database, never here.
// Thread-safety: every() before start(); start() and stop() from one thread; stop() joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace posfleet::store {
class Store;
}

namespace posfleet::background {

class Runner {
 public:
  // `owner` names this server in the leases table (e.g. host:pid:random); make_owner() makes one.
  Runner(store::Store& store, std::string owner,
         std::chrono::milliseconds lease_ttl = std::chrono::seconds(15));
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // `lease` empty: runs on every server (work that is per process).
  void every(std::string name, std::chrono::milliseconds period, std::function<Status()> job,
             std::string lease = "");
  void start();
  void stop();  // waits for a running job to return; releases the leases held

  // Runs every job that is due once, on the calling thread (tests, and `start`'s loop).
  void run_due(std::chrono::steady_clock::time_point now);

  static std::string make_owner();
  const std::string& owner() const { return owner_; }

 private:
  struct Job {
    std::string name, lease;
    std::chrono::milliseconds period;
    std::function<Status()> run;
    std::chrono::steady_clock::time_point due{};
  };
  void loop();

  store::Store& store_;
  std::string owner_;
  std::chrono::milliseconds lease_ttl_;
  std::vector<Job> jobs_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace posfleet::background
