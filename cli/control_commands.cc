// posfleet CLI: controlling a terminal remotely (docs/terminal_lock.md): `terminal lock SERIAL
// --reason R`, `terminal lock-status SERIAL`, `terminal unlock SERIAL --reason R` (lifts the
// lock from the back office) and `support unlock-code VERIFICATION --terminal SERIAL --reason R`
// (the code to read to a verified merchant). Thin clients of /api/v1
// (server/api/terminal_control_api.h).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"

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
