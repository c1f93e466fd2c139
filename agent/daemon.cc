#include "agent/daemon.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <tuple>

#include "agent/ddi/ddi_client.h"
#include "agent/diagnostics/actions.h"
#include "agent/diagnostics/health.h"
#include "agent/local/local_server.h"
#include "agent/platform.h"
#include "agent/service.h"
#include "agent/settings/lock.h"
#include "agent/settings/parameters.h"
#include "agent/state/state_machine.h"
#include "agent/steps/steps.h"
#include "agent/trust/root_walk.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/json.h"
#include "core/sd_notify.h"
#include "core/text.h"

namespace posfleet::agent {

namespace {

// Set from the signal handler; everything that waits looks at it often.
std::atomic<bool> g_stopping{false};
// The merchant chose 重启设备: stop like on SIGTERM, then reboot and start again.
std::atomic<bool> g_restart{false};

// The simulated device restarts: the bootloader picks its slot (a pending one
// spends an attempt), then this program starts afresh with the same command
// line and resumes the persisted update, or rolls it back (state_machine.cc).
Status restart_device(BootControl& boot) {
  auto after = boot.reboot();
  if (!after) return after.error();
  spdlog::info("restart: device rebooted into slot {}; starting the agent again", after->booted);
  auto cmdline = read_file("/proc/self/cmdline");
  if (!cmdline) return cmdline.error();
  std::vector<std::string> args;
  for (size_t start = 0; start < cmdline->size();) {
    size_t end = cmdline->find('\0', start);
    if (end == std::string::npos) end = cmdline->size();
    args.push_back(cmdline->substr(start, end - start));
    start = end + 1;
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  spdlog::default_logger()->flush();
  ::execv("/proc/self/exe", argv.data());
  return make_error(Code::kIo,
                    std::string("restart: cannot start the agent again: ") + std::strerror(errno));
}

void sleep_seconds(int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!g_stopping && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

// Answers a cancel request: stop what has not touched the slots yet, refuse
// what has (the update then runs to its end, success or rollback). While an
// update runs, its steps poll and answer cancels themselves (UpdateContext::pause).
void handle_cancel(DdiClient& ddi, UpdateMachine& machine, UpdateRecord& record,
                   const std::string& href) {
  auto stop_id = ddi.cancel_action(href);
  if (!stop_id) return spdlog::warn("cancel: {}", stop_id.error().message);
  if (machine.idle() || record.action_id != *stop_id) return refuse_cancel(ddi, *stop_id, false);
  auto canceled = machine.cancel();
  if (canceled && !*canceled) refuse_cancel(ddi, *stop_id, true);
}

// What a successful poll brings besides the update: the policy of record and
// notifications in, and the merchant's offline change and tickets out.
void exchange_settings(DdiClient& ddi, AgentService& service, BootControl& boot,
                       const PollResult& poll, TrustStore* trust, const ParameterFolder& params,
                       const LockFile& lock, const Config& config) {
  // A newer root first, so what the poll offers is judged by it (a running
  // update re-checks its release before installing: verify_artifacts).
  if (trust) {
    auto taken = follow_roots(ddi, *trust, poll.posfleet);
    if (!taken)
      spdlog::error("root of trust: {}; keeping root {}", taken.error().to_string(),
                    trust->root_version());
    else if (*taken > 0)
      spdlog::info("root of trust: now trusting root {}", trust->root_version());
  }
  service.absorb(poll.posfleet);
  sync_lock(ddi, lock, poll.posfleet);
  sync_parameters(ddi, params, poll.posfleet);
  run_actions(
      ddi, config, poll.posfleet,
      [&service] {
        return json::serialize(service.handle(boost::json::object{{"cmd", "status"}}));
      },
      [&service] {
        service.handle(boost::json::object{{"cmd", "restart"}});
      });
  if (auto change = service.pending()) {
    auto answer = ddi.put_policy(change->mode, change->base_revision, change->reset);
    if (answer)
      service.change_answered(*change, *answer);
    else
      spdlog::warn("policy change not delivered: {}; kept for the next poll",
                   answer.error().message);
  }
  while (auto message = service.next_ticket()) {
    auto version = installed_version(boot);
    auto id = ddi.post_ticket(*message, version ? *version : "");
    if (!id && id.error().code == Code::kInvalidArgument) {
      service.ticket_refused(id.error().message);  // it would be refused again: drop it
      continue;
    }
    if (!id && id.error().code == Code::kUnavailable && ddi.retry_after_seconds() > 0) {
      service.ticket_deferred(ddi.retry_after_seconds());  // next_ticket() waits, the poll goes on
      break;
    }
    if (!id) {
      spdlog::warn("support ticket not delivered: {}; kept for the next poll", id.error().message);
      break;
    }
    service.ticket_sent(*id);
  }
}

// The committed slot's release, if slot.json can be read.
std::optional<InstalledRelease> installed(BootControl& boot) {
  auto r = installed_release(boot);
  if (!r) return std::nullopt;
  return std::move(*r);
}

using Attributes = std::vector<std::pair<std::string, std::string>>;

// What the terminal tells the server about itself (DDI configData): model,
// running version and its A/B slots. Sent when the server asks and again
// whenever it changes, so the back office sees the slots after an update.
Attributes device_attributes(const Config& config, BootControl& boot) {
  auto v = installed_version(boot);
  Attributes a{{"model", config.model}, {"version", v ? *v : ""}, {"agent", "posfleet-agent"}};
  auto st = boot.state();
  if (!st) return a;
  a.emplace_back("slot_active", st->good);
  a.emplace_back("slot_booted", st->booted);
  for (const std::string name : {"a", "b"}) {
    std::string version;
    if (auto text = read_file(boot.slot_dir(name) + "/slot.json"); text)
      if (auto j = json::parse(*text); j && j->is_object())
        version = json::string_or(j->get_object(), "version", "");
    a.emplace_back("slot_" + name + "_version", version);
  }
  return a;
}

}  // namespace

void request_stop() { g_stopping = true; }

Status run_daemon(const Config& config) {
  auto parts = make_agent_parts(config, {.server = true});
  if (!parts) return parts.error();
  BootControl& boot = *parts->boot;
  DdiClient& ddi = *parts->ddi;
  if (auto s = make_dirs(config.device_dir + "/state"); !s) return s;
  const std::string record_path = config.device_dir + "/state/update.json";
  auto record = UpdateRecord::load(record_path);
  if (!record) return record.error();
  AgentService service(config, config.device_dir + "/state/terminal.json", g_stopping,
                       *parts->clock);
  if (auto s = service.load(); !s) return s;
  service.use_trust(parts->trust.get());
  service.on_restart([] {
    g_restart = true;
    g_stopping = true;
  });
  const ParameterFolder params(config.device_dir + "/parameters");
  const LockFile lock(lock_file_path(config.device_dir));
  keep_recent_log_lines();
  LocalServer local(config.device_dir + "/agent.sock",
                    [&](const auto& req) { return service.handle(req); });
  if (auto s = local.start(); !s)
    spdlog::warn("local socket unavailable, the menu cannot reach this daemon: {}",
                 s.error().message);

  UpdateContext ctx{.config = config,
                    .services = parts->services(),
                    .record = *record,
                    .stopping = g_stopping,
                    .hooks = {.wait = [&service](int seconds) { return service.wait(seconds); },
                              .policy = [&service] { return service.effective_policy(); },
                              .notices_since = [&service] { return service.notices_since(); },
                              // The polls an update makes while it runs (UpdateContext::pause)
                              // serve the menu's requests too, as the loop's own polls do.
                              .on_poll =
                                  [&](const PollResult& p) {
                                    exchange_settings(ddi, service, boot, p, parts->trust.get(),
                                                      params, lock, config);
                                    service.poll_finished();
                                  }}};
  std::tie(ctx.runtime.security, ctx.runtime.deadline) = service.offer_terms(record->action_id);
  UpdateMachine machine(ctx, record_path);
  if (auto s = machine.resume(); !s) return s;

  auto version = installed_version(boot);
  spdlog::info("posfleet-agent: terminal {} ({}) running {}; server {}", config.terminal,
               config.model, version ? *version : "?", config.server);
  if (auto s = sd::notify("READY=1\nSTATUS=polling " + config.server); !s)
    spdlog::warn("systemd: {}", s.error().message);
  std::mt19937 rng(std::random_device{}());
  int failures = 0;
  Attributes reported;  // configData as last delivered
  // The action and the reason it waits that the server was last told of (phases.h on the server:
  // a terminal that waits legitimately is waiting_window, not stuck downloading).
  std::pair<std::int64_t, std::string> told_waiting;
  HealthTimer health_timer;
  while (!g_stopping) {
    if (!machine.idle()) {
      if (auto s = machine.step(); !s) {
        spdlog::error("update: {}", s.error().to_string());
        sleep_seconds(5);
      }
      continue;
    }
    // The terminal's health goes with the poll when due (docs/health.md).
    const auto sample =
        collect_health(*parts->hardware, *parts->hardware, *parts->hardware, *parts->data, boot);
    const std::int64_t now = unix_now();
    const bool with_health = health_timer.due(sample, now);
    if (with_health) ddi.attach_health(sample.to_json());
    auto poll = ddi.poll(service.notices_since());
    if (!poll) {
      service.poll_failed();
      ++failures;
      int delay = 0;
      if (const int asked = ddi.retry_after_seconds(); asked > 0) {
        // The server said when (429/503 + Retry-After); up to half again on
        // top, so the terminals it turned away together come back spread out.
        delay = asked + std::uniform_int_distribution<int>(0, asked / 2)(rng);
      } else {
        // Back off exponentially with jitter so a fleet does not return at once.
        int cap = std::min(300, 1 << std::min(failures, 8));
        delay = std::uniform_int_distribution<int>(cap / 2, cap)(rng);
      }
      spdlog::warn("poll failed: {}; next try in {} s", poll.error().message, delay);
      service.wait(delay);
      continue;
    }
    failures = 0;
    if (auto* h = poll->posfleet.if_contains("health"); h && h->is_object()) {
      if (auto every = json::get_int(h->get_object(), "every"); every) health_timer.every(*every);
      if (auto* why = h->get_object().if_contains("refused"); why && why->is_string())
        spdlog::warn("the server refused the health sent: {}",
                     text::safe_echo(why->get_string(), 200));
    }
    if (with_health) health_timer.sent(sample, now);
    ctx.runtime.poll_seconds = poll_interval(config, *poll);
    exchange_settings(ddi, service, boot, *poll, parts->trust.get(), params, lock, config);
    if (auto attributes = device_attributes(config, boot);
        poll->wants_config_data || attributes != reported) {
      if (auto s = ddi.config_data(attributes); s)
        reported = std::move(attributes);
      else
        spdlog::warn("configData not delivered: {}; sent again after the next poll",
                     s.error().message);
    }
    if (!poll->cancel_href.empty()) {
      handle_cancel(ddi, machine, *record, poll->cancel_href);
    } else if (!poll->deployment_href.empty()) {
      auto d = ddi.deployment(poll->deployment_href);
      const boost::json::object* offer =
          poll->posfleet.if_contains("offer") && poll->posfleet.at("offer").is_object()
              ? &poll->posfleet.at("offer").get_object()
              : nullptr;
      if (!d)
        spdlog::warn("deployment: {}", d.error().message);
      else if (service.consider(*d, offer ? *offer : boost::json::object{}, installed(boot))) {
        auto chosen = service.confirmed(d->action_id);
        if (chosen) {  // the merchant confirmed: tell the server what they chose
          std::string list;
          for (const auto& c : *chosen) list += (list.empty() ? "" : ", ") + c;
          if (auto s = ddi.confirmation(d->action_id, true,
                                        {"confirmed on the terminal; components: " + list});
              !s)
            spdlog::warn("confirmation not delivered: {}", s.error().message);
        }
        std::tie(ctx.runtime.security, ctx.runtime.deadline) = service.offer_terms(d->action_id);
        if (auto s = machine.start(*d, chosen ? *chosen : std::vector<std::string>{}); !s)
          spdlog::error("update: {}", s.error().to_string());
      } else if (auto why = service.waiting_for();
                 !why.empty() && told_waiting != std::pair{d->action_id, why}) {
        const FeedbackMessage m{
            "proceeding",
            "none",
            {std::string(kPhaseLine) + "waiting_window", "waiting: " + waiting_text(why, false)},
            0};
        // 410: the server ended it meanwhile; nothing to tell. Other trouble: told next poll.
        if (auto s = ddi.feedback(d->action_id, m); s || s.error().code == Code::kConflict)
          told_waiting = {d->action_id, why};
        else
          spdlog::info("waiting note not delivered ({}); sent again after the next poll",
                       s.error().message);
      }
    } else {
      service.no_offer();
    }
    service.poll_finished();
    if (!machine.idle()) continue;
    service.wait(ctx.runtime.poll_seconds);
  }
  if (auto s = sd::notify("STOPPING=1"); !s) spdlog::warn("systemd: {}", s.error().message);
  local.stop();  // waits for the answer to the menu's restart request to go out
  if (g_restart) return restart_device(boot);
  spdlog::info("posfleet-agent: stopped");
  return ok_status();
}

}  // namespace posfleet::agent
