// posfleet: the operator's command line. See README.md for a walk-through.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <functional>
#include <iostream>

#include "cli/commands.h"
#include "core/http_client.h"
#include "core/signing.h"

namespace {

std::string env_or(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = posfleet::cli;
  CLI::App app{"posfleet: operator CLI for posfleet (keys, signed releases, terminals, deployments)"};
  app.require_subcommand(1);
  app.fallthrough();  // --server, --token and --json may follow the subcommand too
  cli::ServerOptions server{env_or("POSFLEET_SERVER"), env_or("POSFLEET_TOKEN"), false};
  app.add_option("--server", server.server, "posfleetd URL (env POSFLEET_SERVER)");
  app.add_option("--token", server.token, "management API token (env POSFLEET_TOKEN)");
  app.add_flag("--json", server.json, "print JSON");
  std::function<posfleet::Status()> action;

  auto* key = app.add_subcommand("key", "signing keys")->require_subcommand(1);
  std::string key_out;
  auto* key_gen = key->add_subcommand("generate", "create an ed25519 key pair: OUT.key (secret) and OUT.pub");
  key_gen->add_option("--out", key_out, "path prefix, e.g. keys/release")->required();
  key_gen->callback([&] { action = [&] { return cli::key_generate(key_out); }; });

  auto* release = app.add_subcommand("release", "releases")->require_subcommand(1);
  cli::CreateOptions create;
  auto* rc = release->add_subcommand("create", "make an unsigned release folder from component files");
  rc->add_option("--dir", create.dir, "release folder to write")->required();
  rc->add_option("--version", create.version, "release version, e.g. 2.1.0")->required();
  rc->add_option("--model", create.models, "hardware model it is for (repeat)")->required();
  rc->add_option("--component", create.components, "NAME=FILE[@VERSION] (repeat)")->required();
  rc->add_option("--notes-zh", create.notes_zh, "release notes, Chinese");
  rc->add_option("--notes-en", create.notes_en, "release notes, English");
  rc->add_option("--expires-days", create.expires_days, "days until the signed manifest expires")->capture_default_str();
  rc->add_option("--expires", create.expires_at, "absolute expiry, UTC, e.g. 2027-06-30T00:00:00Z");
  rc->add_option("--mandatory", create.mandatory, "component the merchant cannot leave out (repeat)");
  rc->add_option("--depends", create.depends, "NAME=OTHER: NAME needs OTHER installed with it (repeat)");
  rc->add_flag("--security", create.security, "mark as a security-critical release");
  rc->add_flag("--rollback", create.rollback, "allow terminals on a newer version to install this one");
  rc->callback([&] { action = [&] { return cli::release_create(create); }; });

  std::string dir, key_file;
  auto* rs = release->add_subcommand("sign", "sign a release folder offline with a .key file");
  rs->add_option("--dir", dir, "release folder")->required();
  rs->add_option("--key", key_file, "secret key file (.key)")->required();
  rs->callback([&] { action = [&] { return cli::release_sign(dir, key_file); }; });

  auto* rp = release->add_subcommand("publish", "upload a signed release folder to posfleetd");
  rp->add_option("--dir", dir, "release folder")->required();
  rp->callback([&] { action = [&] { return cli::release_publish(server, dir); }; });
  release->add_subcommand("list", "releases on the server")->callback([&] {
    action = [&] { return cli::release_list(server); };
  });

  auto* terminal = app.add_subcommand("terminal", "terminals")->require_subcommand(1);
  std::string serial, model;
  auto* tr = terminal->add_subcommand("register", "register a terminal; prints its DDI token once");
  tr->add_option("--serial", serial, "serial number")->required();
  tr->add_option("--model", model, "hardware model")->required();
  tr->callback([&] { action = [&] { return cli::terminal_register(server, serial, model); }; });
  auto* ts = terminal->add_subcommand("show", "a terminal's version and deployments");
  ts->add_option("serial", serial, "serial number")->required();
  ts->callback([&] { action = [&] { return cli::terminal_show(server, serial); }; });
  terminal->add_subcommand("list", "all terminals")->callback([&] {
    action = [&] { return cli::terminal_list(server); };
  });

  std::string release_version, id;
  auto* dp = app.add_subcommand("deploy", "assign a release to a terminal");
  dp->add_option("--release", release_version, "release version")->required();
  dp->add_option("--terminal", serial, "terminal serial")->required();
  dp->callback([&] { action = [&] { return cli::deploy(server, release_version, serial); }; });

  auto* deployment = app.add_subcommand("deployment", "deployments")->require_subcommand(1);
  auto* ds = deployment->add_subcommand("show", "a deployment's status and history");
  ds->add_option("id", id, "deployment id")->required();
  ds->callback([&] { action = [&] { return cli::deployment_show(server, id); }; });
  auto* dc = deployment->add_subcommand("cancel", "ask the terminal to stop a deployment");
  dc->add_option("id", id, "deployment id")->required();
  dc->callback([&] { action = [&] { return cli::deployment_cancel(server, id); }; });

  cli::add_fleet_commands(app, server, action);
  cli::add_credential_commands(app, server, action);

  CLI11_PARSE(app, argc, argv);
  if (!posfleet::init_crypto()) return 1;
  posfleet::HttpClient::global_init();
  auto status = action();
  if (!status) {
    std::cerr << "posfleet: " << status.error().message
              << (status.error().context.empty() ? "" : " [" + status.error().context + "]") << "\n";
    return status.error().code == posfleet::Code::kNotFound ? 3 : 1;
  }
  return 0;
}
