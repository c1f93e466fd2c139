// posfleet CLI: commands for running the fleet: policy, groups, API tokens,
// merchants and the support desk, the audit log, the SMS outbox and security
// deadlines. Each is a thin client of /api/v1 (docs/protocol.md).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <fstream>
#include <iostream>
#include <tuple>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/audit_chain.h"
#include "core/json.h"
#include "core/policy.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

struct PolicyArgs {
  std::string terminal, group, organisation, mode, window, tz, days, cellular, reason, lock_reason,
      never_defers;
  int cellular_limit_mb = -1, deadline_days = -1;
  bool lock = false, unlock = false;
};

std::string scope_query(const PolicyArgs& a) {
  if (!a.terminal.empty()) return "?terminal=" + url_encode(a.terminal);
  if (!a.organisation.empty()) return "?organisation=" + url_encode(a.organisation);
  if (!a.group.empty()) return "?group=" + url_encode(a.group);
  return "";
}

Expected<bj::object> policy_body(const PolicyArgs& a) {
  bj::object o;
  if (!a.terminal.empty()) o["terminal"] = a.terminal;
  if (!a.group.empty()) o["group"] = a.group;
  if (!a.organisation.empty()) o["organisation"] = a.organisation;
  if (!a.mode.empty()) o["mode"] = a.mode;
  if (!a.window.empty() || !a.tz.empty() || !a.days.empty()) {
    bj::object w;
    if (!a.window.empty()) {
      auto mw = parse_window(a.window);
      if (!mw) return mw.error().with_context("--window");
      auto text = window_text(*mw);
      w["start"] = text.substr(0, 5);
      w["end"] = text.substr(6);
    }
    if (!a.tz.empty()) w["tz"] = a.tz;
    if (!a.days.empty()) {
      bj::array days;
      for (char c : a.days)
        if (c >= '1' && c <= '7') days.push_back(c - '0');
      w["days"] = days;
    }
    o["window"] = w;
  }
  if (!a.cellular.empty()) o["cellular"] = a.cellular;
  if (a.cellular_limit_mb >= 0) o["cellular_limit_mb"] = a.cellular_limit_mb;
  if (a.deadline_days >= 0) o["security_deadline_days"] = a.deadline_days;
  if (!a.never_defers.empty()) o["never_defers_security"] = a.never_defers == "true";
  if (a.lock) {
    o["locked"] = true;
    o["lock_reason"] = a.lock_reason;
  }
  if (a.unlock) o["locked"] = false;
  o["reason"] = a.reason;
  return o;
}

// "fleet", "group north", "terminal PF0001" in the reader's language.
std::string scope_text(const bj::value& v) {
  const std::string key = str(v, "key");
  return word(str(v, "scope")) + (key == "-" ? "" : " " + key);
}

void print_policy(const bj::value& v) {
  const auto& e = v.at("effective");
  const auto& w = e.at("window");
  const auto* locked = e.as_object().if_contains("locked");
  std::cout << scope_text(v) << say("（策略修订 ", " (policy revision ") << str(e, "revision")
            << say("）\n", ")\n") << say("  更新模式  ", "  mode      ") << word(str(e, "mode"))
            << (locked && locked->is_bool() && locked->get_bool()
                    ? say("  已锁定：", "  locked: ") + str(e, "lock_reason")
                    : "")
            << say("\n  维护时段  ", "\n  window    ") << str(w, "start") << "-" << str(w, "end")
            << " " << str(w, "tz") << say(" 星期 ", " days ") << str(w, "days")
            << say("\n  蜂窝网络  ", "\n  cellular  ") << word(str(e, "cellular"))
            << say("\n  安全更新  截止 ", "\n  security  deadline ")
            << str(e, "security_deadline_days")
            << say(" 天，永不模式可推迟：", " days, never may defer it: ")
            << yes_no(e, "never_defers_security") << "\n";
  Table t{say("修订", "REV"),     say("时间", "TIME"),    say("途径", "PATH"),
          say("操作人", "ACTOR"), say("结果", "OUTCOME"), say("原因", "REASON")};
  if (auto* h = v.as_object().if_contains("history"); h && h->is_array())
    for (const auto& c : h->get_array())
      t.add({str(c, "revision"), time_of(c, "time"), str(c, "path"), str(c, "actor"),
             str(c, "outcome"), str(c, "reason")});
  if (!t.empty()) std::cout << "\n", t.print(std::cout);
}

void print_merchant(const bj::value& v) {
  std::cout << say("商户 ", "merchant ") << str(v, "id") << say("：", ": ") << str(v, "legal_name")
            << say("，手机 ", ", phone ") << str(v, "phone") << say("，身份证 ", ", resident ID ")
            << str(v, "resident_id") << "\n";
  for (const auto& t : v.at("terminals").as_array())
    std::cout << say("  终端 ", "  terminal ") << str(t, "serial") << " (" << str(t, "model")
              << ") " << str(t, "version") << "\n";
}

void print_ticket(const bj::value& t) {
  std::cout << say("工单 ", "ticket ") << str(t, "id") << say("（终端 ", " (terminal ")
            << str(t, "terminal") << say("）：", "): ") << word(str(t, "status"))
            << say("，备注：", ", note: ") << str(t, "note") << "\n";
}

void print_tickets(const bj::value& v) {
  Table t{say("工单", "TICKET"),      say("终端", "TERMINAL"), say("状态", "STATUS"),
          say("创建时间", "CREATED"), say("留言", "MESSAGE"),  say("备注", "NOTE")};
  const auto& rows = v.at("tickets").as_array();
  for (const auto& r : rows)
    t.add({str(r, "id"), str(r, "terminal"), word(str(r, "status")), time_of(r, "created"),
           str(r, "message"), str(r, "note")});
  if (!t.empty()) t.print(std::cout);
  print_page_footer(v, rows.size(), "个", "工单", "tickets");
}

void print_outbox(const bj::value& v) {
  const auto& rows = v.at("messages").as_array();
  for (const auto& m : rows)
    std::cout << time_of(m, "time") << "  " << str(m, "to") << "\n  " << str(m, "text") << "\n";
  if (rows.empty()) std::cout << say("发件箱是空的\n", "the outbox is empty\n");
}

// Pulls the whole log page by page and checks the chain here, not on the server,
// with the same rule as the server's check (core verify_log). The anchor comes
// with the first page: entries appended while paging only extend the chain.
Status audit_verify_or_export(const ServerOptions& s, const std::string& out_file) {
  std::vector<AuditEntry> entries;
  std::int64_t head_id = -1;
  std::string head_hash;
  for (std::int64_t after = 0;;) {
    auto v = call(s, "GET", "/api/v1/audit?after=" + std::to_string(after) + "&limit=5000",
                  say("审计日志", "audit log"));
    if (!v) return v.error();
    const auto* page_value = v->is_object() ? v->get_object().if_contains("entries") : nullptr;
    const auto* head = v->is_object() ? v->get_object().if_contains("head") : nullptr;
    if (head && head->is_null())  // a reseller's or merchant's user: its entries, not the chain
      return make_error(
          Code::kForbidden,
          say("整条审计链属于收单机构：代理商或商户的用户只能查看本组织的审计记录（posfleet audit "
              "list）",
              "the whole audit chain is the acquirer's: a reseller's or merchant's user reads its "
              "own organisations' entries (posfleet audit list) and cannot verify or export the "
              "chain"));
    if (!page_value || !page_value->is_array() || !head || !head->is_object())
      return make_error(Code::kParse,
                        "the server's audit page has no entries or head; is it a posfleet server?");
    const auto& page = page_value->get_array();
    if (head_id < 0) {
      auto id = json::get_int(head->get_object(), "id");
      head_id = id ? *id : 0;
      head_hash = json::string_or(head->get_object(), "hash", "");
    }
    for (const auto& e : page) {
      if (!e.is_object()) return make_error(Code::kParse, "an audit entry is not a JSON object");
      auto entry = AuditEntry::from_json(e.as_object());
      if (!entry) return entry.error();
      entries.push_back(*entry);
    }
    if (page.empty()) break;
    after = entries.back().id;
  }
  if (!out_file.empty()) {
    std::ofstream out(out_file);
    for (const auto& e : entries) out << json::serialize(e.to_json()) << "\n";
    if (!out) return make_error(Code::kIo, say("无法写入 ", "cannot write ") + out_file);
    (s.json ? std::cerr : std::cout)
        << say("已导出 ", "exported ") << entries.size()
        << say(" 条审计记录到 ", " audit entries to ") << out_file << "\n";
  }
  auto check = verify_log(entries, std::max<std::int64_t>(head_id, 0), head_hash);
  if (s.json) {
    bj::object out{{"ok", check.ok},
                   {"entries", check.entries},
                   {"first_bad_id", check.first_bad_id},
                   {"problem", check.problem}};
    if (check.invalid_text_entries) {
      out["invalid_text_entries"] = check.invalid_text_entries;
      out["first_invalid_text_id"] = check.first_invalid_text_id;
      out["notice"] = check.notice();
    }
    print_json(out);
  } else if (check.ok) {
    std::cout << say("审计日志完好：", "audit log intact: ") << check.entries
              << say(" 条记录，哈希链与锚点一致\n", " entries, chain and anchor agree\n");
  }
  if (!s.json && !check.notice().empty())
    std::cout << say("注意：", "note: ") << clean(check.notice()) << "\n";
  if (!check.ok)
    return make_error(Code::kBadSignature,
                      say("审计日志被篡改：", "audit log tampered: ") + clean(check.problem));
  return ok_status();
}

// "7d", "36h", "90m", "45s", "3600" (seconds) or "0" (never) as seconds.
Expected<std::int64_t> parse_duration(const std::string& flag, const std::string& text) {
  std::int64_t unit = 1;
  std::string digits = text;
  if (!text.empty()) {
    switch (text.back()) {
      case 'd':
        unit = 86400;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'm':
        unit = 60;
        break;
      case 's':
        unit = 1;
        break;
      default:
        break;
    }
    if (!std::isdigit(static_cast<unsigned char>(text.back()))) digits.pop_back();
  }
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
    return make_error(Code::kInvalidArgument,
                      flag + say(" 须为时长，例如 7d、36h、90m、45s（0：永不）",
                                 " must be a duration such as 7d, 36h, 90m, 45s (0: never)"));
  return std::stoll(digits) * unit;
}

std::string seconds_words(std::int64_t s) {
  if (s == 0) return say("永不", "never");
  for (auto [unit, zh, en] : {std::tuple{86400, "天", "d"}, {3600, "小时", "h"}, {60, "分钟", "m"}})
    if (s % unit == 0) return std::to_string(s / unit) + say(zh, en);
  return std::to_string(s) + say("秒", "s");
}

void print_timeouts(const bj::value& v) {
  auto n = [&](const char* k) {
    const auto* f = v.as_object().if_contains(k);
    return f && f->is_int64() ? f->get_int64() : std::int64_t{0};
  };
  std::cout << say("卡住的部署在以下时长内无进展即判为超时：\n",
                   "a deployment times out after this long without leaving its phase:\n")
            << say("  等待（未获取、等待维护时段）：",
                   "  waiting (not fetched, waiting for its window): ")
            << seconds_words(n("waiting_seconds")) << "\n"
            << say("  下载中：", "  downloading: ") << seconds_words(n("downloading_seconds"))
            << "\n"
            << say("  安装中：", "  installing: ") << seconds_words(n("installing_seconds"))
            << "\n";
}

}  // namespace

void add_fleet_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  auto* policy =
      app.add_subcommand("policy", say("全部终端、分组、机构或单台终端的更新策略",
                                       "update policy of the fleet, a group, an organisation or a "
                                       "terminal"))
          ->require_subcommand(1);
  static PolicyArgs pa;
  auto scope_opts = [](CLI::App* c) {
    c->add_option("--terminal", pa.terminal, say("终端序列号", "a terminal's serial"));
    c->add_option("--group", pa.group, say("分组名", "a group name"));
    c->add_option("--organisation", pa.organisation,
                  say("代理商或商户的机构编号（都不给：全部终端）",
                      "a reseller's or merchant's organisation id (none of them: the fleet)"));
  };
  auto* ps =
      policy->add_subcommand("show", say("生效的策略及其历史", "effective policy and its history"));
  scope_opts(ps);
  ps->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/policy" + scope_query(pa), say("策略", "policy"), nullptr,
                  print_policy);
    };
  });
  auto* pset = policy->add_subcommand(
      "set", say("修改策略字段（须说明原因）", "change fields of a policy (needs a reason)"));
  scope_opts(pset);
  pset->add_option("--mode", pa.mode,
                   say("auto（开启）、manual（手动）或 never（永不）", "auto, manual or never"))
      ->check(CLI::IsMember({"auto", "manual", "never"}));
  pset->add_option("--window", pa.window,
                   say("维护时段（当地时间），例如 22:00-06:00（起止相同：全天）",
                       "maintenance window, local time, e.g. 22:00-06:00 (equal ends: all day)"));
  pset->add_option("--tz", pa.tz,
                   say("维护时段的 IANA 时区，例如 Asia/Shanghai",
                       "IANA time zone of the window, e.g. Asia/Shanghai"));
  pset->add_option("--days", pa.days,
                   say("维护时段的星期，例如 12345（1 = 星期一）",
                       "weekdays of the window, e.g. 12345 (1 = Monday)"));
  pset->add_option("--cellular", pa.cellular, say("蜂窝网络下载", "downloads over cellular"))
      ->check(CLI::IsMember({"allowed", "forbidden", "limit"}));
  pset->add_option("--cellular-limit-mb", pa.cellular_limit_mb,
                   say("配合 --cellular limit：最多下载的 MB 数",
                       "with --cellular limit: at most this many MB"));
  pset->add_option(
      "--security-deadline-days", pa.deadline_days,
      say("全部终端：安全更新的默认截止天数", "fleet: default deadline of security releases"));
  pset->add_option("--never-defers-security", pa.never_defers,
                   say("全部终端：永不模式能否一直推迟安全更新",
                       "fleet: may `never` hold back security releases for good"))
      ->check(CLI::IsMember({"true", "false"}));
  pset->add_flag("--lock", pa.lock,
                 say("锁定更新模式（管理员）；终端显示 --lock-reason",
                     "lock the mode (administrators); the terminal shows --lock-reason"));
  pset->add_option("--lock-reason", pa.lock_reason,
                   say("锁定原因，显示在终端上", "why it is locked, shown on the terminal"));
  pset->add_flag("--unlock", pa.unlock, say("解除锁定", "lift a lock"));
  pset->add_option(
          "--reason", pa.reason,
          say("修改原因（记入历史和审计日志）", "why you change it (kept in history and audit)"))
      ->required();
  pset->callback([&] {
    action = [&]() -> Status {
      auto body = policy_body(pa);
      if (!body) return body.error();
      bj::value b = *body;
      return show(server, "PUT", "/api/v1/policy", say("修改策略", "change policy"), &b,
                  [](const bj::value& v) {
                    std::cout << scope_text(v)
                              << say(" 的策略现为修订 ", ": policy is now revision ")
                              << str(v.at("effective"), "revision") << say("，更新模式 ", ", mode ")
                              << word(str(v.at("effective"), "mode")) << "\n";
                  });
    };
  });

  static std::string serial, group, name, role, phone, resident_id, id, note, code, last4, mode,
      reason, deadline, out;
  auto* tg = app.get_subcommand("terminal")
                 ->add_subcommand("group", say("把终端放入分组", "put a terminal into a group"));
  tg->add_option("serial", serial)->required();
  tg->add_option("--group", group, say("分组名（空：不属于任何分组）", "group name (empty: none)"))
      ->required();
  tg->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"group", group}};
      return show(server, "PUT", "/api/v1/terminals/" + url_encode(serial) + "/group",
                  say("设置分组", "set group"), &b, [](const bj::value& v) {
                    const std::string g = str(v, "group");
                    std::cout << say("终端 ", "terminal ") << str(v, "serial")
                              << (g.empty() || g == "-"
                                      ? say(" 不再属于任何分组\n", " is in no group now\n")
                                      : say(" 现属于分组 ", " is in group ") + g + "\n");
                  });
    };
  });

  auto* token = app.add_subcommand("token", say("管理 API 令牌（管理员）",
                                                "management API tokens (administrators)"))
                    ->require_subcommand(1);
  auto* tc = token->add_subcommand(
      "create", say("为用户创建令牌；只显示一次", "create a user's token; shown once"));
  tc->add_option("--name", name)->required();
  tc->add_option("--role", role)
      ->required()
      ->check(CLI::IsMember({"admin", "release_manager", "support", "auditor"}));
  tc->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"name", name}, {"role", role}};
      return show(server, "POST", "/api/v1/tokens", say("创建令牌", "create token"), &b,
                  [](const bj::value& v) {
                    std::cout << say("用户 ", "token for ") << str(v, "name") << " ("
                              << str(v, "role")
                              << say(") 的令牌，只显示这一次：", "), shown once: ")
                              << str(v, "token") << "\n";
                  });
    };
  });

  auto* merchant =
      app.add_subcommand("merchant",
                         say("商户（姓名、手机号、身份证号加密保存）",
                             "merchants (legal name, phone, resident ID kept encrypted)"))
          ->require_subcommand(1);
  auto* mc = merchant->add_subcommand("create", say("登记商户", "record a merchant"));
  mc->add_option("--name", name, say("姓名", "legal name"))->required();
  mc->add_option("--phone", phone, say("登记的手机号", "registered mobile number"))->required();
  mc->add_option("--resident-id", resident_id,
                 say("身份证号（18 位）", "resident ID number (18 characters)"))
      ->required();
  mc->callback([&] {
    action = [&] {
      bj::value b =
          bj::object{{"legal_name", name}, {"phone", phone}, {"resident_id", resident_id}};
      return show(server, "POST", "/api/v1/merchants", say("登记商户", "create merchant"), &b,
                  print_merchant);
    };
  });
  auto* ml =
      merchant->add_subcommand("link", say("把终端绑定到商户", "bind a terminal to a merchant"));
  ml->add_option("id", id, say("商户编号", "merchant id"))->required();
  ml->add_option("--terminal", serial)->required();
  ml->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"serial", serial}};
      return show(server, "POST", "/api/v1/merchants/" + url_encode(id) + "/terminals",
                  say("绑定终端", "link terminal"), &b, print_merchant);
    };
  });

  auto* support =
      app.add_subcommand("support", say("客服工作台", "the support desk"))->require_subcommand(1);
  auto* st = support->add_subcommand(
      "tickets", say("终端发起的工单（联系客服）", "tickets opened from terminals (联系客服)"));
  st->add_option("--status", note,
                 say("open 或 closed（默认：全部）", "open or closed (default: all)"));
  st->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/support/tickets?status=" + url_encode(note),
                  say("工单", "tickets"), nullptr, print_tickets);
    };
  });
  auto* sc = support->add_subcommand("close", say("关闭工单", "close a ticket"));
  sc->add_option("id", id)->required();
  sc->add_option("--note", note, say("处理情况", "what was done"))->required();
  sc->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"note", note}};
      return show(server, "POST", "/api/v1/support/tickets/" + url_encode(id) + "/close",
                  say("关闭工单", "close ticket"), &b, print_ticket);
    };
  });
  auto* sv = support->add_subcommand(
      "verify", say("核对来电人的姓名和身份证后四位；发送短信验证码",
                    "check the caller's name and ID digits; sends an SMS code"));
  sv->add_option("--terminal", serial, say("来电人终端的序列号", "serial of the caller's terminal"))
      ->required();
  sv->add_option("--name", name, say("来电人报的姓名", "legal name the caller gives"))->required();
  sv->add_option(
        "--id-last4", last4,
        say("来电人报的身份证后四位", "last 4 characters of the resident ID the caller gives"))
      ->required();
  sv->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"terminal", serial}, {"legal_name", name}, {"id_last4", last4}};
      return show(server, "POST", "/api/v1/support/verifications",
                  say("核实身份", "verify identity"), &b, [](const bj::value& v) {
                    std::cout << say("核实 ", "verification ") << str(v, "id")
                              << say("：验证码已发送到 ", ": code sent to ")
                              << str(v, "code_sent_to") << say("，有效期至 ", ", valid until ")
                              << time_of(v, "code_expires") << "\n";
                  });
    };
  });
  auto* scode = support->add_subcommand(
      "code", say("输入来电人读出的验证码", "enter the code the caller read out"));
  scode->add_option("id", id, say("核实编号", "verification id"))->required();
  scode->add_option("code", code)->required();
  scode->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"code", code}};
      return show(server, "POST", "/api/v1/support/verifications/" + url_encode(id) + "/code",
                  say("核对验证码", "check code"), &b, [](const bj::value& v) {
                    std::cout << say("身份已核实，有效期至 ", "verified until ")
                              << time_of(v, "verified_until") << "\n";
                  });
    };
  });
  auto* sp = support->add_subcommand(
      "set-policy",
      say("修改已核实商户的终端更新模式", "change a verified merchant's terminals' update mode"));
  sp->add_option("id", id, say("核实编号", "verification id"))->required();
  sp->add_option("--mode", mode)->required()->check(CLI::IsMember({"auto", "manual", "never"}));
  sp->add_option("--reason", reason, say("原因（商户的请求）", "why (the merchant's request)"))
      ->required();
  sp->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"mode", mode}, {"reason", reason}};
      return show(server, "POST", "/api/v1/support/verifications/" + url_encode(id) + "/policy",
                  say("修改策略", "change policy"), &b, [](const bj::value& v) {
                    std::cout << say("已修改这些终端的更新模式：", "update mode changed on: ")
                              << str(v, "terminals") << "\n";
                  });
    };
  });

  auto* audit = app.add_subcommand("audit", say("只可追加的审计日志", "the append-only audit log"))
                    ->require_subcommand(1);
  audit
      ->add_subcommand("verify",
                       say("校验整个日志的哈希链", "check the hash chain of the whole log"))
      ->callback([&] { action = [&] { return audit_verify_or_export(server, ""); }; });
  auto* ae = audit->add_subcommand("export", say("把日志导出为 JSON Lines（并校验）",
                                                 "write the log as JSON lines (and verify it)"));
  ae->add_option("--out", out, say("要写入的文件", "file to write"))->required();
  ae->callback([&] { action = [&] { return audit_verify_or_export(server, out); }; });

  auto* sms = app.add_subcommand("sms", say("posfleetd 发出的短信", "text messages posfleetd sent"))
                  ->require_subcommand(1);
  sms->add_subcommand("outbox",
                      say("发件箱里的短信（管理员）", "messages in the outbox (administrators)"))
      ->callback([&] {
        action = [&] {
          return show(server, "GET", "/api/v1/sms/outbox", say("短信发件箱", "SMS outbox"), nullptr,
                      print_outbox);
        };
      });

  auto* fleet = app.add_subcommand("fleet", say("全部终端的设置", "fleet-wide settings"))
                    ->require_subcommand(1);
  static std::string waiting, downloading, installing;
  auto* ft = fleet->add_subcommand(
      "timeouts", say("查看或设置卡住部署的超时（设置须管理员）",
                      "show or set the timeouts of stuck deployments (setting: administrators)"));
  ft->add_option("--waiting", waiting,
                 say("未获取或等待维护时段的上限，例如 7d（0：永不）",
                     "limit for not fetched or waiting for its window, e.g. 7d (0: never)"));
  ft->add_option("--downloading", downloading,
                 say("下载阶段的上限，例如 1d", "limit for downloading, e.g. 1d"));
  ft->add_option("--installing", installing,
                 say("安装阶段的上限，例如 2h", "limit for installing, e.g. 2h"));
  ft->add_option("--reason", reason,
                 say("修改原因（记入审计日志）", "why (kept in the audit log)"));
  ft->callback([&] {
    action = [&]() -> Status {
      if (waiting.empty() && downloading.empty() && installing.empty())
        return show(server, "GET", "/api/v1/fleet/timeouts", say("超时设置", "timeouts"), nullptr,
                    print_timeouts);
      bj::object b{{"reason", reason}};
      for (auto [flag, text, key] : {std::tuple{"--waiting", &waiting, "waiting_seconds"},
                                     {"--downloading", &downloading, "downloading_seconds"},
                                     {"--installing", &installing, "installing_seconds"}}) {
        if (text->empty()) continue;
        auto secs = parse_duration(flag, *text);
        if (!secs) return secs.error();
        b[key] = *secs;
      }
      bj::value body = b;
      return show(server, "PUT", "/api/v1/fleet/timeouts", say("设置超时", "set timeouts"), &body,
                  print_timeouts);
    };
  });

  auto* rd = app.get_subcommand("release")->add_subcommand(
      "deadline", say("设置安全更新的截止时间", "set a security release's deadline"));
  rd->add_option("version", id)->required();
  rd->add_option("--deadline", deadline,
                 say("UTC 时间，例如 2026-12-24T00:00:00Z", "UTC, e.g. 2026-12-24T00:00:00Z"))
      ->required();
  rd->add_option("--reason", reason, say("原因", "why"));
  rd->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"deadline", deadline}, {"reason", reason}};
      return show(server, "PUT", "/api/v1/releases/" + url_encode(id) + "/deadline",
                  say("设置截止时间", "set deadline"), &b, [](const bj::value& v) {
                    std::cout << say("安全版本 ", "security release ") << str(v, "version")
                              << say(" 的截止时间：", " deadline: ")
                              << time_of(v, "security_deadline") << "\n";
                  });
    };
  });

  static std::int64_t release_org = 0;
  auto* ro = app.get_subcommand("release")->add_subcommand(
      "organisation",
      say("设置版本的接收范围：该机构及其下级的终端（1：全部终端）",
          "who receives a release: an organisation's subtree (1: the whole fleet)"));
  ro->add_option("version", id)->required();
  ro->add_option("--org", release_org, say("机构编号", "the organisation's id"))
      ->required()
      ->check(CLI::PositiveNumber);
  ro->add_option("--reason", reason, say("原因（记入审计日志）", "why (kept in the audit log)"))
      ->required();
  ro->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"organisation", release_org}, {"reason", reason}};
      return show(server, "PUT", "/api/v1/releases/" + url_encode(id) + "/organisation",
                  say("设置接收范围", "set who receives it"), &b, [](const bj::value& v) {
                    std::cout << say("版本 ", "release ") << str(v, "version")
                              << say(" 的接收机构：", " is received by organisation ")
                              << str(v, "organisation") << "\n";
                  });
    };
  });
}

}  // namespace posfleet::cli
