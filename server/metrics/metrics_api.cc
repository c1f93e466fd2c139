#include "server/metrics/metrics_api.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/api/api_common.h"
#include "server/domain/load.h"
#include "server/metrics/exposition.h"
#include "server/store/sqlite/sqlite_db.h"
#include "server/store/store.h"

namespace posfleet::metrics {
namespace {

const char* kStatusClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

double file_size(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0.0 : static_cast<double>(n);
}

std::int64_t open_fds() {
  std::error_code ec;
  std::int64_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return ec ? -1 : n - 1;  // the iterator's own descriptor
}

// Resident bytes and CPU seconds from /proc/self/stat; -1 when unreadable.
void process_stat(double& resident_bytes, double& cpu_seconds) {
  resident_bytes = cpu_seconds = -1;
  std::ifstream f("/proc/self/stat");
  std::string line;
  if (!std::getline(f, line)) return;
  const auto close = line.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  // Fields after the name start at 3 (state); utime is 14, stime 15, rss 24.
  double utime = 0, stime = 0, rss = 0;
  for (int i = 3; i <= 24 && rest >> field; ++i) {
    double* into = i == 14 ? &utime : i == 15 ? &stime : i == 24 ? &rss : nullptr;
    if (into && std::from_chars(field.data(), field.data() + field.size(), *into).ec != std::errc())
      return;
  }
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  if (ticks > 0) cpu_seconds = (utime + stime) / ticks;
  if (page > 0) resident_bytes = rss * page;
}

}  // namespace

MetricsService::MetricsService(domain::Context& ctx, MetricsAccess access)
    : ctx_(ctx), access_(std::move(access)) {}

void MetricsService::attach(http::Router& router) {
  router.add("GET", "/metrics", [this](http::Request& req) { return serve(req); });
  router.instrument([this](const std::string& method, const std::string& pattern,
                           http::Handler handler) -> http::Handler {
    RouteStats* stats = &http_.route(method, pattern);
    return [stats, handler = std::move(handler)](http::Request& req) {
      const auto start = std::chrono::steady_clock::now();
      const auto seconds = [&start] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      };
      try {
        http::Response res = handler(req);
        stats->record(res.status, seconds());
        return res;
      } catch (...) {
        stats->record(500, seconds());  // the listener answers 500
        throw;
      }
    };
  });
  router_ = &router;
}

http::Response MetricsService::serve(const http::Request& req) const {
  if (!access_.address_allowed(api::client_address(ctx_, req)))
    return http::error_from(make_error(
        Code::kForbidden,
        "metrics are not served to this address; posfleetd --metrics-allow lists the addresses "
        "and CIDR blocks that may scrape"));
  if (!access_.token_matches(req.header("authorization"))) {
    auto res = http::error_from(make_error(
        Code::kUnauthorized,
        "metrics need the bearer token of posfleetd --metrics-token-file (Authorization: Bearer "
        "…); set the scraper's bearer_token_file to the same file"));
    res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"metrics\"");
    return res;
  }
  http::Response res;
  res.status = 200;
  res.content_type = Exposition::kContentType;
  res.headers.emplace_back("Cache-Control", "no-store");
  res.body = render();
  return res;
}

std::string MetricsService::render() const {
  Exposition out;

  out.family("posfleet_http_requests_total", "counter",
             "HTTP requests answered, by route pattern, method and status class.");
  http_.each([&](const RouteStats& r) {
    for (std::size_t i = 0; i < r.by_class.size(); ++i)
      if (auto n = r.by_class[i].load(std::memory_order_relaxed))
        out.sample("posfleet_http_requests_total",
                   {{"method", r.method}, {"route", r.pattern}, {"status", kStatusClasses[i]}},
                   static_cast<double>(n));
  });
  out.family("posfleet_http_unmatched_requests_total", "counter",
             "Requests no route takes (answered 404 or 405).");
  out.sample("posfleet_http_unmatched_requests_total", {},
             router_ ? static_cast<double>(router_->unmatched()) : 0.0);
  out.family("posfleet_http_request_duration_seconds", "histogram",
             "Time from routing a request to its answer being ready, by route.");
  http_.each([&](const RouteStats& r) {
    if (r.latency.count())
      out.histogram("posfleet_http_request_duration_seconds",
                    {{"method", r.method}, {"route", r.pattern}}, r.latency);
  });

  out.family("posfleet_ddi_polls_total", "counter",
             "Terminal polls (DDI GET of the controller base), by status class.");
  http_.each([&](const RouteStats& r) {
    if (r.method != "GET" || r.pattern != kPollPattern) return;
    for (std::size_t i = 0; i < r.by_class.size(); ++i)
      out.sample("posfleet_ddi_polls_total", {{"status", kStatusClasses[i]}},
                 static_cast<double>(r.by_class[i].load(std::memory_order_relaxed)));
  });

  if (ctx_.load) {
    const auto f = ctx_.load->figures();
    out.family("posfleet_downloads_active", "gauge", "Artifact downloads streaming now.");
    out.sample("posfleet_downloads_active", {}, f.active);
    out.family("posfleet_downloads_max", "gauge",
               "Downloads allowed at once (posfleetd --max-downloads; 0: unlimited).");
    out.sample("posfleet_downloads_max", {}, f.max);
    out.family("posfleet_downloads_peak", "gauge", "Most downloads streaming at once so far.");
    out.sample("posfleet_downloads_peak", {}, f.peak);
    out.family("posfleet_downloads_refused_total", "counter",
               "Downloads turned away with 429 and Retry-After because every slot was busy.");
    out.sample("posfleet_downloads_refused_total", {}, static_cast<double>(f.refused));
    out.family("posfleet_downloads_early_retries_total", "counter",
               "Terminals that asked again before their Retry-After ran out.");
    out.sample("posfleet_downloads_early_retries_total", {}, static_cast<double>(f.early_retries));
  }

  // Deployments by status (and, once finished, by result): a count in the store.
  bool store_ok = true;
  Exposition deployments;
  deployments.family("posfleet_deployments", "gauge",
                     "Deployments (DDI actions) by status, and finished ones by result.");
  for (auto status : store::kAllDeploymentStatuses) {
    auto results =
        status == store::DeploymentStatus::kFinished
            ? std::vector<std::optional<store::DeploymentResult>>{store::DeploymentResult::kSuccess,
                                                                  store::DeploymentResult::kFailure}
            : std::vector<std::optional<store::DeploymentResult>>{std::nullopt};
    for (const auto& result : results) {
      store::DeploymentQuery q;
      q.status = status;
      q.result = result;
      auto n = ctx_.store.count_deployments(q);
      if (!n) {
        store_ok = false;
        spdlog::warn("metrics: counting deployments failed: {}", n.error().message);
        break;
      }
      Labels labels{{"status", store::to_string(status)}};
      if (result)
        labels.emplace_back("result",
                            *result == store::DeploymentResult::kSuccess ? "success" : "failure");
      deployments.sample("posfleet_deployments", labels, static_cast<double>(*n));
    }
    if (!store_ok) break;
  }
  // Roll-outs: each of the newest releases' terminals by the update state it gives them.
  if (store_ok) {
    auto releases = ctx_.store.list_releases();
    if (!releases) {
      store_ok = false;
      spdlog::warn("metrics: listing releases failed: {}", releases.error().message);
    } else {
      deployments.family("posfleet_rollout_terminals", "gauge",
                         "Terminals by the update state a release's deployments give them, for "
                         "the newest releases.");
      const std::size_t first =
          releases->size() > kRolloutReleases ? releases->size() - kRolloutReleases : 0;
      for (std::size_t i = first; i < releases->size() && store_ok; ++i) {
        const auto& release = (*releases)[i];
        auto counts = ctx_.store.release_state_counts(release.id);
        if (!counts) {
          store_ok = false;
          spdlog::warn("metrics: counting a release's terminals failed: {}",
                       counts.error().message);
          break;
        }
        for (const auto& [state, n] : *counts)
          deployments.sample("posfleet_rollout_terminals",
                             {{"release", release.version}, {"state", store::to_string(state)}},
                             static_cast<double>(n));
      }
    }
  }
  out.family("posfleet_store_up", "gauge",
             "1 when the store answered this scrape's counts, 0 when it failed (see the log).");
  out.sample("posfleet_store_up", {}, store_ok ? 1 : 0);
  std::string text = out.text();
  if (store_ok) text += deployments.text();

  Exposition db;
  const std::string file = ctx_.data_dir + "/posfleet.db";
  db.family("posfleet_database_size_bytes", "gauge",
            "Size of the database: SQLite's files (the database and its write-ahead log), or "
            "what PostgreSQL keeps for it (as file=\"database\").");
  if (auto server_bytes = ctx_.store.database_server_bytes()) {
    db.sample("posfleet_database_size_bytes", {{"file", "database"}},
              static_cast<double>(*server_bytes));
  } else {
    db.sample("posfleet_database_size_bytes", {{"file", "database"}}, file_size(file));
    db.sample("posfleet_database_size_bytes", {{"file", "wal"}}, file_size(file + "-wal"));
  }

  db.family("posfleet_database_busy_waits_total", "counter",
            "SQLite statements that found the database locked by another connection and "
            "waited.");
  db.sample("posfleet_database_busy_waits_total", {}, static_cast<double>(store::busy_waits()));
  db.family("posfleet_database_busy_timeouts_total", "counter",
            "SQLite statements that gave up after waiting 5 s for a lock (answered as busy).");
  db.sample("posfleet_database_busy_timeouts_total", {},
            static_cast<double>(store::busy_timeouts()));

  const auto now = std::chrono::steady_clock::now();
  db.family("process_start_time_seconds", "gauge", "Start time of the process, unix seconds.");
  db.sample("process_start_time_seconds", {},
            std::chrono::duration<double>(started_wall_.time_since_epoch()).count());
  db.family("posfleet_uptime_seconds", "gauge", "Seconds since posfleetd started serving.");
  db.sample("posfleet_uptime_seconds", {}, std::chrono::duration<double>(now - started_).count());
  db.family("process_open_fds", "gauge", "Open file descriptors.");
  db.sample("process_open_fds", {}, static_cast<double>(open_fds()));
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    db.family("process_max_fds", "gauge", "The descriptor limit (soft RLIMIT_NOFILE).");
    db.sample("process_max_fds", {}, static_cast<double>(lim.rlim_cur));
  }
  double rss = 0, cpu = 0;
  process_stat(rss, cpu);
  if (rss >= 0) {
    db.family("process_resident_memory_bytes", "gauge", "Resident memory.");
    db.sample("process_resident_memory_bytes", {}, rss);
  }
  if (cpu >= 0) {
    db.family("process_cpu_seconds_total", "counter", "User and system CPU time.");
    db.sample("process_cpu_seconds_total", {}, cpu);
  }
  return text + db.text();
}

}  // namespace posfleet::metrics
