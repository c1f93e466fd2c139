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
#include "agent/ddi/update_ddi.h"
#include "agent/device/boot_control.h"
#include "agent/device/hardware.h"
#include "agent/device/merchant_data.h"
#include "agent/state/update_record.h"
#include "agent/trust/trust_store.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/manifest.h"
#include "core/policy.h"
#include "core/result.h"

namespace posfleet::agent {

// kUnchanged: the release offered is the very one installed; nothing to do.
enum class Event { kDone, kFailed, kRetry, kFellBack, kCanceled, kUnchanged };

// The terminal's hardware besides its boot slots; null: not present (no check).
struct Hardware {
  Network* network = nullptr;
  Battery* battery = nullptr;
  Storage* storage = nullptr;
  Peripherals* peripherals = nullptr;
  TransactionGuard* guard = nullptr;
};

// Everything outside the agent that an update uses, each behind an interface
// with a fake beside it. Picked once at start-up (agent/platform.h). The
// HTTP client sits beneath `ddi`.
struct UpdateServices {
  UpdateDdi& ddi;
  BootControl& boot;
  Hardware hardware = {};
  MerchantData* data = nullptr;  // the merchant's data, null: none to keep
  Clock& clock = system_clock();
  // Every file the steps write goes through it (core/fs.h; power-cut tests swap it).
  Fs* fs = &default_fs();
  // The root and release sequence the terminal trusts (agent/trust/); null:
  // the config's trusted_keys + threshold, no sequence kept (older tests).
  TrustStore* trust = nullptr;
};

// What the daemon lends a running update.
struct UpdateHooks {
  // Sleeps up to `seconds`; returns early when stopping, or with true when
  // someone (the menu) asked for a poll now. Steps wait through pause().
  std::function<bool(int seconds)> wait;
  // The policy the terminal acts on (its copy, with an unsent change applied).
  std::function<Policy()> policy = {};
  // Notifications already held, for the poll's `since`.
  std::function<std::int64_t()> notices_since = {};
  // Called with each poll a long step makes, so settings keep flowing.
  std::function<void(const PollResult&)> on_poll = {};
};

// What holds only while this agent process runs: lost at a restart, rebuilt
// after it (unlike the UpdateRecord, which is persisted before each state).
struct UpdateRuntime {
  // The server's poll interval, kept up to date by the daemon; long steps
  // look for a cancel request this often.
  int poll_seconds = 60;
  std::int64_t last_cancel_check = 0;
  // Held from the pre-checks until the update ends, so no sale starts while
  // the slots change; re-taken after a restart.
  std::unique_ptr<TransactionGuard::Hold> guard_hold = {};
  bool security = false;      // the release is signed as security-critical
  std::int64_t deadline = 0;  // its deadline, as offered
  // The server answered a feedback with 410 Gone: it ended the action (timed out as stuck,
  // domain/timeouts.h, or closed otherwise). While the slots are untouched the update stops
  // (as for a cancel); past that it runs to its end and its report is not resent.
  bool ended_on_server = false;
  std::int64_t last_probe = 0;  // when the action was last checked while the server offered none
};

// The structured line the agent puts first in a feedback's details, so the server reads where
// the terminal is with the action (server/domain/phases.h): "phase: downloading" (fetched,
// downloading, waiting for a network), "phase: installing" (verify, pre-checks, install, reboot,
// health check), "phase: waiting_window" (held for its window, a freeze, the merchant or the
// policy) and, on a failure report after a rollback, "phase: rolled_back".
inline constexpr const char* kPhaseLine = "phase: ";
// The mark rollback() leaves in the update's error, which the report turns into "phase:
// rolled_back".
inline constexpr const char* kRolledBackMark = " (rolled back to slot ";
// Waiting reasons (waiting_text keys) that hold an update legitimately: the server counts them as
// waiting_window, not as stuck.
bool waits_for_window(const std::string& reason);

struct UpdateContext {
  const Config& config;
  UpdateServices services;
  UpdateRecord& record;  // persisted
  const std::atomic<bool>& stopping;
  UpdateHooks hooks;
  UpdateRuntime runtime = {};

  std::string download_dir() const { return config.device_dir + "/download"; }
  std::string part_path(const PlannedArtifact& a) const {
    return download_dir() + "/" + a.sha256 + ".part";
  }
  // Where a component's patch is downloaded to.
  std::string delta_part_path(const PlannedArtifact& a) const {
    return download_dir() + "/" + a.delta.sha256 + ".delta.part";
  }
  std::string progress_path() const { return config.device_dir + "/state/progress.json"; }
  // Unix seconds by the services' clock.
  std::int64_t now() const { return services.clock.now(); }
  bool wait(int seconds) const { return hooks.wait(seconds); }
  Event fail(const Error& e);
  // Records why the update waits and tells the server once per new reason;
  // then pause(seconds).
  Event wait_for(const std::string& reason, int seconds);
  // Every wait of a step: up to `seconds`, polling the server meanwhile at its
  // interval (so settings flow and a cancel is seen at once). kCanceled when
  // the operator canceled this action and the slots are untouched, else kRetry.
  Event pause(int seconds);
  // Takes the transaction guard if not held; false while a sale is in progress.
  bool hold_guard();
  // Polls the server (at most every poll_seconds, unless `right_now`) and
  // answers true once when it asks to cancel this action while the slots are
  // untouched. A cancel that comes too late, or for another action, is
  // answered here, so the server does not wait for it.
  bool cancel_requested(bool right_now = false);
  // Whether the update may still go ahead under the terminal's policy now
  // (mode, window); "" if it may, else the reason it waits.
  std::string policy_hold();
  // Sends proceeding feedback with the phase line for the current state (or `phase`); a lost
  // message is not an error (the next one carries on). 410 Gone sets runtime.ended_on_server.
  void progress_note(const std::string& line, const char* phase = nullptr);
  // Notes a feedback's outcome: 410 Gone (kConflict from the DDI client) means the server ended
  // the action.
  void note_delivery(const Status& sent);
};

// Why an update waits, for a person: reason key → text in zh-CN or en.
std::string waiting_text(const std::string& reason, bool zh);

// Installed version: what slot.json of the committed slot says.
Expected<std::string> installed_version(BootControl& boot);
// The committed slot's release: version, manifest hash, components.
Expected<InstalledRelease> installed_release(BootControl& boot);

// The poll interval to keep: the server's, capped by the config's max_poll_seconds.
int poll_interval(const Config& config, const PollResult& poll);
// Answers a cancel that cannot be obeyed: `installing` (the slots are being
// changed; the update runs to its end) or an action that does not run here.
void refuse_cancel(UpdateDdi& ddi, std::int64_t stop_id, bool installing);

Event check_manifest(UpdateContext& ctx);
// Part of download: makes part_path(a) from a's downloaded patch and the running slot's copy;
// "" when it is there and checked, else why the patch cannot be used (then the full file is
// downloaded).
std::string make_from_delta(UpdateContext& ctx, const PlannedArtifact& a);
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
Event report_unchanged(UpdateContext& ctx);

}  // namespace posfleet::agent
