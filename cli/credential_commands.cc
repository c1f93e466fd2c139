// posfleet CLI: commands that end or renew credentials (docs/security.md):
// `token list`, `token revoke ID`, `terminal retire SERIAL --reason …` and
// `terminal rotate-token SERIAL`. Thin clients of /api/v1; a new token is
// printed once, and times in the reader's local time.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

void print_tokens(const bj::value& v) {
  Table t{say("编号", "ID"),          say("名称", "NAME"),          say("角色", "ROLE"),
          say("创建时间", "CREATED"), say("最近使用", "LAST USED"), say("状态", "STATE")};
  for (const auto& row : v.at("tokens").as_array()) {
    const bool revoked = !row.at("revoked").is_null();
    t.add({str(row, "id"), str(row, "name"), word(str(row, "role")), time_of(row, "created"),
           time_of(row, "last_used"),
           revoked ? say("已吊销 ", "revoked ") + time_of(row, "revoked") : say("有效", "valid")});
  }
  if (t.empty())
    std::cout << say("没有 API 令牌\n", "no API tokens\n");
  else
    t.print(std::cout);
}

void print_revoked(const bj::value& v) {
  std::cout << say("API 令牌 ", "API token ") << str(v, "id") << " (" << clean(str(v, "name"))
            << ", " << word(str(v, "role")) << ")"
            << say("已吊销：从现在起一律拒绝。\n", " is revoked: it is refused from now on.\n");
}

void print_retired(const bj::value& v) {
  std::cout << say("终端 ", "terminal ") << clean(str(v, "serial"))
            << say(" 已退役：下次连接起拒绝它的 DDI 令牌",
                   " is retired: its DDI token is refused from its next poll");
  if (!v.at("canceled_deployment").is_null())
    std::cout << say("，部署 ", ", and deployment ") << str(v, "canceled_deployment")
              << say(" 已取消", " is canceled");
  std::cout << say("。\n退役不可撤销；设备要重新启用，请重新登记。\n",
                   ".\nThis cannot be undone; to put the device back into service, register it "
                   "again.\n");
}

void print_rotated(const bj::value& v) {
  std::cout << say("终端 ", "new DDI token for ") << clean(str(v, "serial"))
            << say(" 的新 DDI 令牌（只显示这一次）：", ", shown once: ") << str(v, "token") << "\n"
            << say("旧令牌从现在起被拒绝。请把新令牌写入终端代理配置的 \"token\"，"
                   "然后重启 posfleet-agent。\n",
                   "The old token is refused from now on. Write the new one into the agent's "
                   "config (\"token\")\nand restart posfleet-agent.\n");
}

}  // namespace

void add_credential_commands(CLI::App& app, ServerOptions& server,
                             std::function<Status()>& action) {
  static std::string id, serial, reason;
  auto* token = app.get_subcommand("token");
  token->add_subcommand("list", "API tokens: name, role, created, last used, revoked")
      ->callback([&] {
        action = [&] {
          return show(server, "GET", "/api/v1/tokens", "list tokens", nullptr, print_tokens);
        };
      });
  auto* tr =
      token->add_subcommand("revoke", "revoke an API token at once (see token list for its id)");
  tr->add_option("id", id, "the token's id")->required();
  tr->add_option("--reason", reason, "why, for the audit log");
  tr->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"reason", reason}};
      return show(server, "POST", "/api/v1/tokens/" + url_encode(id) + "/revoke", "revoke token",
                  &b, print_revoked);
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
      return show(server, "POST", "/api/v1/terminals/" + url_encode(serial) + "/retire",
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
      return show(server, "POST", "/api/v1/terminals/" + url_encode(serial) + "/rotate-token",
                  "rotate token", &b, print_rotated);
    };
  });
}

}  // namespace posfleet::cli
