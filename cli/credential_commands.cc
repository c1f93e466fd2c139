// posfleet CLI: commands that end or renew credentials (docs/security.md):
// `token list`, `token revoke ID`, `terminal retire SERIAL --reason …` and
// `terminal rotate-token SERIAL`. Thin clients of /api/v1; a new token is
// printed once, and times in the reader's local time.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <ctime>
#include <iomanip>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "core/clock.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

// A UTC time from the server in this machine's local time; "-" for none.
std::string local(const bj::value& v, const char* key) {
  const std::string text = str(v, key);
  auto t = parse_utc(text);
  if (!t) return text;
  std::time_t tt = static_cast<std::time_t>(*t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M", &tm);
  return out;
}

Status run(const ServerOptions& s, const std::string& method, const std::string& path,
           const std::string& what, const bj::value* body, void (*human)(const bj::value&)) {
  auto v = call(s, method, path, what, body);
  if (!v) return v.error();
  if (s.json)
    print_json(*v);
  else
    human(*v);
  return ok_status();
}

void print_tokens(const bj::value& v) {
  std::cout << std::left << std::setw(5) << "ID" << std::setw(24) << "NAME" << std::setw(17)
            << "ROLE" << std::setw(18) << "CREATED" << std::setw(18) << "LAST USED"
            << "STATE\n";
  for (const auto& t : v.at("tokens").as_array()) {
    const bool revoked = !t.at("revoked").is_null();
    std::cout << std::setw(5) << str(t, "id") << std::setw(24) << str(t, "name") << std::setw(17)
              << str(t, "role") << std::setw(18) << local(t, "created") << std::setw(18)
              << local(t, "last_used") << (revoked ? "revoked " + local(t, "revoked") : "valid")
              << "\n";
  }
}

void print_revoked(const bj::value& v) {
  std::cout << "API token " << str(v, "id") << " (" << str(v, "name") << ", " << str(v, "role")
            << ") is revoked: it is refused from now on.\n";
}

void print_retired(const bj::value& v) {
  std::cout << "terminal " << str(v, "serial")
            << " is retired: its DDI token is refused from its next poll";
  if (!v.at("canceled_deployment").is_null())
    std::cout << ", and deployment " << str(v, "canceled_deployment") << " is canceled";
  std::cout
      << ".\nThis cannot be undone; to put the device back into service, register it again.\n";
}

void print_rotated(const bj::value& v) {
  std::cout << "new DDI token for " << str(v, "serial") << ", shown once: " << str(v, "token")
            << "\n"
            << "The old token is refused from now on. Write the new one into the agent's config "
               "(\"token\")\n"
            << "and restart posfleet-agent.\n";
}

}  // namespace

void add_credential_commands(CLI::App& app, ServerOptions& server,
                             std::function<Status()>& action) {
  static std::string id, serial, reason;
  auto* token = app.get_subcommand("token");
  token->add_subcommand("list", "API tokens: name, role, created, last used, revoked")
      ->callback([&] {
        action = [&] {
          return run(server, "GET", "/api/v1/tokens", "list tokens", nullptr, print_tokens);
        };
      });
  auto* tr =
      token->add_subcommand("revoke", "revoke an API token at once (see token list for its id)");
  tr->add_option("id", id, "the token's id")->required();
  tr->add_option("--reason", reason, "why, for the audit log");
  tr->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"reason", reason}};
      return run(server, "POST", "/api/v1/tokens/" + url_encode(id) + "/revoke", "revoke token", &b,
                 print_revoked);
    };
  });

  auto* terminal = app.get_subcommand("terminal");
  auto* re = terminal->add_subcommand(
      "retire", "retire a terminal for good: its token stops working (administrators)");
  re->add_option("serial", serial, "serial number")->required();
  re->add_option("--reason", reason, "why, for the audit log (e.g. stolen, returned, broken)")
      ->required();
  re->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"reason", reason}};
      return run(server, "POST", "/api/v1/terminals/" + url_encode(serial) + "/retire",
                 "retire terminal", &b, print_retired);
    };
  });
  auto* ro = terminal->add_subcommand("rotate-token",
                                      "give a terminal a new DDI token; the old one stops working");
  ro->add_option("serial", serial, "serial number")->required();
  ro->add_option("--reason", reason, "why, for the audit log");
  ro->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"reason", reason}};
      return run(server, "POST", "/api/v1/terminals/" + url_encode(serial) + "/rotate-token",
                 "rotate token", &b, print_rotated);
    };
  });
}

}  // namespace posfleet::cli
