// posfleetd: the posfleet server. Serves the DDI device API, the management
// API and the web console from one process, on embedded SQLite under
// --data-dir by default, or on PostgreSQL (--database) shared by any number of
// posfleetd servers.
#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/clock.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/sd_notify.h"
#include "core/signing.h"
#include "core/text.h"
#include "server/background/jobs.h"
#include "server/domain/accounts.h"
#include "server/domain/device_ca.h"
#include "server/domain/health.h"
#include "server/domain/identity_verifier.h"
#include "server/domain/last_seen.h"
#include "server/domain/load.h"
#include "server/domain/onboarding.h"
#include "server/domain/rate_limit.h"
#include "server/domain/secrets.h"
#include "server/domain/sms.h"
#include "server/domain/tokens.h"
#include "server/http/host.h"
#include "server/http/listener.h"
#include "server/http/static_files.h"
#include "server/http/tls.h"
#include "server/metrics/metrics_api.h"
#include "server/ops/backup_restore.h"
#include "server/ops/migrate.h"
#include "server/routes.h"
#include "server/store/postgres/pg_store.h"
#include "server/store/sqlite/sqlite_store.h"

namespace {

// On the first start there is no API token yet: create the administrator's,
// from POSFLEET_BOOTSTRAP_TOKEN if set, else a random one shown once.
posfleet::Status bootstrap_admin(posfleet::store::Store& store, const std::string& url) {
  auto count = store.count_api_tokens();
  if (!count) return count.error();
  if (*count > 0) {
    std::cout << "Log in with the admin API token shown on first start:\n"
              << "  export POSFLEET_SERVER=" << url << " POSFLEET_TOKEN=<token>\n";
    return posfleet::ok_status();
  }
  const char* env = std::getenv("POSFLEET_BOOTSTRAP_TOKEN");
  std::string token = env && *env ? env : posfleet::domain::new_token();
  auto id = store.insert_api_token(
      {0, posfleet::domain::hash_token(token), "admin", "admin", posfleet::unix_now()});
  if (!id) return id.error();
  std::cout << "First start: created the administrator's API token. It is shown only this once; "
               "keep it safe.\n"
            << "  export POSFLEET_SERVER=" << url
            << " POSFLEET_TOKEN=" << (env && *env ? "<from POSFLEET_BOOTSTRAP_TOKEN>" : token)
            << "\n";
  return posfleet::ok_status();
}

// The first person to log in to the back office: user "admin", with the
// password from POSFLEET_ADMIN_PASSWORD if set, else a random one shown once.
posfleet::Status bootstrap_admin_user(posfleet::domain::Context& ctx, const std::string& url) {
  auto users = ctx.store.list_users();
  if (!users) return users.error();
  if (!users->empty()) return posfleet::ok_status();
  const char* env = std::getenv("POSFLEET_ADMIN_PASSWORD");
  std::string password = env && *env ? env : posfleet::domain::new_token().substr(0, 20);
  auto u = posfleet::domain::create_user(ctx, "admin", posfleet::domain::Role::kAdmin, password,
                                         {"posfleetd", "system", "console"});
  if (!u) return u.error();
  std::cout << "First start: created the back-office user \"admin\". Its password is shown only "
               "this once:\n"
            << "  log in at " << url << "/ as admin with password "
            << (env && *env ? "<from POSFLEET_ADMIN_PASSWORD>" : password) << "\n";
  return posfleet::ok_status();
}

// One posfleetd per data directory, and no key rotation while it runs: both
// hold <data_dir>/posfleetd.lock. The descriptor stays open for the process.
posfleet::Status lock_data_dir(const std::string& data_dir) {
  int fd = ::open((data_dir + "/posfleetd.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return posfleet::make_error(posfleet::Code::kIo, "cannot open " + data_dir + "/posfleetd.lock");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return posfleet::make_error(
        posfleet::Code::kConflict,
        "another posfleetd uses " + data_dir + "; stop it first (one process per data directory)");
  }
  return posfleet::ok_status();
}

// `posfleetd rotate-secret-key`: a new secret.key, every sealed value re-sealed
// with it, then the old key deleted. Run again to finish an interrupted one.
int rotate_secret_key(posfleet::domain::Context& ctx, const std::string& key_file) {
  auto box = posfleet::domain::SecretBox::open(key_file);
  if (!box) {
    std::cerr << "posfleetd: " << box.error().message << "\n";
    return 1;
  }
  ctx.secrets = &*box;
  auto n = posfleet::domain::reseal_all(ctx);
  if (!n) {
    std::cerr << "posfleetd: re-sealing stopped: " << n.error().message
              << "\n  both keys are kept; run rotate-secret-key again to finish\n";
    return 1;
  }
  if (auto s = posfleet::domain::SecretBox::finish_rotation(key_file); !s) {
    std::cerr << "posfleetd: " << s.error().message << "\n";
    return 1;
  }
  std::cout << "re-sealed " << *n << " values with key " << box->key_id()
            << "; the old key is deleted\n";
  return 0;
}

// Connections served at once: as asked, or what the descriptor limit allows
// (64 kept for the database, artifacts and logs). Each connection holds one.
int connection_cap(int asked, std::uint64_t fd_limit) {
  const std::uint64_t room = fd_limit - std::min<std::uint64_t>(64, fd_limit / 2);
  if (asked == 0) return std::max(1, static_cast<int>(std::min<std::uint64_t>(room, 10000)));
  if (static_cast<std::uint64_t>(asked) > room)
    spdlog::warn(
        "--max-connections {} is more than the descriptor limit ({}) leaves room for; raise it "
        "(ulimit -n) or expect refused connections",
        asked, fd_limit);
  return asked;
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // before any thread: webhooks POST with libcurl
  CLI::App app{"posfleetd: posfleet server (hawkBit DDI device API, management API)"};
  std::string data_dir = "./var", listen = "127.0.0.1:8080", tenant = "DEFAULT", log_level = "info";
  int poll_seconds = 60, threads = 0, max_downloads = 64;
  app.add_option("--data-dir", data_dir, "directory for the database and artifacts")
      ->capture_default_str();
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0 picks a free one)")
      ->capture_default_str();
  std::string database, artifact_dir, secret_key;
  app.add_option("--database", database,
                 "postgresql://USER@HOST:PORT/DB: keep the fleet in PostgreSQL, which several "
                 "posfleetd servers may share (default: SQLite in --data-dir)");
  app.add_option("--artifact-dir", artifact_dir,
                 "where uploaded artifacts are kept (default: --data-dir/artifacts); servers on "
                 "one PostgreSQL share one");
  app.add_option("--secret-key", secret_key,
                 "the key that seals personal data (default: --data-dir/secret.key); servers on "
                 "one PostgreSQL share one");
  app.add_option("--tenant", tenant, "DDI tenant name in device URLs")->capture_default_str();
  app.add_option("--poll-seconds", poll_seconds,
                 "how often terminals poll (DDI config.polling.sleep)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option(
         "--max-downloads", max_downloads,
         "artifact downloads streamed at once; more are answered 429 + Retry-After (0: unlimited)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--threads", threads, "network threads (0: one per core)")->capture_default_str();
  std::size_t poll_cache = posfleet::store::SqliteStore::kPollCacheTerminals;
  app.add_option("--poll-cache-terminals", poll_cache,
                 "on SQLite, terminals with nothing to do whose polls are answered without "
                 "reading the database (about 1 KiB each; 0: none)")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  std::string log_format = "text";
  app.add_option("--log-format", log_format,
                 "text (under systemd: without timestamps, journald stamps lines) or json (one "
                 "object per line: time, level, message, fields)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  std::string metrics_allow = posfleet::metrics::kDefaultMetricsAllow;
  app.add_option("--metrics-allow", metrics_allow,
                 "addresses and CIDR blocks that may read GET /metrics, comma-separated")
      ->capture_default_str();
  std::string metrics_token_file;
  app.add_option("--metrics-token-file", metrics_token_file,
                 "file whose first line is a bearer token GET /metrics also requires");
  // The console's files: console/dist of the source tree this posfleetd was
  // built in (build/bin/posfleetd → ../../console/dist), unless given.
  std::string console_dir =
      (std::filesystem::path(std::filesystem::read_symlink("/proc/self/exe")).parent_path() /
       "../../console/dist")
          .lexically_normal()
          .string();
  app.add_option("--console-dir", console_dir, "the built web console (console/dist)")
      ->capture_default_str();
  int session_idle = 1800;
  app.add_option("--session-idle-seconds", session_idle,
                 "back-office sessions end after this long unused")
      ->check(CLI::Range(2, 86400))
      ->capture_default_str();
  int webhook_ms = 2000, webhook_retry_seconds = 10;
  bool webhook_allow_http = false;
  app.add_option("--webhook-ms", webhook_ms, "how often due webhook events are sent (ms)")
      ->check(CLI::Range(50, 3600000))
      ->capture_default_str();
  app.add_option("--webhook-retry-seconds", webhook_retry_seconds,
                 "a failed webhook delivery is tried again after this long, doubling each time "
                 "(at most an hour apart, for a day)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_flag("--webhook-allow-http", webhook_allow_http,
               "allow webhook URLs with plain http:// to hosts other than loopback (messages "
               "then cross the network unencrypted)");
  auto* rotate = app.add_subcommand(
      "rotate-secret-key",
      "replace secret.key and re-seal every resident ID and card number (posfleetd stopped)");
  posfleet::ops::BackupOptions backup_opts;
  auto* backup = app.add_subcommand(
      "backup", "copy the database to one file, consistent while posfleetd runs (--data-dir DIR)");
  backup->add_option("--to", backup_opts.to, "the backup file to write")->required();
  backup->add_flag("--force", backup_opts.force, "replace the file if it exists");
  backup->fallthrough();
  posfleet::ops::RestoreOptions restore_opts;
  auto* restore =
      app.add_subcommand("restore",
                         "check a backup (schema, integrity, audit chain) and make it --data-dir's "
                         "database (posfleetd stopped)");
  restore->add_option("--from", restore_opts.from, "the backup file")->required();
  restore->add_flag("--force", restore_opts.force, "replace a database already in --data-dir");
  restore->fallthrough();
  posfleet::ops::MigrateOptions migrate_opts;
  auto* migrate = app.add_subcommand(
      "migrate",
      "copy the SQLite database of a data directory into a new PostgreSQL database, then check "
      "every table's rows and the audit chain there; safe to run again (posfleetd stopped)");
  migrate
      ->add_option("--from-data-dir", migrate_opts.from_data_dir,
                   "the --data-dir of the posfleetd that ran on SQLite")
      ->required();
  migrate
      ->add_option("--to", migrate_opts.to,
                   "postgresql://USER@HOST:PORT/DB: the database the servers will use (new, or "
                   "holding this very data from an earlier run)")
      ->required();
  std::vector<std::string> release_key_files;
  int release_threshold = 1;
  app.add_option("--release-key", release_key_files,
                 "release public key (.pub) to check signatures against at publish (repeat); none: "
                 "only terminals check");
  app.add_option("--release-threshold", release_threshold,
                 "distinct --release-key signatures a release needs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  std::vector<std::string> trusted_proxies;
  app.add_option("--trusted-proxy", trusted_proxies,
                 "address of a reverse proxy (e.g. 127.0.0.1 for nginx in front) whose "
                 "X-Forwarded-For names the "
                 "client; repeat for several");
  std::string external_url;
  app.add_option("--external-url", external_url,
                 "how terminals and browsers reach this server, e.g. https://fleet.example.com "
                 "behind a TLS proxy; "
                 "download links start with it (default: http:// and the --listen address)");
  std::string support_phone;
  app.add_option("--support-phone", support_phone,
                 "the support number a locked terminal shows its merchant (终端已锁定), e.g. "
                 "95516; 40 characters at most");
  std::string artifact_base_url;
  app.add_option("--artifact-base-url", artifact_base_url,
                 "where another web server (nginx, a CDN) serves --artifact-dir, e.g. "
                 "https://cdn.example.com/posfleet/: terminals download artifacts from there (the "
                 "signed manifest vouches for them); posfleetd still serves them too");
  posfleet::http::ListenerOptions limits;
  app.add_option("--max-body-bytes", limits.max_body, "largest JSON request body, held in memory")
      ->check(CLI::Range(std::uint64_t{1024}, std::uint64_t{1} << 30))
      ->capture_default_str();
  app.add_option("--max-upload-bytes", limits.max_upload,
                 "largest artifact upload (authenticated; streamed to disk, never held in memory)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 50))
      ->capture_default_str();
  int max_connections = 0;
  app.add_option(
         "--max-connections", max_connections,
         "connections served at once; more wait until one ends (0: the descriptor limit allows, "
         "keeping 64 for files, at most 10000)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--header-timeout-seconds", limits.header_timeout_seconds,
                 "a request's head must arrive within this long (slow clients are cut off)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option(
         "--idle-timeout-seconds", limits.idle_timeout_seconds,
         "a kept-alive connection without a request, or a stalled body, ends after this long")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--drain-seconds", limits.drain_seconds,
                 "on SIGTERM/SIGINT, how long requests in flight (a download, an upload) may take "
                 "to finish before they are cut; new connections are refused at once and a second "
                 "signal stops at once")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  posfleet::http::TlsFiles tls_files;
  std::string tls_client_ca;
  app.add_option("--tls-cert", tls_files.cert,
                 "serve HTTPS with this PEM certificate chain (server certificate first); reread "
                 "on SIGHUP")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", tls_files.key,
                 "the PEM private key of --tls-cert (keep it mode 0600); reread on SIGHUP")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-client-ca", tls_client_ca,
                 "ask TLS clients for a certificate issued by this CA (PEM) and verify it; never "
                 "required (console users and token terminals have none); reread on SIGHUP")
      ->check(CLI::ExistingFile);
  std::int64_t bulk_cap = 10000;
  app.add_option("--bulk-cap", bulk_cap,
                 "the most terminals one bulk policy edit or deployment may change")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  int timeout_sweep_ms = 30000;
  app.add_option("--timeout-sweep-ms", timeout_sweep_ms,
                 "how often to look for stuck deployments and time them out (the limits per "
                 "phase are the fleet's setting, GET/PUT /api/v1/fleet/timeouts)")
      ->check(CLI::Range(100, 3600000))
      ->capture_default_str();
  std::int64_t rollout_tick_ms = 5000, rollout_unreachable_seconds = 3600;
  app.add_option("--rollout-tick-ms", rollout_tick_ms,
                 "how often staged rollouts are advanced, in milliseconds (tests and the fleet "
                 "simulator compress time with a small one)")
      ->check(CLI::Range(10, 600000))
      ->capture_default_str();
  app.add_option("--rollout-unreachable-seconds", rollout_unreachable_seconds,
                 "how long a rollout member not seen since its wave started may be offline "
                 "before it counts as unreachable (it does not hold its wave back)")
      ->check(CLI::Range(1, 30 * 86400))
      ->capture_default_str();
  int health_every_seconds = 900, health_history_seconds = 3600, health_retention_days = 30;
  app.add_option("--health-every-seconds", health_every_seconds,
                 "how often posfleet's agent sends its health (battery, storage, signal, ...) "
                 "with a poll (docs/health.md)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--health-history-seconds", health_history_seconds,
                 "how far apart a terminal's health history rows are at least (the latest "
                 "report is always kept)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--health-retention-days", health_retention_days,
                 "how long health history is kept")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  std::string device_ca_cert, device_ca_key;
  int device_cert_days = 90;
  app.add_option("--device-ca-cert", device_ca_cert,
                 "the device CA certificate that signs terminals' certificates (PEM; default: "
                 "device-ca.crt in --data-dir, created at first start)");
  app.add_option("--device-ca-key", device_ca_key, "its private key (PEM), with --device-ca-cert");
  app.add_option("--device-cert-days", device_cert_days,
                 "how long a terminal's certificate is valid")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  auto format = posfleet::log::setup("posfleetd", log_format, log_level);
  if (!format) {
    std::cerr << "posfleetd: " << format.error().message << "\n";
    return 2;
  }
  // What posfleetd says at start: on stdout, or as log lines when the logs are JSON.
  const bool json_logs = *format == posfleet::log::Format::kJson;
  auto say = [json_logs](const std::string& text) {
    if (json_logs)
      spdlog::info("{}", text);
    else
      std::cout << text << std::endl;
  };

  auto fail = [](const posfleet::Error& e) {
    std::cerr << "posfleetd: " << e.message << (e.context.empty() ? "" : " [" + e.context + "]")
              << "\n";
    return 1;
  };
  if (auto s = posfleet::init_crypto(); !s) return fail(s.error());
  if (migrate->parsed()) {
    if (!posfleet::store::is_postgres_url(migrate_opts.to))
      return fail({posfleet::Code::kInvalidArgument,
                   "--to takes a PostgreSQL URL, postgresql://USER@HOST:PORT/DB", ""});
    if (!std::filesystem::is_directory(migrate_opts.from_data_dir))
      return fail({posfleet::Code::kNotFound,
                   "no data directory at " + migrate_opts.from_data_dir +
                       ": --from-data-dir names the --data-dir of the posfleetd that ran on SQLite",
                   ""});
    // No posfleetd may write to the source while it is copied.
    if (auto s = lock_data_dir(migrate_opts.from_data_dir); !s) return fail(s.error());
    return posfleet::ops::run_migrate(migrate_opts, std::cout, std::cerr);
  }
  const bool on_postgres = !database.empty();
  if (on_postgres && !posfleet::store::is_postgres_url(database))
    return fail({posfleet::Code::kInvalidArgument,
                 "--database takes a PostgreSQL URL, postgresql://USER@HOST:PORT/DB (without it "
                 "posfleetd keeps SQLite in --data-dir)",
                 ""});
  if (on_postgres && (backup->parsed() || restore->parsed()))
    return fail({posfleet::Code::kInvalidArgument,
                 "backup and restore are for the embedded SQLite database; back PostgreSQL up "
                 "with pg_dump (docs/operations.md)",
                 ""});
  if (!artifact_base_url.empty()) {
    auto base = posfleet::http::parse_artifact_base_url(artifact_base_url);
    if (!base) return fail(base.error());
    artifact_base_url = *base;
  }
  if (artifact_dir.empty()) artifact_dir = data_dir + "/artifacts";
  if (secret_key.empty()) secret_key = data_dir + "/secret.key";
  if (backup->parsed()) {  // beside a running posfleetd: no lock, nothing written in data_dir
    backup_opts.data_dir = data_dir;
    return posfleet::ops::run_backup(backup_opts, std::cout, std::cerr);
  }
  if (auto s = posfleet::make_dirs(data_dir); !s) return fail(s.error());
  if (auto s = lock_data_dir(data_dir); !s) return fail(s.error());
  if (restore->parsed()) {
    restore_opts.data_dir = data_dir;
    return posfleet::ops::run_restore(restore_opts, std::cout, std::cerr);
  }
  std::unique_ptr<posfleet::store::Store> opened;
  if (on_postgres) {
    auto pg = posfleet::store::PgStore::open(database);
    if (!pg) return fail(pg.error());
    opened = std::move(*pg);
  } else {
    auto lite = posfleet::store::SqliteStore::open(data_dir + "/posfleet.db", poll_cache);
    if (!lite) return fail(lite.error());
    opened = std::move(*lite);
  }
  auto* store = &opened;
  posfleet::store::ArtifactStore artifacts(artifact_dir);
  if (auto s = artifacts.init(); !s) return fail(s.error());

  if (rotate->parsed()) {
    if (auto s = posfleet::domain::SecretBox::begin_rotation(secret_key); !s)
      return fail(s.error());
    posfleet::domain::OutboxSmsSender no_sms(data_dir + "/sms-outbox.jsonl");
    posfleet::domain::Context ctx{**store,  artifacts, tenant, poll_seconds,
                                  data_dir, &no_sms,   nullptr};
    return rotate_secret_key(ctx, secret_key);
  }
  if (!std::filesystem::exists(secret_key)) {  // a new key would leave sealed data unreadable
    auto applications = (*store)->list_applications("", 0, 1, "");
    auto merchants = (*store)->merchants_after(0, 1);
    if ((applications && !applications->empty()) || (merchants && !merchants->empty()))
      return fail(posfleet::make_error(posfleet::Code::kNotFound,
                                       secret_key +
                                           " is missing but the database holds sealed personal "
                                           "data; restore secret.key from your backup"));
  }
  auto secrets = posfleet::domain::SecretBox::open(secret_key);
  if (!secrets) return fail(secrets.error());
  posfleet::domain::OutboxSmsSender sms(data_dir + "/sms-outbox.jsonl");

  posfleet::domain::LoadState load(max_downloads);
  posfleet::domain::Context ctx{**store,  artifacts, tenant,   poll_seconds,
                                data_dir, &sms,      &*secrets};
  ctx.load = &load;
  posfleet::domain::LastSeen last_seen;
  ctx.last_seen = &last_seen;
  posfleet::domain::HealthReports health_reports;
  ctx.health = &health_reports;
  ctx.health_every_seconds = health_every_seconds;
  ctx.health_history_seconds = health_history_seconds;
  ctx.health_retention_days = health_retention_days;
  posfleet::domain::FormatOnlyVerifier verifier;
  ctx.verifier = &verifier;
  // Per address and minute, on routes without log-in; counted in the store, so servers sharing
  // a database count together.
  posfleet::domain::RateLimiter public_limit(**store, 60, 60);
  ctx.public_limit = &public_limit;
  if (secrets->rotating())
    spdlog::warn(
        "secret.key.old exists: a key rotation did not finish; stop posfleetd and run "
        "`posfleetd --data-dir {} rotate-secret-key` again",
        data_dir);
  ctx.session_idle_seconds = session_idle;
  for (const auto& file : release_key_files) {
    auto text = posfleet::read_file(file);
    if (!text) return fail(text.error().with_context(file));
    auto key = posfleet::parse_public_key(*text);
    if (!key) return fail(key.error().with_context(file));
    ctx.release_keys.push_back(*key);
  }
  if (!ctx.release_keys.empty() && release_threshold > static_cast<int>(ctx.release_keys.size()))
    return fail({posfleet::Code::kInvalidArgument,
                 "--release-threshold is more than the number of --release-key files", ""});
  ctx.release_threshold = release_threshold;
  ctx.bulk_cap = bulk_cap;
  ctx.timeout_sweep_ms = timeout_sweep_ms;
  ctx.rollout_tick_ms = rollout_tick_ms;
  ctx.rollout_unreachable_seconds = rollout_unreachable_seconds;
  ctx.trusted_proxies = trusted_proxies;
  if (device_ca_cert.empty() != device_ca_key.empty())
    return fail({posfleet::Code::kInvalidArgument,
                 "give --device-ca-cert and --device-ca-key together", ""});
  auto device_ca = device_ca_cert.empty()
                       ? posfleet::domain::DeviceCa::open_in(data_dir)
                       : posfleet::domain::DeviceCa::load(device_ca_cert, device_ca_key);
  if (!device_ca) return fail(device_ca.error());
  ctx.device_ca = device_ca->get();
  ctx.device_cert_days = device_cert_days;
  ctx.webhook_ms = webhook_ms;
  ctx.webhook_retry_seconds = webhook_retry_seconds;
  ctx.webhook_allow_http = webhook_allow_http;
  posfleet::http::Router router;
  posfleet::add_all_routes(router, ctx);
  posfleet::http::StaticFiles console(console_dir);
  router.set_fallback([&console](posfleet::http::Request& req) { return console.serve(req); });
  auto metrics_cidrs = posfleet::metrics::parse_cidr_list(metrics_allow);
  if (!metrics_cidrs) return fail(metrics_cidrs.error());
  std::string metrics_token;
  if (!metrics_token_file.empty()) {
    auto token = posfleet::metrics::MetricsAccess::read_token_file(metrics_token_file);
    if (!token) return fail(token.error());
    metrics_token = *token;
  }
  posfleet::metrics::MetricsService metrics(
      ctx, posfleet::metrics::MetricsAccess(*metrics_cidrs, metrics_token));
  metrics.attach(router);

  auto opts = posfleet::http::parse_listen(listen, limits);
  if (!opts) return fail(opts.error());
  if (tls_files.cert.empty() != tls_files.key.empty())
    return fail({posfleet::Code::kInvalidArgument,
                 "--tls-cert and --tls-key go together: give both to serve HTTPS, or neither", ""});
  if (!tls_client_ca.empty() && tls_files.cert.empty())
    return fail({posfleet::Code::kInvalidArgument,
                 "--tls-client-ca needs --tls-cert and --tls-key (client certificates are asked "
                 "for in the TLS handshake)",
                 ""});
  if (!tls_client_ca.empty()) tls_files.client_cas.push_back(tls_client_ca);
  // Terminals present certificates from the device CA (domain/device_certs.h).
  if (!tls_files.cert.empty()) tls_files.client_cas.push_back(ctx.device_ca->cert_file());
  if (!tls_files.cert.empty()) {
    auto tls = posfleet::http::TlsConfig::load(tls_files);
    if (!tls) return fail(tls.error());
    opts->tls = *tls;
  }
  opts->threads = threads;
  opts->max_connections = connection_cap(max_connections, posfleet::http::raise_fd_limit());
  opts->on_drain = [] {
    if (auto s = posfleet::sd::notify("STOPPING=1\nSTATUS=draining"); !s)
      spdlog::warn("systemd: {}", s.error().message);
  };
  posfleet::http::Listener listener(router, *opts);
  if (auto s = listener.bind(); !s) return fail(s.error());
  std::string host =
      opts->host.find(':') != std::string::npos ? "[" + opts->host + "]" : opts->host;
  const std::string listen_url =
      (opts->tls ? "https://" : "http://") + host + ":" + std::to_string(listener.port());
  if (!opts->tls && !posfleet::http::is_loopback(opts->host))
    spdlog::warn(
        "serving plain HTTP on {}, which other machines reach: tokens, passwords and updates "
        "cross the network unencrypted. Plain HTTP is for development on loopback; give "
        "--tls-cert and --tls-key (or put a TLS proxy in front and listen on 127.0.0.1)",
        opts->host);
  if (external_url.empty() && (opts->host == "0.0.0.0" || opts->host == "::"))
    spdlog::warn(
        "listening on every address; download links name {}, which terminals cannot reach: set "
        "--external-url to the address they use",
        listen_url);
  auto url = posfleet::http::parse_external_url(external_url.empty() ? listen_url : external_url);
  if (!url) return fail(url.error());
  ctx.external_url = *url;
  if (auto s = posfleet::text::check_field("--support-phone", support_phone, 40); !s)
    return fail(s.error());
  ctx.support_phone = support_phone;
  ctx.artifact_base_url = artifact_base_url;
  if (auto s = bootstrap_admin(**store, *url); !s) return fail(s.error());
  if (auto s = bootstrap_admin_user(ctx, *url); !s) return fail(s.error());
  say(console.available() ? "console at " + *url + "/ (back-office users log in there)"
                          : "console not built (run scripts/build.sh); the APIs work without it");
  say("posfleetd listening on " + listen_url + " (data in " + data_dir + ", tenant " + tenant +
      ", links start with " + *url + ", at most " + std::to_string(opts->max_connections) +
      " connections)");
  // The port accepts connections since bind(); run() serves them from now on.
  if (auto s = posfleet::sd::notify("READY=1\nSTATUS=serving on " + listen_url); !s)
    spdlog::warn("systemd: {}", s.error().message);
  // Background work (server/background/): each area registers its jobs in add_background_jobs.
  const std::string owner = posfleet::background::Runner::make_owner();
  posfleet::background::Runner background(**store, owner), outbound(**store, owner);
  posfleet::add_background_jobs(background, outbound, ctx);
  background.start();
  outbound.start();
  listener.run();
  outbound.stop();
  background.stop();
  if (auto s = last_seen.flush(**store); !s)
    spdlog::warn("the last second of polls' last_seen was not written: {}", s.error().message);
  say("posfleetd stopped");
  return 0;
}
