// posfleet agent: its configuration file (JSON, docs/operations.md).
//
//   {"server": "http://127.0.0.1:8080", "tenant": "DEFAULT", "terminal": "PF0001",
//    "token": "<DDI token>", "model": "A920", "device_dir": "./device",
//    "trusted_keys": ["release.pub"], "threshold": 1}
// Optional: "factory_version" (version in slot A of a new device, default
// "1.0.0"), "max_boot_attempts" (3), "download_rate_limit" (bytes/s, 0 = none),
// "max_poll_seconds" (cap on the server's poll interval, 0 = none),
// "min_battery_percent" (30; below it an install waits for the charger),
// "precheck_retry_seconds" (30; how often a failed pre-check is tried again),
// the download's bounds per deployment (docs/security.md): "download_max_failures"
// (10 failed attempts), "download_max_hours" (48 from the first attempt),
// "download_retry_seconds" (2; the first backoff, doubled per failure up to
// 60), "download_min_rate" (1024 bytes/s, averaged over
// "download_rate_window_seconds", 60).
// Transport security: "ca_bundle" (PEM CA certificate(s) the server's TLS
// certificate must chain to; pinned: the system's CAs are then not used),
// "client_cert" and "client_key" (this terminal's certificate and key for
// mutual TLS, both or neither), "allow_plain_http" (true lets "server" be an
// http:// URL, for development; without it the agent refuses to start).
// "root": "root.json" pins the root of trust (docs/formats/root.md): releases
// are then checked against its release keys, and newer roots the server
// offers are walked to; "trusted_keys"/"threshold" are then not needed. Without
// "root", "trusted_keys" + "threshold" are the fixed release keys, as before.
// Relative paths are taken from the config file's folder. A new terminal's
// config has no "token": `posfleet-agent enroll CODE` writes it (agent/enroll.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/http_client.h"
#include "core/result.h"
#include "core/root.h"
#include "core/signing.h"

namespace posfleet::agent {

struct Config {
  std::string server, tenant = "DEFAULT", terminal, token, model, device_dir;
  std::vector<PublicKey> trusted_keys;
  int threshold = 1;
  std::optional<SignedRoot> root;  // the pinned root ("root"), checked self-signed
  std::string factory_version = "1.0.0";
  int max_boot_attempts = 3;
  std::uint64_t download_rate_limit = 0;
  int max_poll_seconds = 0;
  int min_battery_percent = 30;
  int precheck_retry_seconds = 30;
  int download_max_failures = 10;
  int download_max_hours = 48;
  int download_retry_seconds = 2;
  std::uint64_t download_min_rate = 1024;
  int download_rate_window_seconds = 60;
  TlsClientOptions tls;  // "ca_bundle", "client_cert", "client_key", "allow_plain_http"

  static Expected<Config> load(const std::string& path);
};

// The transport keys of a config object (see above), paths resolved from the
// folder of `path`, checked: the files exist, a client certificate comes with
// its key, and an http:// "server" is allowed explicitly. Also used by
// `enroll`, whose config has no token yet. Errors say which key to fix.
Expected<TlsClientOptions> transport_options(const boost::json::object& config,
                                             const std::string& path);

}  // namespace posfleet::agent
