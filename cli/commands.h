// posfleet CLI: the operator's commands. Offline ones (keys, release create and
// sign) never talk to a server; the rest are thin clients of /api/v1.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::cli {

struct ServerOptions {
  std::string server;  // from --server or POSFLEET_SERVER
  std::string token;   // from --token or POSFLEET_TOKEN
  bool json = false;   // print JSON instead of text
};

struct CreateOptions {
  std::string dir, version, notes_zh, notes_en;
  std::vector<std::string> models, components;  // components as NAME=FILE[@VERSION]
  std::vector<std::string> mandatory, depends;  // NAME; NAME=OTHER
  int expires_days = 90;
  std::string expires_at;  // absolute UTC time; overrides expires_days
  bool security = false, rollback = false;
};

// Offline.
Status key_generate(const std::string& out_prefix);
Status release_create(const CreateOptions& o);
Status release_sign(const std::string& dir, const std::string& key_file);

// Against posfleetd.
Status release_publish(const ServerOptions& s, const std::string& dir);
Status release_list(const ServerOptions& s);
Status terminal_register(const ServerOptions& s, const std::string& serial, const std::string& model);
Status terminal_show(const ServerOptions& s, const std::string& serial);
Status terminal_list(const ServerOptions& s);
Status deploy(const ServerOptions& s, const std::string& release, const std::string& terminal);
Status deployment_show(const ServerOptions& s, const std::string& id);
Status deployment_cancel(const ServerOptions& s, const std::string& id);

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
}  // namespace posfleet::cli
