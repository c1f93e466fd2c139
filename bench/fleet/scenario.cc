#include "bench/fleet/scenario.h"

#include <unistd.h>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench/fleet/http_pool.h"
#include "core/clock.h"
#include "core/json.h"

namespace posfleet::fleet {

namespace bj = boost::json;

namespace {

double seconds_since(std::int64_t ms) { return static_cast<double>(now_ms() - ms) / 1000.0; }

// utime + stime of a process, in seconds.
double cpu_seconds(int pid) {
  if (pid <= 0) return 0;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int k = 3; k <= 15 && rest >> field; ++k) {
    if (k == 14) utime = std::stoll(field);
    if (k == 15) stime = std::stoll(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A line of /proc/<pid>/status in MiB (VmHWM: peak RSS, VmRSS: now).
double status_mib(const std::string& pid, const char* key) {
  std::ifstream f("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::strlen(key) + 1)) / 1024.0;
  return 0;
}

class Api {
 public:
  Api(const SimOptions& s, const std::string& token)
      : host_(s.host), port_(s.port), token_(token) {}
  HttpReply call(const std::string& method, const std::string& path, const bj::value& body,
                 int timeout_seconds = 60) {
    HttpRequest r{method, path, "Bearer " + token_, body.is_null() ? "" : bj::serialize(body), ""};
    return blocking_request(host_, port_, r, timeout_seconds);
  }
  std::optional<bj::object> get(const std::string& path) {
    auto r = call("GET", path, nullptr);
    boost::system::error_code ec;
    auto v = bj::parse(r.body, ec);
    if (r.status != 200 || ec || !v.is_object()) return std::nullopt;
    return std::move(v.get_object());
  }

 private:
  std::string host_;
  int port_;
  std::string token_;
};

std::string brief(const HttpReply& r) {
  return r.status ? std::to_string(r.status) + " " + r.body.substr(0, 300) : r.error;
}

struct Wave {
  std::int64_t started = 0;  // unix s, the server's
  double done_at = -1;       // seconds into the run when first seen done
  std::string state;
  int terminals = 0;
  std::string counts;
};

struct Report {
  bool rollout_api = false;
  std::string rollout_end;  // the rollout's last state
  bool injected = false;
  bool paused = false;
  std::string pause_reason;
  double rollout_seconds = 0;
  std::vector<Wave> waves;
  double security_share = -1;
  int security_reachable = 0, security_on = 0, security_all_on = 0;
  double deploy_seconds = 0;
  std::vector<std::string> notes;       // a target missed or a step that failed
  std::vector<std::string> notes_info;  // said, not a failure
};

std::string counts_text(const bj::object& counts) {
  std::string out;
  for (const auto& kv : counts)
    if (kv.value().is_int64() && kv.value().get_int64() > 0)
      out += (out.empty() ? "" : " ") + std::string(kv.key()) + "=" +
             std::to_string(kv.value().get_int64());
  return out;
}

void progress_line(const char* phase, std::int64_t t0, const Counters& c, const std::string& more) {
  std::printf("[%6.1fs] %-8s polls=%lld installs=%lld ok=%lld failed=%lld 429=%lld %s\n",
              seconds_since(t0), phase, static_cast<long long>(c.polls.load()),
              static_cast<long long>(c.installs.load()), static_cast<long long>(c.successes.load()),
              static_cast<long long>(c.failures.load()), static_cast<long long>(c.busy_429.load()),
              more.c_str());
  std::fflush(stdout);
}

int model_index(const std::string& name) {
  for (std::size_t k = 0; k < models().size(); ++k)
    if (name == models()[k].name) return static_cast<int>(k);
  return -1;
}

bj::object terminal_filter() { return bj::object{{"q", "SIM"}}; }

// Deploys a release by filter; waits until the online terminals whose windows are open
// have an outcome (or `until_ms`).
bool deploy_and_wait(Api& api, Simulator& sim, const FleetModel& fleet, const std::string& version,
                     std::int64_t t0, std::int64_t until_ms, Report& rep) {
  const auto start = now_ms();
  auto r = api.call("POST", "/api/v1/deployments",
                    bj::object{{"release", version},
                               {"filter", terminal_filter()},
                               {"reason", "fleet simulation: deploy " + version + " by filter"}});
  if (r.status != 201) {
    rep.notes.push_back("deploying " + version + " failed: " + brief(r));
    return false;
  }
  const auto& c = sim.counters();
  const auto base = c.successes + c.failures;
  std::int64_t last = 0;
  while (now_ms() < until_ms) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    int expected = 0;
    const auto now = now_ms() / 1000;
    for (int i = 0; i < fleet.size(); ++i)
      if (!fleet.offline(i) && fleet.window_open(i, now)) ++expected;
    const auto done = c.successes + c.failures - base;
    if ((now_ms() - last) >= 5000) {
      progress_line("deploy", t0, c,
                    "outcomes=" + std::to_string(done) + "/" + std::to_string(expected) +
                        " (window open now)");
      last = now_ms();
    }
    if (done >= expected) {
      rep.deploy_seconds = seconds_since(start);
      return true;
    }
  }
  rep.notes.push_back("deployment of " + version + " did not reach every terminal in time");
  rep.deploy_seconds = seconds_since(start);
  return false;
}

void run_rollout(Api& api, Simulator& sim, const FleetModel& fleet, const ScenarioOptions& o,
                 std::int64_t t0, std::int64_t until_ms, Report& rep) {
  bj::array waves;
  for (int p : o.waves)
    waves.push_back(bj::object{{"percent", p},
                               {"success_threshold", o.success_threshold},
                               {"error_threshold", o.error_threshold},
                               {"soak_seconds", o.soak_seconds},
                               {"needs_approval", false}});
  auto r = api.call("POST", "/api/v1/rollouts",
                    bj::object{{"release", o.release},
                               {"target", bj::object{{"filter", terminal_filter()}}},
                               {"waves", waves},
                               {"offline_days", 7},
                               {"start", true},
                               {"name", "fleet simulation " + o.release},
                               {"reason", "fleet simulation: staged rollout of " + o.release}});
  if (r.status == 404 || r.status == 405) {
    rep.notes.push_back("posfleetd has no rollouts API (" + brief(r) +
                        "): deployed by filter instead; no waves, no pause to observe");
    deploy_and_wait(api, sim, fleet, o.release, t0, until_ms, rep);
    return;
  }
  boost::system::error_code ec;
  auto created = bj::parse(r.body, ec);
  if (r.status != 201 || ec || !created.is_object()) {
    rep.notes.push_back("creating the rollout failed: " + brief(r));
    return;
  }
  rep.rollout_api = true;
  const auto id = json::get_int(created.get_object(), "id");
  if (!id) {
    rep.notes.push_back("the rollout answer has no id: " + r.body.substr(0, 200));
    return;
  }
  const std::string path = "/api/v1/rollouts/" + std::to_string(*id);
  const auto start = now_ms();
  const int inject_model = model_index(o.inject_model);
  bool resumed = false;
  std::int64_t last_line = 0;
  rep.waves.resize(o.waves.size());
  while (now_ms() < until_ms) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto ro = api.get(path);
    if (!ro) continue;
    const std::string state = json::string_or(*ro, "state", "");
    rep.rollout_end = state;
    const auto current = json::get_int(*ro, "current_wave");
    std::string wave_text;
    if (auto ws = json::get_array(*ro, "waves"); ws) {
      for (std::size_t k = 0; k < (*ws)->size() && k < rep.waves.size(); ++k) {
        if (!(**ws)[k].is_object()) continue;
        const auto& w = (**ws)[k].get_object();
        auto& mine = rep.waves[k];
        mine.state = json::string_or(w, "state", "");
        if (auto s = json::get_int(w, "started"); s) mine.started = *s;
        if (auto n = json::get_int(w, "terminals"); n) mine.terminals = static_cast<int>(*n);
        if (auto cs = json::get_object(w, "counts"); cs) mine.counts = counts_text(**cs);
        if (mine.state == "done" && mine.done_at < 0) mine.done_at = seconds_since(t0);
        if (current && *current == static_cast<std::int64_t>(k))
          wave_text = "wave " + std::to_string(k + 1) + " " + mine.state + " [" + mine.counts + "]";
      }
    }
    if (o.inject_wave >= 0 && inject_model >= 0 && !rep.injected && current &&
        *current == o.inject_wave) {
      sim.inject_failures(inject_model, o.inject_rate);
      rep.injected = true;
      std::printf("[%6.1fs] injecting: %s installs fail at %.0f %% during wave %d\n",
                  seconds_since(t0), o.inject_model.c_str(), 100 * o.inject_rate,
                  o.inject_wave + 1);
    }
    if (state == "paused" && !resumed) {
      rep.paused = rep.injected;
      rep.pause_reason = json::string_or(*ro, "state_reason", "");
      std::printf("[%6.1fs] rollout paused: %s\n", seconds_since(t0), rep.pause_reason.c_str());
      if (inject_model >= 0) sim.inject_failures(inject_model, -1);
      auto retry = api.call("POST", path + "/retry",
                            bj::object{{"reason", "fleet simulation: the fault was fixed"}});
      auto resume = api.call("POST", path + "/resume",
                             bj::object{{"reason", "fleet simulation: resumed after the retry"}});
      std::printf("[%6.1fs] retry: %d, resume: %d\n", seconds_since(t0), retry.status,
                  resume.status);
      if (resume.status != 200) rep.notes.push_back("resume failed: " + brief(resume));
      resumed = true;
    }
    if (rep.injected && !rep.paused && current && *current > o.inject_wave && inject_model >= 0) {
      sim.inject_failures(inject_model, -1);  // the wave passed without pausing
    }
    if ((now_ms() - last_line) >= 5000) {
      progress_line("rollout", t0, sim.counters(), state + " " + wave_text);
      last_line = now_ms();
    }
    if (state == "finished" || state == "canceled" || state == "stopped") break;
  }
  rep.rollout_seconds = seconds_since(start);
  if (rep.rollout_end != "finished")
    rep.notes.push_back("the rollout ended " + rep.rollout_end + " (not finished) after " +
                        std::to_string(static_cast<int>(rep.rollout_seconds)) + " s");
}

void run_security(Api& api, Simulator& sim, const FleetModel& fleet, const ScenarioOptions& o,
                  std::int64_t t0, std::int64_t until_ms, Report& rep) {
  int online = 0;
  for (int i = 0; i < fleet.size(); ++i) online += fleet.offline(i) ? 0 : 1;
  const auto start = now_ms();
  // The whole fleet in one request: a change per thousand terminals, which start on theirs
  // while the rest are made (minutes for 100,000 on PostgreSQL).
  auto r =
      api.call("POST", "/api/v1/deployments",
               bj::object{{"release", o.security_release},
                          {"filter", terminal_filter()},
                          {"reason", "fleet simulation: security release " + o.security_release}},
               900);
  if (r.status != 201) {
    rep.notes.push_back("deploying the security release failed: " + brief(r));
    return;
  }
  const std::int64_t deadline = start / 1000 + o.security_deadline_seconds;
  auto d = api.call("PUT", "/api/v1/releases/" + o.security_release + "/deadline",
                    bj::object{{"deadline", format_utc(deadline)},
                               {"reason", "fleet simulation: a deadline within the run"}});
  if (d.status != 200) rep.notes.push_back("setting the deadline failed: " + brief(d));
  std::int64_t last_line = 0;
  const auto failed0 = sim.counters().failures.load();
  while (now_ms() < std::min(until_ms, deadline * 1000)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // Done early when every reachable terminal has it or failed it: the share cannot change.
    auto now = sim.snapshot(o.security_release, start);
    if (now.reachable >= online &&
        now.reachable_on + (sim.counters().failures - failed0) >= now.reachable) {
      rep.notes_info.push_back("every reachable terminal had an outcome " +
                               std::to_string(static_cast<int>(seconds_since(start))) +
                               " s after the release, before its deadline");
      break;
    }
    if ((now_ms() - last_line) >= 5000) {
      auto s = sim.snapshot(o.security_release, start);
      progress_line("security", t0, sim.counters(),
                    "on " + o.security_release + ": " + std::to_string(s.reachable_on) + "/" +
                        std::to_string(s.reachable) + " reachable");
      last_line = now_ms();
    }
  }
  auto s = sim.snapshot(o.security_release, start);
  rep.security_reachable = s.reachable;
  rep.security_on = s.reachable_on;
  rep.security_all_on = s.on;
  rep.security_share = s.reachable ? 100.0 * s.reachable_on / s.reachable : 0;
  if (now_ms() < deadline * 1000 && rep.notes_info.empty())
    rep.notes.push_back("the run ended before the deadline");
}

}  // namespace

int run_scenario(const FleetModel& fleet, Simulator& sim, const SimOptions& so,
                 const ScenarioOptions& o) {
  const auto t0 = now_ms();
  const auto until = t0 + 1000LL * o.max_seconds;
  Api api(so, o.admin_token);
  Report rep;

  // Each simulated group's window, in its own zone (FleetModel::window_of).
  for (int g = 0; g < fleet.group_count(); ++g) {
    const auto w = fleet.window_of(g);
    auto r = api.call("PUT", "/api/v1/policy",
                      bj::object{{"group", fleet.group(g)},
                                 {"mode", "auto"},
                                 {"window", bj::object{{"start", window_text(w).substr(0, 5)},
                                                       {"end", window_text(w).substr(6)},
                                                       {"tz", w.tz}}},
                                 {"reason", "fleet simulation: this group's maintenance window"}});
    if (r.status != 200) {
      std::fprintf(stderr, "fleet: setting the window of %s failed: %s\n", fleet.group(g).c_str(),
                   brief(r).c_str());
      return 2;
    }
  }
  std::printf("windows: %d groups; gaps (UTC):", fleet.group_count());
  for (int k = 1; k <= fleet.options().gap_groups; ++k)
    std::printf(" %s+%dm", format_utc(fleet.gap_utc(k).first).substr(11, 5).c_str(),
                fleet.options().gap_minutes);
  std::printf("\n");

  const double cpu0 = cpu_seconds(o.server_pid);
  std::thread loop([&sim] { sim.run(); });

  // Warm-up: every online terminal polls once.
  int online = 0;
  for (int i = 0; i < fleet.size(); ++i) online += fleet.offline(i) ? 0 : 1;
  while (now_ms() < until) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto s = sim.snapshot("", t0);
    if (s.reachable >= online) break;
    if (static_cast<int>(seconds_since(t0)) % 5 == 0)
      progress_line("warm-up", t0, sim.counters(),
                    "polled " + std::to_string(s.reachable) + "/" + std::to_string(online));
  }
  const double warm = seconds_since(t0);
  const double cpu_warm = cpu_seconds(o.server_pid);
  progress_line("warm-up", t0, sim.counters(), "every online terminal polled");

  if (o.mode == "rollout") run_rollout(api, sim, fleet, o, t0, until, rep);
  if (o.mode == "deploy") deploy_and_wait(api, sim, fleet, o.release, t0, until, rep);
  const auto released = sim.snapshot(o.release, 0);
  if (o.mode == "poll") {
    const auto end = std::min(until, now_ms() + 1000LL * (o.poll_seconds ? o.poll_seconds : 60));
    while (now_ms() < end) {
      std::this_thread::sleep_for(std::chrono::seconds(5));
      progress_line("poll", t0, sim.counters(), "");
    }
  }
  if (!o.security_release.empty() && o.mode != "poll")
    run_security(api, sim, fleet, o, t0, until, rep);

  const double wall = seconds_since(t0);
  const double cpu1 = cpu_seconds(o.server_pid);
  const double hwm = o.server_pid ? status_mib(std::to_string(o.server_pid), "VmHWM:") : 0;
  const double rss = o.server_pid ? status_mib(std::to_string(o.server_pid), "VmRSS:") : 0;
  sim.stop();
  loop.join();
  const double own_hwm = status_mib("self", "VmHWM:");

  const auto& c = sim.counters();
  std::printf("\n== fleet simulation: %d terminals (%d online), mode %s, %.0f s ==\n", fleet.size(),
              online, o.mode.c_str(), wall);
  auto row = [](const char* k, const std::string& v) { std::printf("%-52s %s\n", k, v.c_str()); };
  auto num = [](std::int64_t v) { return std::to_string(v); };
  row("terminals updated to the release", num(released.on) + " of " + num(online));
  row("installs started", num(c.installs));
  row("installs succeeded / failed (of which rolled back)",
      num(c.successes) + " / " + num(c.failures) + " (" + num(c.rollbacks) + ")");
  row("installs outside their window (target 0)", num(c.outside_window));
  row("  stock clients: installs outside their window", num(c.outside_window_stock));
  row("offers to stock clients outside their window (target 0)",
      num(c.server_offered_outside_window));
  row("installs during a sale (target 0)", num(c.during_sale));
  row("installs that waited for the window / for a sale",
      num(c.waited_window) + " / " + num(c.waited_sale));
  row("policies whose window zone was not the terminal's", num(c.zone_mismatch));
  if (o.mode == "rollout") {
    row("rollouts API", rep.rollout_api ? "yes" : "no (deployed by filter)");
    if (rep.rollout_api) {
      row("rollout ended", rep.rollout_end + " after " +
                               std::to_string(static_cast<int>(rep.rollout_seconds)) + " s");
      row("failures injected", rep.injected
                                   ? o.inject_model + " at " +
                                         std::to_string(static_cast<int>(100 * o.inject_rate)) +
                                         " % in wave " + std::to_string(o.inject_wave + 1)
                                   : "no (the wave was never current)");
      row("paused when the injected failures crossed the threshold",
          rep.paused ? "yes: " + rep.pause_reason : "NO");
      double prev = warm;
      for (std::size_t k = 0; k < rep.waves.size(); ++k) {
        const auto& w = rep.waves[k];
        char buf[200];
        std::snprintf(buf, sizeof buf, "%d terminals, %s, %s", w.terminals,
                      w.done_at >= 0
                          ? (std::to_string(static_cast<int>(w.done_at - prev)) + " s (done at " +
                             std::to_string(static_cast<int>(w.done_at)) + " s)")
                                .c_str()
                          : w.state.c_str(),
                      w.counts.c_str());
        if (w.done_at >= 0) prev = w.done_at;
        row(("wave " + std::to_string(k + 1) + " (" + std::to_string(o.waves[k]) + " %)").c_str(),
            buf);
      }
    }
  }
  if (rep.deploy_seconds > 0)
    row("deployment by filter reached every open window in",
        std::to_string(static_cast<int>(rep.deploy_seconds)) + " s");
  if (rep.security_share >= 0) {
    char buf[120];
    std::snprintf(buf, sizeof buf,
                  "%.1f %% (%d of %d that polled since the release); of all %d online: %.1f %%; "
                  "deadline %d s after the release",
                  rep.security_share, rep.security_on, rep.security_reachable, online,
                  online ? 100.0 * rep.security_all_on / online : 0.0, o.security_deadline_seconds);
    row("reachable terminals on the security release by its deadline (goal >= 95 %)", buf);
  }
  char buf[200];
  std::snprintf(buf, sizeof buf, "%lld (%.0f/s), %lld poll failures, %lld other errors",
                static_cast<long long>(c.requests.load()), c.requests / std::max(1.0, wall),
                static_cast<long long>(c.poll_failures.load()),
                static_cast<long long>(c.http_errors.load()));
  row("DDI requests", buf);
  std::snprintf(buf, sizeof buf, "%lld (%.0f/s); mean %.1f ms, max %lld ms",
                static_cast<long long>(c.polls.load()), c.polls / std::max(1.0, wall),
                c.latency_count ? static_cast<double>(c.latency_sum_ms) / c.latency_count : 0.0,
                static_cast<long long>(c.latency_max_ms.load()));
  row("polls (latency includes waiting for a connection)", buf);
  std::snprintf(buf, sizeof buf, "%lld, %lld bytes; 429 busy answers %lld",
                static_cast<long long>(c.downloads.load()),
                static_cast<long long>(c.download_bytes.load()),
                static_cast<long long>(c.busy_429.load()));
  row("artifact downloads", buf);
  if (o.server_pid) {
    std::snprintf(buf, sizeof buf, "%.1f s over %.0f s (%.2f cores); warm-up %.2f cores",
                  cpu1 - cpu0, wall, (cpu1 - cpu0) / std::max(1.0, wall),
                  (cpu_warm - cpu0) / std::max(1.0, warm));
    row("posfleetd CPU (user+system, /proc/<pid>/stat)", buf);
    std::snprintf(buf, sizeof buf, "%.0f MiB (now %.0f MiB)", hwm, rss);
    row("posfleetd peak RSS (VmHWM)", buf);
  }
  std::snprintf(buf, sizeof buf, "%.0f MiB", own_hwm);
  row("simulator peak RSS", buf);
  for (const auto& n : rep.notes_info) std::printf("note: %s\n", n.c_str());
  for (const auto& n : rep.notes) std::printf("problem: %s\n", n.c_str());

  bool ok = c.outside_window == 0 && c.during_sale == 0 && c.server_offered_outside_window == 0;
  if (o.mode == "rollout" && rep.rollout_api)
    ok = ok && rep.rollout_end == "finished" && (o.inject_wave < 0 || rep.paused);
  if (rep.security_share >= 0) ok = ok && rep.security_share >= 95.0;
  ok = ok && rep.notes.empty();
  std::printf("result: %s\n", ok ? "every target held" : "A TARGET WAS MISSED (see above)");
  return ok ? 0 : 1;
}

}  // namespace posfleet::fleet
