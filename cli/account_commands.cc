// posfleet CLI: what an auditor asks of accounts: `audit list` (who did what,
// from which address — an API token shows as token:<name>), `user totp-reset
// NAME --reason …` (an administrator removes a user's two-step verification,
// e.g. after a lost phone) and `user totp-required on|off` (the fleet setting
// that makes administrators set it up). Thin clients of /api/v1.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

void print_audit(const bj::value& v) {
  Table t{say("编号", "ID"),      say("时间", "TIME"),  say("操作者", "ACTOR"),
          say("地址", "ADDRESS"), say("途径", "PATH"),  say("操作", "ACTION"),
          say("对象", "TARGET"),  say("原因", "REASON")};
  for (const auto& e : v.at("entries").as_array())
    t.add({str(e, "id"), time_of(e, "time_utc"), str(e, "actor"), str(e, "address"), str(e, "path"),
           str(e, "action"), str(e, "target"), str(e, "reason")});
  if (t.empty())
    std::cout << say("没有符合条件的审计记录\n", "no audit entries match\n");
  else
    t.print(std::cout);
}

}  // namespace

void add_account_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static std::string actor, terminal, name, reason, on_off;
  static int limit = 50;
  auto* audit = app.get_subcommand("audit");
  auto* al = audit->add_subcommand(
      "list", say("最近的审计记录：谁、从哪个地址、做了什么",
                  "the newest audit entries: who, from which address, did what"));
  al->add_option("--actor", actor,
                 say("只看这个操作者（API 令牌写作 token:名称）",
                     "only this actor (an API token is token:NAME)"));
  al->add_option("--terminal", terminal, say("只看这台终端", "only this terminal"));
  al->add_option("--limit", limit, say("最多显示多少条（1-1000）", "at most this many (1-1000)"))
      ->check(CLI::Range(1, 1000));
  al->callback([&] {
    action = [&] {
      std::string q = "/api/v1/audit?order=desc&limit=" + std::to_string(limit);
      if (!actor.empty()) q += "&actor=" + url_encode(actor);
      if (!terminal.empty()) q += "&terminal=" + url_encode(terminal);
      return show(server, "GET", q, say("审计日志", "audit log"), nullptr, print_audit);
    };
  });

  auto* user = app.add_subcommand("user", say("后台用户的两步验证（管理员）",
                                              "back-office users' two-step verification "
                                              "(administrators)"))
                   ->require_subcommand(1);
  auto* ur = user->add_subcommand(
      "totp-reset", say("清除用户的两步验证（例如手机丢失）；用户下次登录后重新设置",
                        "remove a user's two-step verification (e.g. a lost phone); the user "
                        "sets it up again"));
  ur->add_option("name", name, say("用户名", "user name"))->required();
  ur->add_option("--reason", reason, say("原因（记入审计日志）", "why (kept in the audit log)"))
      ->required();
  ur->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"reason", reason}};
      return show(server, "POST", "/api/v1/users/" + url_encode(name) + "/totp/reset",
                  say("重置两步验证", "reset two-step verification"), &b, [](const bj::value& v) {
                    std::cout << say("用户 ", "user ") << str(v, "name")
                              << say(" 的两步验证已清除，其会话已结束。\n",
                                     ": two-step verification removed, sessions ended.\n");
                  });
    };
  });
  auto* rq = user->add_subcommand(
      "totp-required", say("管理员是否必须使用两步验证", "whether administrators must use TOTP"));
  rq->add_option("state", on_off, "on | off")->required()->check(CLI::IsMember({"on", "off"}));
  rq->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"totp_required_for_admins", on_off == "on"}};
      return show(server, "PUT", "/api/v1/settings/accounts", say("账户设置", "account settings"),
                  &b, [](const bj::value& v) {
                    const bool on = v.at("totp_required_for_admins").as_bool();
                    std::cout << (on ? say("管理员必须使用两步验证。\n",
                                           "administrators must use two-step verification.\n")
                                     : say("管理员不再必须使用两步验证。\n",
                                           "two-step verification is optional for "
                                           "administrators.\n"));
                  });
    };
  });
}

}  // namespace posfleet::cli
