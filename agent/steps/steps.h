// posfleet agent: the steps of an update, one file each, run by the state
// machine (state/state_machine.cc) which owns the order and the failure paths.
//
// A step reads and updates the shared UpdateContext and returns an Event; on
// failure it sets record.error / record.error_code first. A step may be
// re-run after a crash from its start, so each is idempotent.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "agent/config.h"
#include "agent/ddi/ddi_client.h"
#include "agent/device/boot_control.h"
#include "agent/device/hardware.h"
#include "agent/device/merchant_data.h"
#include "core/policy.h"
#include "agent/state/update_record.h"
#include "core/result.h"

namespace posfleet::agent {

enum class Event { kDone, kFailed, kRetry, kFellBack, kCanceled };

struct UpdateContext {
  const Config& config;
  UpdateRecord& record;
  BootControl& boot;
  DdiClient& ddi;
  const std::atomic<bool>& stopping;
  // Sleeps up to `seconds` unless stopping; used for retries with backoff.
  std::function<void(int seconds)> wait;
  // The server's poll interval, kept up to date by the daemon; long steps
  // look for a cancel request this often.
  int poll_seconds = 60;
  // The terminal's hardware and the merchant's data.
  Network* network = nullptr;
  Battery* battery = nullptr;
  Storage* storage = nullptr;
  Peripherals* peripherals = nullptr;
  TransactionGuard* guard = nullptr;
  MerchantData* data = nullptr;
  // The policy the terminal acts on (its copy, with an unsent change applied).
  std::function<Policy()> policy;
  // Held from the pre-checks until the update ends, so no sale starts while
  // the slots change; re-taken after a restart.
  std::unique_ptr<TransactionGuard::Hold> guard_hold = {};

  std::string download_dir() const { return config.device_dir + "/download"; }
  std::string part_path(const PlannedArtifact& a) const { return download_dir() + "/" + a.sha256 + ".part"; }
  std::string progress_path() const { return config.device_dir + "/state/progress.json"; }
  Event fail(const Error& e);
  // Records why the update waits and tells the server once per new reason;
  // returns kRetry after waiting `seconds`.
  Event wait_for(const std::string& reason, int seconds);
  // Takes the transaction guard if not held; false while a sale is in progress.
  bool hold_guard();
  // Polls the server (at most every poll_seconds) and answers true once when
  // it asks to cancel this action.
  bool cancel_requested();
  std::int64_t last_cancel_check = 0;
  // Whether the update may still go ahead under the terminal's policy now
  // (mode, window); "" if it may, else the reason it waits.
  std::string policy_hold();
  // Called with each poll a long step makes, so settings keep flowing.
  std::function<void(const PollResult&)> on_poll = {};
  bool security = false;      // the release is signed as security-critical
  std::int64_t deadline = 0;  // its deadline, as offered
  // Sends proceeding feedback; a lost message is not an error (the next one carries on).
  void progress_note(const std::string& line);
};

// Why an update waits, for a person: reason key → text in zh-CN or en.
std::string waiting_text(const std::string& reason, bool zh);

// Installed version: what slot.json of the committed slot says.
Expected<std::string> installed_version(BootControl& boot);

Event check_manifest(UpdateContext& ctx);
Event precheck(UpdateContext& ctx);
Event backup(UpdateContext& ctx);
Event download(UpdateContext& ctx);
Event verify_artifacts(UpdateContext& ctx);
Event install(UpdateContext& ctx);
Event reboot(UpdateContext& ctx);
Event health_check(UpdateContext& ctx);
Event commit(UpdateContext& ctx);
Event rollback(UpdateContext& ctx);
Event report_success(UpdateContext& ctx);
Event report_failure(UpdateContext& ctx);
Event report_canceled(UpdateContext& ctx);

}  // namespace posfleet::agent
