// posfleet CLI: terminals' certificates (mutual TLS) and the fleet's device
// authentication setting: `terminal certificates SERIAL`,
// `terminal revoke-certificate SERIAL --reason …` and
// `device-auth [--token-required yes|no --reason …]`. Thin clients of /api/v1.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

void print_certificates(const bj::value& v) {
  Table t{say("证书序列号", "SERIAL NUMBER"), say("签发时间", "ISSUED"),
          say("有效期至", "VALID UNTIL"), say("状态", "STATE"), say("SHA-256 指纹", "SHA-256")};
  for (const auto& row : v.at("certificates").as_array()) {
    const bool revoked = !row.at("revoked").is_null();
    t.add({clean(str(row, "serial_number")), time_of(row, "issued"), time_of(row, "not_after"),
           revoked ? say("已吊销 ", "revoked ") + time_of(row, "revoked") + " (" +
                         clean(str(row, "revoked_reason"), 60) + ")"
                   : say("有效", "valid"),
           clean(str(row, "fingerprint"))});
  }
  if (t.empty())
    std::cout << say(
        "该终端没有证书（用 posfleet-agent certificate 申请）\n",
        "this terminal has no certificate (get one with posfleet-agent certificate)\n");
  else
    t.print(std::cout);
}

void print_revoked(const bj::value& v) {
  std::cout << say("终端 ", "terminal ") << clean(str(v, "serial")) << say(" 的 ", ": ")
            << str(v, "revoked")
            << say(" 张证书已吊销：下次连接起拒绝。\n",
                   " certificate(s) revoked; they are refused from its next connection.\n");
}

void print_device_auth(const bj::value& v) {
  const bool required = v.at("token_required").as_bool();
  std::cout << (required ? say("终端必须发送 DDI 令牌（证书之外）。\n",
                               "terminals must send their DDI token (besides any certificate).\n")
                         : say("有证书的终端可以不发送 DDI 令牌。\n",
                               "terminals with a certificate may leave out their DDI token.\n"));
}

}  // namespace

void add_device_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static std::string serial, reason, required;
  auto* terminal = app.get_subcommand("terminal");
  auto* certs = terminal->add_subcommand(
      "certificates", "a terminal's client certificates: issued, valid until, revoked");
  certs->add_option("serial", serial, "serial number")->required();
  certs->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/terminals/" + url_encode(serial) + "/certificates",
                  "list certificates", nullptr, print_certificates);
    };
  });
  auto* rc = terminal->add_subcommand(
      "revoke-certificate",
      "revoke a terminal's certificates: refused from its next connection (administrators)");
  rc->add_option("serial", serial, "serial number")->required();
  rc->add_option("--reason", reason, "why, for the audit log (e.g. stolen)")->required();
  rc->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"reason", reason}};
      return show(server, "POST",
                  "/api/v1/terminals/" + url_encode(serial) + "/certificates/revoke",
                  "revoke certificate", &b, print_revoked);
    };
  });
  auto* da = app.add_subcommand(
      "device-auth", "whether terminals with a certificate must still send their DDI token");
  da->add_option("--token-required", required, "yes or no (administrators); show it without")
      ->check(CLI::IsMember({"yes", "no"}));
  da->add_option("--reason", reason, "why, for the audit log");
  da->callback([&] {
    action = [&] {
      if (required.empty())
        return show(server, "GET", "/api/v1/fleet/device-auth", "device auth", nullptr,
                    print_device_auth);
      bj::value b = bj::object{{"token_required", required == "yes"}, {"reason", reason}};
      return show(server, "PUT", "/api/v1/fleet/device-auth", "device auth", &b, print_device_auth);
    };
  });
}

}  // namespace posfleet::cli
