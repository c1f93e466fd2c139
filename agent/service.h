// posfleet agent: the terminal's settings and offers, shared by the daemon's
// poll loop and the local socket (menu, `posfleet-agent set|check|install`).
//
// It owns TerminalState: absorbs what each poll brings (policy of record,
// notifications), keeps a change the merchant makes until the server has
// answered it, decides with core/policy.h whether an offered update may
// install now, and answers local requests. A local request that needs the
// server (check, a policy change, a reset, a ticket) asks the loop to poll at
// once and waits a bounded time for that poll.
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "agent/config.h"
#include "agent/ddi/ddi_client.h"
#include "agent/settings/terminal_state.h"
#include "agent/trust/trust_store.h"
#include "core/clock.h"
#include "core/manifest.h"

namespace posfleet::agent {

class AgentService {
 public:
  // `clock` times the waits, the ticket queue's deferral and the notices.
  AgentService(const Config& config, std::string state_path, const std::atomic<bool>& stopping,
               Clock& clock = system_clock())
      : config_(config), path_(std::move(state_path)), stopping_(stopping), clock_(clock) {}
  Status load();
  // Releases are judged by this trust store (the current root) instead of the
  // config's trusted_keys; set before the poll loop starts.
  void use_trust(const TrustStore* trust) { trust_ = trust; }

  Policy effective_policy();

  // --- the poll loop ---
  std::int64_t notices_since();
  void poll_failed();
  // Takes in the policy and notifications of a successful poll.
  void absorb(const boost::json::object& extension);
  std::optional<PendingChange> pending();
  // The server's answer to a pending change: {"outcome","message","policy"}.
  void change_answered(const PendingChange& sent, const boost::json::object& answer);
  // The oldest queued ticket, unless the server asked to wait (429) and the
  // wait is not over: then nullopt, and the rest of the poll goes on.
  std::optional<std::string> next_ticket();
  void ticket_sent(std::int64_t ticket_id);
  // The server refused the oldest ticket for good (a 4xx other than 429):
  // it leaves the queue and the merchant is told, so it blocks no later one.
  void ticket_refused(const std::string& why);
  // The server asked to wait `seconds` (429, e.g. the daily quota): the queue
  // waits at most kMaxTicketWaitSeconds, then tries again.
  void ticket_deferred(int seconds);
  static constexpr int kMaxTicketWaitSeconds = 6 * 3600;
  // Tickets kept while offline or deferred; beyond, the menu refuses a new one.
  static constexpr std::size_t kMaxQueuedTickets = 20;
  // Should the offered deployment install now? Records why not for the menu.
  // `installed`: the committed slot's release, if known. A release the
  // terminal would refuse, or the very one installed already, is shown to no
  // one and goes straight to the state machine, which reports it.
  bool consider(const Deployment& d, const boost::json::object& server_offer,
                const std::optional<InstalledRelease>& installed);
  void no_offer();
  // Why the offered update waits ("confirmation", "window", "policy", …; "" when it does not).
  std::string waiting_for();
  // The signed security flag and the server's deadline of the offered action.
  std::pair<bool, std::int64_t> offer_terms(std::int64_t action_id);
  // The merchant's confirmed choice of components for this action, if any.
  std::optional<std::vector<std::string>> confirmed(std::int64_t action_id);
  void poll_finished();
  // Sleeps up to `seconds`; returns early when stopping or a poll is wanted
  // (then true).
  bool wait(int seconds);

  // --- the local socket ---
  boost::json::object handle(const boost::json::object& request);
  // Called (once) when the merchant asks to restart the device: the daemon
  // then stops at the next state boundary, reboots the simulated device and
  // starts again, resuming or rolling back an update in flight.
  void on_restart(std::function<void()> hook) { restart_hook_ = std::move(hook); }

 private:
  boost::json::object status_reply();
  boost::json::object unlock(const std::string& code);
  boost::json::object set_mode(const std::string& mode);
  boost::json::object check();
  boost::json::object install(const boost::json::object& request);
  boost::json::object ticket(const std::string& message);
  boost::json::object reset_settings();
  boost::json::object restart();
  // Asks for a poll now and waits up to `seconds` for it; false if none finished.
  bool poll_now_and_wait(int seconds);
  void save_locked();

  const Config& config_;
  const TrustStore* trust_ = nullptr;
  std::string path_;
  const std::atomic<bool>& stopping_;
  Clock& clock_;
  std::mutex mu_;
  std::condition_variable polled_;
  TerminalState state_;
  // Poll requests are numbered; a poll serves every request made before it
  // started, so a waiter knows its request was really carried to the server.
  std::uint64_t requested_ = 0, serving_ = 0, served_ = 0;
  std::string last_change_zh_, last_change_en_;
  std::int64_t last_ticket_ = 0;
  // Tickets refused so far, with the last reason; the steady time before which
  // the queue waits (429) and the notice said so once per wait.
  std::uint64_t tickets_refused_ = 0;
  std::string ticket_refusal_zh_, ticket_refusal_en_, ticket_wait_zh_, ticket_wait_en_;
  std::chrono::steady_clock::time_point ticket_retry_at_{};
  bool ticket_wait_noticed_ = false;
  std::function<void()> restart_hook_;
  // When this daemon started (ms since the epoch): the menu tells a restarted one by it.
  const std::int64_t started_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  std::atomic<bool> restarting_{false};
};

}  // namespace posfleet::agent
