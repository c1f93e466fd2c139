// posfleet CLI: controlling a terminal remotely (docs/terminal_lock.md): `terminal lock SERIAL
// --reason R`, `terminal lock-status SERIAL`, `terminal unlock SERIAL --reason R` (lifts the
// lock from the back office), `terminal logs|reboot SERIAL --reason R`, `terminal actions
// SERIAL`, `terminal bundle SERIAL ID [--out FILE]` and `support unlock-code VERIFICATION
// --terminal SERIAL --reason R` (the code to read to a verified merchant). Thin clients of /api/v1
// (server/api/terminal_control_api.h).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <tuple>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/fs.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

void print_lock(const bj::value& v) {
  const std::string state = str(v, "state");
  std::cout << say("终端 ", "terminal ") << str(v, "serial") << ": ";
  if (state == "locked")
    std::cout << say("已锁定", "locked") << say("（原因：", " (reason: ") << str(v, "reason")
              << say("，", ", ") << str(v, "locked_by") << " " << time_of(v, "locked_at") << ")";
  else if (state == "released")
    std::cout << say("已远程解锁，等待终端联网", "lifted remotely; waiting for the terminal");
  else if (state == "unlocked")
    std::cout << say("已解锁（", "unlocked (")
              << (str(v, "ended_how") == "code" ? say("输入解锁码", "with the code")
                                                : say("远程解锁", "lifted remotely"))
              << ", " << time_of(v, "ended_at") << ")";
  else
    std::cout << say("未锁定", "not locked");
  std::cout << "\n";
}

void print_actions(const bj::value& v) {
  Table t{say("编号", "ID"),   say("操作", "ACTION"), say("状态", "STATE"),
          say("申请人", "BY"), say("时间", "WHEN"),   say("结果", "DETAIL")};
  for (const auto& a : v.at("actions").as_array())
    t.add({str(a, "id"),
           str(a, "kind") == "logs" ? say("收集日志", "collect logs") : say("重启", "reboot"),
           word(str(a, "state")), str(a, "requested_by"), time_of(a, "requested_at"),
           str(a, "detail")});
  t.print(std::cout);
}

void print_action(const bj::value& v) {
  std::cout << say("已请求操作 ", "requested action ") << str(v, "id")
            << say("，终端下次联网时执行", "; the terminal does it at its next poll") << "\n";
}

// The log bundle: plain text, written to `out` ("" or "-": standard output).
Status save_bundle(const ServerOptions& s, const std::string& serial, const std::string& id,
                   const std::string& out) {
  auto c = client(s);
  if (!c) return c.error();
  const std::string what = say("日志包", "log bundle");
  auto r = (*c)->request(
      "GET", "/api/v1/terminals/" + url_encode(serial) + "/actions/" + url_encode(id) + "/bundle",
      "");
  if (!r) return r.error().with_context(what);
  if (r->status >= 300) return server_error(*r, what);
  if (out.empty() || out == "-") {
    std::cout << r->body;
    return ok_status();
  }
  if (auto w = write_file_atomic(out, r->body, 0600); !w) return w;
  std::cerr << say("已保存到 ", "saved to ") << out << " (" << human_size(r->body.size()) << ")\n";
  return ok_status();
}

}  // namespace

void add_control_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static std::string serial, reason, verification;
  auto* terminal = app.get_subcommand("terminal");
  auto* lock = terminal->add_subcommand(
      "lock", say("锁定丢失或被盗的终端", "lock a lost or stolen terminal"));
  lock->add_option("serial", serial, say("序列号", "serial number"))->required();
  lock->add_option("--reason", reason, say("原因，记入审计日志", "why, for the audit log"))
      ->required();
  lock->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"reason", reason}};
      return show(server, "POST", "/api/v1/terminals/" + url_encode(serial) + "/lock",
                  say("锁定终端", "lock terminal"), &b, print_lock);
    };
  });
  auto* unlock = terminal->add_subcommand(
      "unlock", say("从后台解除锁定（终端下次联网时解锁）",
                    "lift the lock from the back office (the terminal unlocks at its next poll)"));
  unlock->add_option("serial", serial, say("序列号", "serial number"))->required();
  unlock->add_option("--reason", reason, say("原因，记入审计日志", "why, for the audit log"))
      ->required();
  unlock->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"reason", reason}};
      return show(server, "POST", "/api/v1/terminals/" + url_encode(serial) + "/lock/release",
                  say("解除锁定", "lift lock"), &b, print_lock);
    };
  });
  auto* status = terminal->add_subcommand("lock-status", say("终端的锁定状态", "its lock"));
  status->add_option("serial", serial, say("序列号", "serial number"))->required();
  status->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/terminals/" + url_encode(serial) + "/lock",
                  say("锁定状态", "lock"), nullptr, print_lock);
    };
  });

  static std::string action_id, out;
  for (const auto& [name, kind, help_zh, help_en] :
       {std::tuple{"logs", "logs", "让终端收集并上传日志包（已去除卡号和身份证号）",
                   "have the terminal collect and upload its logs (card numbers and IDs removed)"},
        std::tuple{"reboot", "reboot", "远程重启终端", "restart the terminal remotely"}}) {
    auto* c = terminal->add_subcommand(name, say(help_zh, help_en));
    c->add_option("serial", serial, say("序列号", "serial number"))->required();
    c->add_option("--reason", reason, say("原因，记入审计日志", "why, for the audit log"))
        ->required();
    const std::string k = kind;
    c->callback([&, k] {
      action = [&, k] {
        bj::value b = bj::object{{"kind", k}, {"reason", reason}};
        return show(server, "POST", "/api/v1/terminals/" + url_encode(serial) + "/actions",
                    say("远程操作", "remote action"), &b, print_action);
      };
    });
  }
  auto* actions = terminal->add_subcommand("actions", say("对终端的远程操作", "remote actions"));
  actions->add_option("serial", serial, say("序列号", "serial number"))->required();
  actions->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/terminals/" + url_encode(serial) + "/actions",
                  say("远程操作", "remote actions"), nullptr, print_actions);
    };
  });
  auto* bundle = terminal->add_subcommand("bundle", say("下载日志包", "download a log bundle"));
  bundle->add_option("serial", serial, say("序列号", "serial number"))->required();
  bundle->add_option("id", action_id, say("操作编号", "the action's id"))->required();
  bundle->add_option("--out", out, say("保存到文件（默认输出到屏幕）", "file to save it to"));
  bundle->callback([&] { action = [&] { return save_bundle(server, serial, action_id, out); }; });

  auto* support = app.get_subcommand("support");
  auto* code = support->add_subcommand(
      "unlock-code",
      say("已核实身份的商户的终端解锁码", "the unlock code for a verified merchant"));
  code->add_option("id", verification, say("核实编号", "verification id"))->required();
  code->add_option("--terminal", serial, say("序列号", "serial number"))->required();
  code->add_option("--reason", reason, say("原因，记入审计日志", "why, for the audit log"))
      ->required();
  code->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"serial", serial}, {"reason", reason}};
      return show(server, "POST",
                  "/api/v1/support/verifications/" + url_encode(verification) + "/unlock-code",
                  say("解锁码", "unlock code"), &b, [](const bj::value& v) {
                    std::cout << say("请把解锁码读给商户：", "read this code to the merchant: ")
                              << str(v, "code") << "\n";
                  });
    };
  });
}

}  // namespace posfleet::cli
