// posfleet CLI: the operator's commands. Offline ones (keys, release create and
// sign) never talk to a server; the rest are thin clients of /api/v1.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::cli {

struct ServerOptions {
  std::string server;             // from --server or POSFLEET_SERVER
  std::string token;              // from --token or POSFLEET_TOKEN
  bool json = false;              // print JSON instead of text
  std::string ca_bundle;          // --ca-bundle or POSFLEET_CA_BUNDLE: the CA pinned for https://
  bool allow_plain_http = false;  // --allow-plain-http or POSFLEET_ALLOW_PLAIN_HTTP=1
};

struct CreateOptions {
  std::string dir, version, notes_zh, notes_en;
  std::vector<std::string> models, components;  // components as NAME=FILE[@VERSION]
  std::vector<std::string> mandatory, depends;  // NAME; NAME=OTHER
  // NAME=FILE.zck: the zchunk file of the image component NAME (a .swu) assembles, made with
  // `posfleet release zchunk`; NAME alone: one made here of the component's own file.
  std::vector<std::string> zchunks;
  int expires_days = 90;
  std::string expires_at;  // absolute UTC time; overrides expires_days
  bool security = false, rollback = false;
  // The release's sequence (docs/formats/manifest.md); 0: the creation time in
  // unix seconds, which grows with every release made later.
  long long sequence = 0;
};

// root init: root 1 with new root and release keys in `dir`.
struct RootInitOptions {
  std::string dir;
  int root_keys = 1, root_threshold = 1, release_keys = 1, release_threshold = 1;
  int expires_days = 365;
};

// root next: the unsigned next version of `from`; key lists replace the old
// ones when given (.pub files); thresholds kept (at most the key count) when 0.
struct RootNextOptions {
  std::string from, out;
  std::vector<std::string> root_keys, release_keys;
  int root_threshold = 0, release_threshold = 0;
  int expires_days = 365;
};

// A page of a list: at most `limit` rows (1-1000) from `offset`.
struct ListPage {
  int limit = 50;
  long long offset = 0;
  std::string after;                 // terminal list: the serials after this one (a keyset page)
  std::vector<std::string> filters;  // terminal list: KEY=VALUE of the terminal filter
};

// deploy: one release to one terminal, a list, a group or a filter.
struct DeployOptions {
  std::string release, terminal, group, reason;
  std::vector<std::string> terminals;  // serials (--terminals A,B,C)
  std::vector<std::string> filters;    // KEY=VALUE of the server's terminal filter
  bool dry_run = false;
};

struct DeploymentFilter {
  std::string release, status, result, terminal;
  ListPage page;
};

// Offline.
Status key_generate(const std::string& out_prefix);
Status release_create(const CreateOptions& o);
Status release_sign(const std::string& dir, const std::string& key_file);
// Patches from each component of the release in from_dir to the same component in to_dir,
// written into to_dir and listed in its manifest (docs/formats/delta.md); before signing.
struct DeltaOptions {
  std::string from_dir, to_dir;
};
Status release_delta(const DeltaOptions& o);
// The zchunk file of `image` beside it (docs/formats/zchunk.md), its header for a .swu, and
// the address posfleetd serves it at.
Status release_zchunk(const std::string& image);
Status root_init(const RootInitOptions& o);
Status root_next(const RootNextOptions& o);
Status root_sign(const std::string& file, const std::string& key_file);

// Against posfleetd.
Status release_publish(const ServerOptions& s, const std::string& dir);
Status root_publish(const ServerOptions& s, const std::string& file);
Status release_list(const ServerOptions& s);
// token_only: print just the terminal's DDI token (for scripts); time_zone: its own IANA zone
// ('' = its merchant's or the fleet's).
Status terminal_register(const ServerOptions& s, const std::string& serial,
                         const std::string& model, bool token_only,
                         const std::string& time_zone = "");
Status terminal_show(const ServerOptions& s, const std::string& serial);
Status terminal_list(const ServerOptions& s, const ListPage& page);
Status deploy(const ServerOptions& s, const DeployOptions& o);
Status deployment_list(const ServerOptions& s, const DeploymentFilter& f);
Status deployment_show(const ServerOptions& s, const std::string& id);
Status deployment_cancel(const ServerOptions& s, const std::string& id);
// Waits until the deployment has ended (polling every 2 s, at most
// timeout_seconds); ok only if it ended in success.
Status deployment_wait(const ServerOptions& s, const std::string& id, int timeout_seconds);

}  // namespace posfleet::cli

namespace CLI {
class App;
}

namespace posfleet::cli {
// Registers policy, token, merchant, support, audit, sms and release deadline
// commands on `app` (after `terminal` and `release` exist).
void add_fleet_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// Registers token list/revoke and terminal retire/rotate-token (after
// add_fleet_commands: `token` and `terminal` must exist).
void add_credential_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// device_commands.cc: terminals' certificates and the device authentication setting.
void add_device_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// freeze add|list|remove, terminal set-time-zone (freeze_commands.cc).
void add_freeze_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// org list|show|add, terminal move (org_commands.cc; after add_fleet_commands).
void add_org_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// terminal lock|unlock|lock-status, support unlock-code (control_commands.cc; after the
// terminal and support commands).
void add_control_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// `terminal health SERIAL` (health_commands.cc).
void add_health_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// terminal import FILE (import_commands.cc; after the terminal commands).
void add_import_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// param template list|show|add, param show|set|preview|terminal (param_commands.cc).
void add_param_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// Registers audit list and user totp-reset/totp-required (after add_fleet_commands: `audit`
// exists).
void add_account_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// webhook_commands.cc: webhook add|list|remove|test.
void add_webhook_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
// rollout_commands.cc: staged rollouts (waves, approvals, the kill switch).
void add_rollout_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action);
}  // namespace posfleet::cli
