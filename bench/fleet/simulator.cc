#include "bench/fleet/simulator.h"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <optional>
#include <queue>
#include <random>
#include <vector>

#include "bench/fleet/http_pool.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/policy.h"

namespace posfleet::fleet {

namespace bj = boost::json;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// What a terminal does next.
enum class Step : std::uint8_t {
  kPoll,
  kFetch,       // GET deploymentBase
  kStart,       // proceeding, downloaded 0 %
  kDownload,    // GET the artifact
  kDownloaded,  // proceeding, downloaded 100 %
  kPrecheck,    // window, sale (no request)
  kWaitNote,    // proceeding, "waiting: …"
  kInstalled,   // the install ran its time: closed success or failure
  kConfig,      // PUT configData with the new version
  kCancel,      // GET cancelAction
  kCancelDone,  // POST cancelAction feedback
  kOff,         // switched off
};

struct Term {
  std::int64_t due = 0;      // ms
  std::int64_t last_ok = 0;  // ms of the newest answered poll
  std::int64_t since = 0;    // newest notification id seen
  std::int64_t sent = 0;     // ms the request in flight was sent
  std::int32_t update = -1;  // index into Impl::updates
  std::uint16_t poll_s = 60;
  std::uint8_t version = 0;  // index into Impl::versions
  Step step = Step::kPoll;
};

struct Update {
  std::int64_t action = 0;
  std::string fetch;     // deploymentBase path
  std::string artifact;  // download path
  std::string cancel;    // cancelAction path
  std::int64_t size = 0;
  std::int64_t deadline = 0;
  int version = 0;
  bool security = false;
  bool waited_window = false, waited_sale = false;
  std::string noted;  // the last "waiting" reason told to the server
  bool fail = false, rollback = false;
  int download_errors = 0;
};

// "http://host:port/path?q" → "/path?q"; a bare path stays.
std::string path_of(std::string_view href) {
  auto scheme = href.find("://");
  if (scheme == std::string_view::npos) return std::string(href);
  auto slash = href.find('/', scheme + 3);
  return slash == std::string_view::npos ? "/" : std::string(href.substr(slash));
}

std::string href(const bj::object& links, const char* name) {
  auto* l = links.if_contains(name);
  if (!l || !l->is_object()) return "";
  auto* h = l->get_object().if_contains("href");
  return h && h->is_string() ? std::string(h->get_string()) : "";
}

int hms_seconds(std::string_view s) {
  int h = 0, m = 0, sec = 0;
  if (std::sscanf(std::string(s).c_str(), "%d:%d:%d", &h, &m, &sec) != 3) return 60;
  return h * 3600 + m * 60 + sec;
}

std::optional<bj::object> parse_object(const std::string& body) {
  boost::system::error_code ec;
  auto v = bj::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::string feedback_body(const char* execution, const char* finished, const std::string& line,
                          int code = 0, std::int64_t cnt = -1, std::int64_t of = 0) {
  bj::object result{{"finished", finished}};
  if (cnt >= 0) result["progress"] = bj::object{{"cnt", cnt}, {"of", of}};
  bj::object status{{"execution", execution}, {"result", result}, {"details", bj::array{line}}};
  if (code) status["code"] = code;
  return bj::serialize(bj::object{{"status", status}});
}

}  // namespace

struct Simulator::Impl {
  const FleetModel& fleet;
  SimOptions o;
  HttpPool pool;
  Counters c;
  std::vector<Term> terms;
  std::vector<Update> updates;
  std::vector<std::int32_t> free_updates;
  std::vector<std::string> versions;
  std::vector<std::optional<Policy>> group_policy;
  std::vector<std::atomic<double>> injected;
  using Due = std::pair<std::int64_t, std::int32_t>;
  // Two queues by due time: the steps of updates under way go before polls, as on real
  // terminals, where one device's update never waits for another's poll.
  std::priority_queue<Due, std::vector<Due>, std::greater<>> steps, polls;
  std::mt19937_64 rng{20261202};
  int logged_errors = 0;

  Impl(const FleetModel& f, SimOptions opts)
      : fleet(f),
        o(std::move(opts)),
        pool(o.host, o.port, o.connections),
        terms(static_cast<std::size_t>(f.size())),
        group_policy(static_cast<std::size_t>(f.group_count())),
        injected(models().size()) {
    versions.push_back(o.base_version);
    for (auto& r : injected) r = -1;
  }

  std::string base(int i) const { return "/" + o.tenant + "/controller/v1/" + fleet.serial(i); }
  std::string auth(int i) const { return "TargetToken " + fleet.token(i); }
  int version_index(const std::string& v) {
    for (std::size_t k = 0; k < versions.size(); ++k)
      if (versions[k] == v) return static_cast<int>(k);
    versions.push_back(v);
    return static_cast<int>(versions.size() - 1);
  }
  Update& upd(int i) { return updates[static_cast<std::size_t>(terms[i].update)]; }
  void new_update(int i) {
    if (terms[i].update >= 0) return;
    if (!free_updates.empty()) {
      terms[i].update = free_updates.back();
      free_updates.pop_back();
      updates[static_cast<std::size_t>(terms[i].update)] = Update{};
    } else {
      terms[i].update = static_cast<std::int32_t>(updates.size());
      updates.emplace_back();
    }
  }
  void end_update(int i) {
    if (terms[i].update < 0) return;
    updates[static_cast<std::size_t>(terms[i].update)] = Update{};
    free_updates.push_back(terms[i].update);
    terms[i].update = -1;
  }

  void at(int i, std::int64_t when, Step s) {
    terms[i].step = s;
    terms[i].due = when;
    (s == Step::kPoll ? polls : steps).push({when, i});
  }
  void next_poll(int i) { at(i, now_ms() + 1000LL * poll_seconds(i), Step::kPoll); }
  int poll_seconds(int i) const {
    return o.max_poll_seconds > 0 ? std::min<int>(terms[i].poll_s, o.max_poll_seconds)
                                  : terms[i].poll_s;
  }
  void later(int i, int seconds, Step s) {
    const int jitter = static_cast<int>(rng() % 1000);
    at(i, now_ms() + 1000LL * seconds + jitter, s);
  }

  void start() {
    const auto t0 = now_ms();
    const auto spread = std::max(1, o.start_spread_seconds) * 1000LL;
    for (int i = 0; i < fleet.size(); ++i) {
      if (fleet.offline(i)) {
        terms[i].step = Step::kOff;
        continue;
      }
      at(i, t0 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(spread)),
         Step::kPoll);
    }
    pool.every(5, [this] { pump(); });
  }

  // Moves due terminals into the pool, keeping its queue short: when the
  // server falls behind, terminals wait here (their lateness shows in the
  // latency figures) instead of piling requests up.
  void pump() {
    const auto now = now_ms();
    const std::size_t cap = static_cast<std::size_t>(o.connections) * 2;
    for (auto* q : {&steps, &polls})
      while (!q->empty() && q->top().first <= now && pool.queued() < cap) {
        const int i = q->top().second;
        q->pop();
        act(i);
      }
  }

  void send(int i, HttpRequest req, std::function<void(HttpReply&&)> then) {
    req.authorization = auth(i);
    terms[i].sent = now_ms();
    ++c.requests;
    std::string what = req.method + " " + req.target;
    pool.submit(std::move(req), [this, what, then = std::move(then)](HttpReply&& r) {
      if (r.status == 0 || (r.status >= 400 && r.status != 429)) {
        ++c.http_errors;
        // The first few, so that a run which goes wrong says why.
        if (logged_errors < 5 && ++logged_errors)
          std::fprintf(stderr, "fleet: %s: %s\n", what.c_str(),
                       r.status ? (std::to_string(r.status) + " " + r.body.substr(0, 200)).c_str()
                                : r.error.c_str());
      }
      then(std::move(r));
    });
  }

  // A progress note: as the agent, go on when it is not heard; a 404/409 means the server
  // closed or canceled the action, and the update ends there.
  void feedback(int i, std::string body, Step after, std::int64_t after_delay_ms = 0) {
    auto& u = upd(i);
    send(i,
         {"POST", base(i) + "/deploymentBase/" + std::to_string(u.action) + "/feedback", "",
          std::move(body), ""},
         [this, i, after, after_delay_ms](HttpReply&& r) {
           if (r.status == 404 || r.status == 409 || r.status == 410) {
             end_update(i);
             return next_poll(i);
           }
           at(i, now_ms() + after_delay_ms, after);
         });
  }

  void act(int i) {
    switch (terms[i].step) {
      case Step::kPoll:
        return poll(i);
      case Step::kFetch:
        return fetch(i);
      case Step::kStart: {
        auto& u = upd(i);
        return feedback(i, feedback_body("proceeding", "none", "downloaded 0%", 0, 0, u.size),
                        Step::kDownload);
      }
      case Step::kDownload:
        return download(i);
      case Step::kDownloaded: {
        auto& u = upd(i);
        return feedback(i,
                        feedback_body("proceeding", "none", "downloaded 100%", 0, u.size, u.size),
                        Step::kPrecheck);
      }
      case Step::kPrecheck:
        return precheck(i);
      case Step::kWaitNote: {
        const std::string line = "waiting: " + upd(i).noted;
        return feedback(i, feedback_body("proceeding", "none", line), Step::kPrecheck,
                        o.precheck_retry_seconds * 1000);
      }
      case Step::kInstalled:
        return report(i);
      case Step::kConfig:
        return config(i);
      case Step::kCancel:
        return cancel(i);
      case Step::kCancelDone:
        return cancel_done(i);
      case Step::kOff:
        return;
    }
  }

  void poll(int i) {
    const bool ours = fleet.kind(i) == ClientKind::kPosfleet;
    std::string target = base(i);
    if (ours) target += "?posfleet=1&since=" + std::to_string(terms[i].since);
    send(i, {"GET", target, "", "", ""}, [this, i, ours](HttpReply&& r) {
      ++c.polls;
      const auto now = now_ms();
      const auto took = now - terms[i].sent;
      c.latency_sum_ms += took;
      ++c.latency_count;
      if (took > c.latency_max_ms) c.latency_max_ms = took;
      auto body = r.status == 200 ? parse_object(r.body) : std::nullopt;
      if (!body) {
        ++c.poll_failures;
        later(i, r.retry_after > 0 ? r.retry_after : 5, Step::kPoll);
        return;
      }
      terms[i].last_ok = now;
      on_poll(i, *body, ours);
    });
  }

  void on_poll(int i, const bj::object& body, bool ours) {
    if (auto* cfg = body.if_contains("config"); cfg && cfg->is_object())
      if (auto* p = cfg->get_object().if_contains("polling"); p && p->is_object())
        if (auto* s = p->get_object().if_contains("sleep"); s && s->is_string())
          terms[i].poll_s =
              static_cast<std::uint16_t>(std::clamp(hms_seconds(s->get_string()), 1, 65535));
    const bj::object* pf = nullptr;
    if (auto* x = body.if_contains("posfleet"); x && x->is_object()) pf = &x->get_object();
    if (pf) {
      if (auto* ns = pf->if_contains("notifications"); ns && ns->is_array())
        for (const auto& n : ns->get_array())
          if (n.is_object())
            if (auto id = json::get_int(n.get_object(), "id"); id && *id > terms[i].since)
              terms[i].since = *id;
    }
    bj::object none;
    const bj::object* links = &none;
    if (auto* l = body.if_contains("_links"); l && l->is_object()) links = &l->get_object();
    if (auto cancel = href(*links, "cancelAction"); !cancel.empty()) {
      new_update(i);
      upd(i).cancel = path_of(cancel);
      return at(i, now_ms(), Step::kCancel);
    }
    const std::string dep = href(*links, "deploymentBase");
    if (dep.empty()) {
      if (!href(*links, "configData").empty()) return at(i, now_ms(), Step::kConfig);
      return next_poll(i);
    }
    if (!ours) {
      // The server decided this stock client may install now: was its window open at
      // any moment of the round trip?
      const auto sent = terms[i].sent / 1000, now = now_ms() / 1000;
      if (!fleet.window_open(i, sent) && !fleet.window_open(i, now))
        ++c.server_offered_outside_window;
    }
    new_update(i);
    auto& u = upd(i);
    u.fetch = path_of(dep);
    if (pf) {
      if (auto* policy = pf->if_contains("policy"); policy && policy->is_object())
        if (auto p = policy_from_json(policy->get_object()); p)
          group_policy[static_cast<std::size_t>(fleet.group_index(i))] = *p;
      if (auto* offer = pf->if_contains("offer"); offer && offer->is_object()) {
        const auto& of = offer->get_object();
        if (auto* sec = of.if_contains("security"); sec && sec->is_bool())
          u.security = sec->get_bool();
        if (auto* d = of.if_contains("deadline"); d && d->is_string())
          if (auto t = parse_utc(std::string(d->get_string())); t) u.deadline = *t;
      }
    }
    at(i, now_ms(), Step::kFetch);
  }

  // posfleet's agent: decide() with the policy the server sent, in the terminal's own zone.
  bool allowed(int i, const Update& u) {
    const auto& cached = group_policy[static_cast<std::size_t>(fleet.group_index(i))];
    if (!cached) return false;
    Policy p = *cached;
    const char* own = zones()[static_cast<std::size_t>(fleet.zone(i))].name;
    if (p.window.tz != own) {
      ++c.zone_mismatch;
      p.window.tz = own;
    }
    return decide(p, {u.security, u.deadline}, now_ms() / 1000, false).verdict == Verdict::kAllow;
  }

  void fetch(int i) {
    send(i, {"GET", upd(i).fetch, "", "", ""}, [this, i](HttpReply&& r) {
      ++c.fetches;
      auto body = r.status == 200 ? parse_object(r.body) : std::nullopt;
      if (!body) {
        end_update(i);
        return later(i, r.status == 0 ? 5 : poll_seconds(i), Step::kPoll);
      }
      auto& u = upd(i);
      u.action = std::stoll(json::string_or(*body, "id", "0"));
      if (auto* dep = body->if_contains("deployment"); dep && dep->is_object())
        if (auto* chunks = dep->get_object().if_contains("chunks");
            chunks && chunks->is_array() && !chunks->get_array().empty() &&
            chunks->get_array()[0].is_object())
          if (auto* arts = chunks->get_array()[0].get_object().if_contains("artifacts");
              arts && arts->is_array() && !arts->get_array().empty() &&
              arts->get_array()[0].is_object()) {
            const auto& a = arts->get_array()[0].get_object();
            if (auto n = json::get_int(a, "size"); n) u.size = *n;
            if (auto* l = a.if_contains("_links"); l && l->is_object())
              u.artifact = path_of(href(l->get_object(), "download-http"));
          }
      std::string version;
      if (auto* pf = body->if_contains("posfleet"); pf && pf->is_object())
        if (auto* m = pf->get_object().if_contains("manifest"); m && m->is_object())
          if (auto* sg = m->get_object().if_contains("signed"); sg && sg->is_object()) {
            version = json::string_or(sg->get_object(), "version", "");
            if (auto* sec = sg->get_object().if_contains("security"); sec && sec->is_bool())
              u.security = sec->get_bool();
          }
      if (u.action <= 0 || u.artifact.empty() || version.empty()) {
        end_update(i);
        ++c.http_errors;
        return next_poll(i);
      }
      u.version = version_index(version);
      // posfleet's agent considers the offer now; outside its window it waits for a later poll.
      if (fleet.kind(i) == ClientKind::kPosfleet && !allowed(i, u)) return next_poll(i);
      at(i, now_ms(), Step::kStart);
    });
  }

  void download(int i) {
    auto& u = upd(i);
    std::string range;
    if (o.download_bytes > 0 && o.download_bytes < u.size)
      range = "bytes=0-" + std::to_string(o.download_bytes - 1);
    send(i, {"GET", u.artifact, "", "", range}, [this, i](HttpReply&& r) {
      auto& u = upd(i);
      if (r.status == 429) {
        ++c.busy_429;
        return later(i, std::max(1, r.retry_after), Step::kDownload);
      }
      if (r.status != 200 && r.status != 206) {
        if (r.status == 404 || ++u.download_errors > 5) {
          end_update(i);
          return next_poll(i);
        }
        return later(i, 5, Step::kDownload);
      }
      ++c.downloads;
      c.download_bytes += static_cast<std::int64_t>(r.body.size());
      at(i, now_ms(), Step::kDownloaded);
    });
  }

  void precheck(int i) {
    auto& u = upd(i);
    const auto now = now_ms();
    std::string hold;
    if (fleet.kind(i) == ClientKind::kPosfleet && !allowed(i, u)) {
      hold = "waiting for the maintenance window to install";
      u.waited_window = true;
    } else if (fleet.selling(i, now)) {
      hold = "a payment is in progress; the update waits until it is done";
      u.waited_sale = true;
    }
    if (!hold.empty()) {
      if (hold == u.noted) return later(i, o.precheck_retry_seconds, Step::kPrecheck);
      u.noted = hold;
      return at(i, now, Step::kWaitNote);
    }
    install(i, now);
  }

  // The transaction guard is held from `now`, the moment the pre-checks found no sale, to the
  // report: no sale starts. The window and the sale are judged at that moment, not a clock read
  // later (on a loaded box a sale may begin between the two, a sale the guard would have held).
  void install(int i, std::int64_t now) {
    auto& u = upd(i);
    ++c.installs;
    if (u.waited_window) ++c.waited_window;
    if (u.waited_sale) ++c.waited_sale;
    if (!fleet.window_open(i, now / 1000))
      ++(fleet.kind(i) == ClientKind::kPosfleet ? c.outside_window : c.outside_window_stock);
    if (fleet.selling(i, now)) ++c.during_sale;
    const auto m = static_cast<std::size_t>(fleet.model(i));
    const double inj = injected[m];
    const double rate = inj >= 0 ? inj : models()[m].failure_rate * o.failure_scale;
    std::uniform_real_distribution<double> uni(0, 1);
    u.fail = uni(rng) < rate;
    u.rollback = u.fail && uni(rng) < models()[m].rollback_rate;
    const int span = std::max(0, o.install_seconds_max - o.install_seconds_min);
    const int secs = o.install_seconds_min + (span ? static_cast<int>(rng() % (span + 1)) : 0);
    const std::int64_t delay = 1000LL * secs + static_cast<std::int64_t>(rng() % 1000);
    if (u.noted.empty()) return at(i, now + delay, Step::kInstalled);
    u.noted.clear();
    feedback(i, feedback_body("proceeding", "none", "pre-checks passed; installing"),
             Step::kInstalled, delay);
  }

  void report(int i) {
    auto& u = upd(i);
    std::string body =
        !u.fail ? feedback_body("closed", "success", "update to " + versions[u.version] + " done")
        : u.rollback
            ? feedback_body("closed", "failure",
                            "health check failed: the payment app did not start (rolled back to "
                            "slot a)",
                            31)
            : feedback_body("closed", "failure", "install failed: slot b could not be written", 30);
    auto& uu = upd(i);
    send(i,
         {"POST", base(i) + "/deploymentBase/" + std::to_string(uu.action) + "/feedback", "",
          std::move(body), ""},
         [this, i](HttpReply&& r) {
           if (r.status != 200 && r.status != 409 && r.status != 404) {
             return later(i, 5, Step::kInstalled);  // the agent retries until it is heard
           }
           auto& u = upd(i);
           if (u.fail) {
             ++c.failures;
             if (u.rollback) ++c.rollbacks;
           } else {
             ++c.successes;
             terms[i].version = static_cast<std::uint8_t>(u.version);
           }
           const bool ours = fleet.kind(i) == ClientKind::kPosfleet;
           end_update(i);
           if (ours && r.status == 200) return at(i, now_ms(), Step::kConfig);
           next_poll(i);
         });
  }

  void config(int i) {
    const char* model = models()[static_cast<std::size_t>(fleet.model(i))].name;
    bj::object data{{"model", model},
                    {"version", versions[terms[i].version]},
                    {"agent", "posfleet-fleet-sim"},
                    {"slot_active", "a"}};
    send(i,
         {"PUT", base(i) + "/configData", "",
          bj::serialize(bj::object{{"mode", "merge"}, {"data", data}}), ""},
         [this, i](HttpReply&& r) {
           if (r.status == 200) ++c.config_reports;
           next_poll(i);
         });
  }

  void cancel(int i) {
    send(i, {"GET", upd(i).cancel, "", "", ""}, [this, i](HttpReply&& r) {
      auto body = r.status == 200 ? parse_object(r.body) : std::nullopt;
      if (!body) {
        end_update(i);
        return next_poll(i);
      }
      upd(i).action = std::stoll(json::string_or(*body, "id", "0"));
      at(i, now_ms(), Step::kCancelDone);
    });
  }

  void cancel_done(int i) {
    send(i,
         {"POST", base(i) + "/cancelAction/" + std::to_string(upd(i).action) + "/feedback", "",
          feedback_body("closed", "success", "nothing of this action runs on the terminal"), ""},
         [this, i](HttpReply&&) {
           ++c.cancels;
           end_update(i);
           next_poll(i);
         });
  }
};

Simulator::Simulator(const FleetModel& fleet, SimOptions options)
    : impl_(std::make_unique<Impl>(fleet, std::move(options))) {}
Simulator::~Simulator() = default;

void Simulator::run() {
  impl_->start();
  impl_->pool.run();
}

void Simulator::stop() { impl_->pool.stop(); }

void Simulator::inject_failures(int model, double rate) {
  impl_->injected[static_cast<std::size_t>(model)] = rate;
}

const Counters& Simulator::counters() const { return impl_->c; }

Snapshot Simulator::snapshot(const std::string& version, std::int64_t since_ms) {
  auto done = std::make_shared<std::promise<Snapshot>>();
  auto result = done->get_future();
  impl_->pool.post([this, version, since_ms, done] {
    Snapshot s;
    int v = -1;
    for (std::size_t k = 0; k < impl_->versions.size(); ++k)
      if (impl_->versions[k] == version) v = static_cast<int>(k);
    for (std::size_t i = 0; i < impl_->terms.size(); ++i) {
      const auto& t = impl_->terms[i];
      const bool on = v >= 0 && t.version == v;
      if (t.step == Step::kOff) ++s.offline;
      if (on) ++s.on;
      if (t.last_ok >= since_ms) {
        ++s.reachable;
        if (on) ++s.reachable_on;
      }
    }
    done->set_value(s);
  });
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return {};
  return result.get();
}

}  // namespace posfleet::fleet
