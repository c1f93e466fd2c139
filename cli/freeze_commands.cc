// posfleet CLI: the freeze calendar (封网期) and terminals' time zones:
// `freeze add --from D --to D [--group G] --reason R --security hold|after_deadline|allow`,
// `freeze list`, `freeze remove ID --reason R`, `terminal set-time-zone SERIAL ZONE` and
// `merchant set-time-zone ID ZONE`.
// Thin clients of /api/v1 (server/api/freezes_api.h).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

std::string security_words(const std::string& rule) {
  if (rule == "allow") return say("安全更新照常安装", "security updates install");
  if (rule == "after_deadline")
    return say("过截止时间的安全更新照常安装", "security updates past their deadline install");
  return say("安全更新也等待", "security updates wait too");
}

std::string scope_of(const bj::value& row) {
  return str(row, "scope") == "group" ? say("分组 ", "group ") + str(row, "group")
                                      : say("全部终端", "whole fleet");
}

void print_freezes(const bj::value& v) {
  Table t{say("编号", "ID"),          say("开始", "FROM"),   say("结束", "TO"),
          say("范围", "SCOPE"),       say("原因", "REASON"), say("安全更新", "SECURITY"),
          say("创建者", "CREATED BY")};
  for (const auto& row : v.at("freezes").as_array())
    t.add({str(row, "id"), str(row, "from"), str(row, "to"), scope_of(row), str(row, "reason"),
           security_words(str(row, "security")), str(row, "created_by")});
  if (t.empty())
    std::cout << say("没有封网期。\n", "no freeze periods.\n");
  else {
    t.print(std::cout);
    std::cout << say("日期按每台终端所在时区计算。\n",
                     "dates are read in each terminal's own time zone.\n");
  }
}

void print_added(const bj::value& v) {
  std::cout << say("已添加封网期 ", "added freeze ") << str(v, "id") << ": " << str(v, "from")
            << " – " << str(v, "to") << " (" << scope_of(v) << ", " << str(v, "reason") << "); "
            << security_words(str(v, "security")) << "\n"
            << say("  这些日期（各终端本地时间）内不会开始新的安装。\n",
                   "  no new install starts on these dates (each terminal's local time).\n");
}

void print_removed(const bj::value& v) {
  std::cout << say("已删除封网期 ", "removed freeze ") << str(v, "id") << " (" << str(v, "from")
            << " – " << str(v, "to") << ")\n";
}

void print_zone(const bj::value& v) {
  const std::string source = str(v, "time_zone_source");
  const std::string from = source == "terminal"   ? say("终端自身", "its own")
                           : source == "merchant" ? say("商户所在时区", "its merchant's")
                                                  : say("全局默认", "the fleet's");
  std::cout << say("终端 ", "terminal ") << str(v, "serial") << say(" 的时区：", ": time zone ")
            << str(v, "time_zone") << " (" << from << ")\n";
}

void print_merchant_zone(const bj::value& v) {
  const std::string tz = str(v, "time_zone");
  std::cout << say("商户 ", "merchant ") << str(v, "id")
            << say(" 的终端默认时区：", ": its terminals' default time zone ")
            << (tz.empty() ? say("全局默认", "the fleet's") : tz) << "\n";
}

}  // namespace

void add_freeze_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static std::string from, to, group, reason, rm_reason, tz_reason, security = "hold", id, serial,
                                                                    zone;
  auto* freeze = app.add_subcommand("freeze", say("封网期：这些日期内不开始新的安装",
                                                  "freeze periods: no new install on these dates"))
                     ->require_subcommand(1);
  auto* add = freeze->add_subcommand(
      "add", say("添加封网期（管理员）", "add a freeze period (administrators)"));
  add->add_option("--from", from, say("第一天 YYYY-MM-DD", "first day, YYYY-MM-DD"))->required();
  add->add_option("--to", to,
                  say("最后一天 YYYY-MM-DD（含），最长 90 天",
                      "last day, YYYY-MM-DD, inclusive; at most 90 days"))
      ->required();
  add->add_option(
      "--group", group,
      say("只对这个分组（默认全部终端）", "only this group (default: the whole fleet)"));
  add->add_option("--reason", reason, say("原因，例如 双十一", "why, e.g. 双十一"))->required();
  add->add_option("--security", security,
                  say("安全更新：hold 等待，after_deadline 过截止时间照常安装，allow 照常安装",
                      "security releases: hold (wait), after_deadline (install once past their "
                      "deadline), allow (install)"))
      ->check(CLI::IsMember({"hold", "after_deadline", "allow"}));
  add->callback([&] {
    action = [&] {
      bj::object b{{"from", from}, {"to", to}, {"reason", reason}, {"security", security}};
      b["scope"] = group.empty() ? "fleet" : "group";
      if (!group.empty()) b["group"] = group;
      bj::value body = b;
      return show(server, "POST", "/api/v1/freezes", say("添加封网期", "add freeze"), &body,
                  print_added);
    };
  });
  freeze->add_subcommand("list", say("封网日历", "the freeze calendar"))->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/freezes", say("封网期", "freezes"), nullptr,
                  print_freezes);
    };
  });
  auto* rm = freeze->add_subcommand(
      "remove", say("删除封网期（管理员）", "remove a freeze period (administrators)"));
  rm->add_option("id", id, say("编号", "its id"))->required();
  rm->add_option("--reason", rm_reason, say("原因，记入审计日志", "why, for the audit log"))
      ->required();
  rm->callback([&] {
    action = [&] {
      bj::value body = bj::object{{"reason", rm_reason}};
      return show(server, "DELETE", "/api/v1/freezes/" + url_encode(id),
                  say("删除封网期", "remove freeze"), &body, print_removed);
    };
  });

  auto* terminal = app.get_subcommand("terminal");
  auto* tz = terminal->add_subcommand(
      "set-time-zone",
      say("设置终端时区（IANA，例如 Asia/Urumqi；\"\" 恢复默认）（管理员）",
          "set a terminal's time zone (IANA, e.g. Asia/Urumqi; \"\" for the default) "
          "(administrators)"));
  tz->add_option("serial", serial, say("序列号", "serial number"))->required();
  tz->add_option("zone", zone, say("时区", "time zone"))->required();
  tz->add_option("--reason", tz_reason, say("原因，记入审计日志", "why, for the audit log"));
  tz->callback([&] {
    action = [&] {
      bj::value body = bj::object{{"time_zone", zone}, {"reason", tz_reason}};
      return show(server, "PUT", "/api/v1/terminals/" + url_encode(serial) + "/time-zone",
                  say("设置时区", "set time zone"), &body, print_zone);
    };
  });

  auto* merchant = app.get_subcommand("merchant");
  auto* mtz = merchant->add_subcommand(
      "set-time-zone",
      say("设置商户终端的默认时区（IANA；\"\" 恢复全局默认）（管理员）",
          "set the default time zone of a merchant's terminals (IANA; \"\" for the fleet's) "
          "(administrators)"));
  mtz->add_option("id", id, say("商户编号", "merchant id"))->required();
  mtz->add_option("zone", zone, say("时区", "time zone"))->required();
  mtz->add_option("--reason", tz_reason, say("原因，记入审计日志", "why, for the audit log"));
  mtz->callback([&] {
    action = [&] {
      bj::value body = bj::object{{"time_zone", zone}, {"reason", tz_reason}};
      return show(server, "PUT", "/api/v1/merchants/" + url_encode(id) + "/time-zone",
                  say("设置商户时区", "set merchant time zone"), &body, print_merchant_zone);
    };
  });
}

}  // namespace posfleet::cli
