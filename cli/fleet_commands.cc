// posfleet CLI: commands for running the fleet: policy, groups, API tokens,
// merchants and the support desk, the audit log, the SMS outbox and security
// deadlines. Each is a thin client of /api/v1 (docs/protocol.md).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "core/audit_chain.h"
#include "core/json.h"
#include "core/policy.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

struct PolicyArgs {
  std::string terminal, group, mode, window, tz, days, cellular, reason, lock_reason, never_defers;
  int cellular_limit_mb = -1, deadline_days = -1;
  bool lock = false, unlock = false;
};

std::string scope_query(const PolicyArgs& a) {
  if (!a.terminal.empty()) return "?terminal=" + url_encode(a.terminal);
  if (!a.group.empty()) return "?group=" + url_encode(a.group);
  return "";
}

Expected<bj::object> policy_body(const PolicyArgs& a) {
  bj::object o;
  if (!a.terminal.empty()) o["terminal"] = a.terminal;
  if (!a.group.empty()) o["group"] = a.group;
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

void print_policy(const bj::value& v) {
  const auto& e = v.at("effective");
  std::cout << str(v, "scope") << (str(v, "key").empty() ? "" : " " + str(v, "key")) << " (revision "
            << str(e, "revision") << ")\n  mode      " << str(e, "mode")
            << (e.at("locked").as_bool() ? "  locked: " + str(e, "lock_reason") : "") << "\n  window    "
            << str(e.at("window"), "start") << "-" << str(e.at("window"), "end") << " " << str(e.at("window"), "tz")
            << " days " << str(e.at("window"), "days") << "\n  cellular  " << str(e, "cellular")
            << "\n  security  deadline " << str(e, "security_deadline_days") << " days, never defers it: "
            << str(e, "never_defers_security") << "\n";
  if (auto* h = v.get_object().if_contains("history"); h && h->is_array())
    for (const auto& c : h->get_array())
      std::cout << "  r" << str(c, "revision") << " " << str(c, "time") << " " << str(c, "path") << " " << str(c, "actor")
                << " " << str(c, "outcome") << ": " << str(c, "after") << " (" << str(c, "reason") << ")\n";
}

Status show(const ServerOptions& s, const std::string& method, const std::string& path, const std::string& what,
            const bj::value* body = nullptr, void (*human)(const bj::value&) = nullptr) {
  auto v = call(s, method, path, what, body);
  if (!v) return v.error();
  if (s.json || !human)
    print_json(*v);
  else
    human(*v);
  return ok_status();
}

// Pulls the whole log page by page and checks the chain here, not on the server,
// with the same rule as the server's check (core verify_log). The anchor comes
// with the first page: entries appended while paging only extend the chain.
Status audit_verify_or_export(const ServerOptions& s, const std::string& out_file) {
  std::vector<AuditEntry> entries;
  std::int64_t head_id = -1;
  std::string head_hash;
  for (std::int64_t after = 0;;) {
    auto v = call(s, "GET", "/api/v1/audit?after=" + std::to_string(after) + "&limit=5000", "audit log");
    if (!v) return v.error();
    const auto* page_value = v->is_object() ? v->get_object().if_contains("entries") : nullptr;
    const auto* head = v->is_object() ? v->get_object().if_contains("head") : nullptr;
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
    if (!out) return make_error(Code::kIo, "cannot write " + out_file);
    std::cout << "exported " << entries.size() << " audit entries to " << out_file << "\n";
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
    std::cout << "audit log intact: " << check.entries << " entries, chain and anchor agree\n";
  }
  if (!s.json && !check.notice().empty()) std::cout << "note: " << check.notice() << "\n";
  if (!check.ok) return make_error(Code::kBadSignature, "audit log tampered: " + check.problem);
  return ok_status();
}

}  // namespace

void add_fleet_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  auto* policy = app.add_subcommand("policy", "update policy of the fleet, a group or a terminal")->require_subcommand(1);
  static PolicyArgs pa;
  auto scope_opts = [](CLI::App* c) {
    c->add_option("--terminal", pa.terminal, "a terminal's serial");
    c->add_option("--group", pa.group, "a group name (neither: the fleet)");
  };
  auto* ps = policy->add_subcommand("show", "effective policy and its history");
  scope_opts(ps);
  ps->callback([&] {
    action = [&] { return show(server, "GET", "/api/v1/policy" + scope_query(pa), "policy", nullptr, print_policy); };
  });
  auto* pset = policy->add_subcommand("set", "change fields of a policy (needs a reason)");
  scope_opts(pset);
  pset->add_option("--mode", pa.mode, "auto, manual or never")->check(CLI::IsMember({"auto", "manual", "never"}));
  pset->add_option("--window", pa.window, "maintenance window, local time, e.g. 22:00-06:00 (equal ends: all day)");
  pset->add_option("--tz", pa.tz, "IANA time zone of the window, e.g. Asia/Shanghai");
  pset->add_option("--days", pa.days, "weekdays of the window, e.g. 12345 (1 = Monday)");
  pset->add_option("--cellular", pa.cellular, "downloads over cellular")->check(CLI::IsMember({"allowed", "forbidden", "limit"}));
  pset->add_option("--cellular-limit-mb", pa.cellular_limit_mb, "with --cellular limit: at most this many MB");
  pset->add_option("--security-deadline-days", pa.deadline_days, "fleet: default deadline of security releases");
  pset->add_option("--never-defers-security", pa.never_defers, "fleet: may `never` hold back security releases for good")
      ->check(CLI::IsMember({"true", "false"}));
  pset->add_flag("--lock", pa.lock, "lock the mode (administrators); the terminal shows --lock-reason");
  pset->add_option("--lock-reason", pa.lock_reason, "why it is locked, shown on the terminal");
  pset->add_flag("--unlock", pa.unlock, "lift a lock");
  pset->add_option("--reason", pa.reason, "why you change it (kept in history and audit)")->required();
  pset->callback([&] {
    action = [&]() -> Status {
      auto body = policy_body(pa);
      if (!body) return body.error();
      bj::value b = *body;
      return show(server, "PUT", "/api/v1/policy", "change policy", &b, [](const bj::value& v) {
        std::cout << "policy of " << str(v, "scope") << " " << str(v, "key") << " is now revision "
                  << str(v.at("effective"), "revision") << ", mode " << str(v.at("effective"), "mode") << "\n";
      });
    };
  });

  static std::string serial, group, name, role, phone, resident_id, id, note, code, last4, mode, reason, deadline, out;
  auto* tg = app.get_subcommand("terminal")->add_subcommand("group", "put a terminal into a group");
  tg->add_option("serial", serial)->required();
  tg->add_option("--group", group, "group name (empty: none)")->required();
  tg->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"group", group}};
      return show(server, "PUT", "/api/v1/terminals/" + url_encode(serial) + "/group", "set group", &b);
    };
  });

  auto* token = app.add_subcommand("token", "management API tokens (administrators)")->require_subcommand(1);
  auto* tc = token->add_subcommand("create", "create a user's token; shown once");
  tc->add_option("--name", name)->required();
  tc->add_option("--role", role)->required()->check(CLI::IsMember({"admin", "release_manager", "support", "auditor"}));
  tc->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"name", name}, {"role", role}};
      return show(server, "POST", "/api/v1/tokens", "create token", &b, [](const bj::value& v) {
        std::cout << "token for " << str(v, "name") << " (" << str(v, "role") << "), shown once: " << str(v, "token") << "\n";
      });
    };
  });

  auto* merchant = app.add_subcommand("merchant", "merchants (legal name, phone, resident ID kept encrypted)")->require_subcommand(1);
  auto* mc = merchant->add_subcommand("create", "record a merchant");
  mc->add_option("--name", name, "legal name")->required();
  mc->add_option("--phone", phone, "registered mobile number")->required();
  mc->add_option("--resident-id", resident_id, "resident ID number (18 characters)")->required();
  mc->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"legal_name", name}, {"phone", phone}, {"resident_id", resident_id}};
      return show(server, "POST", "/api/v1/merchants", "create merchant", &b);
    };
  });
  auto* ml = merchant->add_subcommand("link", "bind a terminal to a merchant");
  ml->add_option("id", id, "merchant id")->required();
  ml->add_option("--terminal", serial)->required();
  ml->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"serial", serial}};
      return show(server, "POST", "/api/v1/merchants/" + url_encode(id) + "/terminals", "link terminal", &b);
    };
  });

  auto* support = app.add_subcommand("support", "the support desk")->require_subcommand(1);
  auto* st = support->add_subcommand("tickets", "tickets opened from terminals (联系客服)");
  st->add_option("--status", note, "open or closed (default: all)");
  st->callback([&] { action = [&] { return show(server, "GET", "/api/v1/support/tickets?status=" + url_encode(note), "tickets"); }; });
  auto* sc = support->add_subcommand("close", "close a ticket");
  sc->add_option("id", id)->required();
  sc->add_option("--note", note, "what was done")->required();
  sc->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"note", note}};
      return show(server, "POST", "/api/v1/support/tickets/" + url_encode(id) + "/close", "close ticket", &b);
    };
  });
  auto* sv = support->add_subcommand("verify", "check the caller's name and ID digits; sends an SMS code");
  sv->add_option("--terminal", serial, "serial of the caller's terminal")->required();
  sv->add_option("--name", name, "legal name the caller gives")->required();
  sv->add_option("--id-last4", last4, "last 4 characters of the resident ID the caller gives")->required();
  sv->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"terminal", serial}, {"legal_name", name}, {"id_last4", last4}};
      return show(server, "POST", "/api/v1/support/verifications", "verify identity", &b, [](const bj::value& v) {
        std::cout << "verification " << str(v, "id") << ": code sent to " << str(v, "code_sent_to")
                  << ", valid until " << str(v, "code_expires") << "\n";
      });
    };
  });
  auto* scode = support->add_subcommand("code", "enter the code the caller read out");
  scode->add_option("id", id, "verification id")->required();
  scode->add_option("code", code)->required();
  scode->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"code", code}};
      return show(server, "POST", "/api/v1/support/verifications/" + url_encode(id) + "/code", "check code", &b,
                  [](const bj::value& v) { std::cout << "verified until " << str(v, "verified_until") << "\n"; });
    };
  });
  auto* sp = support->add_subcommand("set-policy", "change a verified merchant's terminals' update mode");
  sp->add_option("id", id, "verification id")->required();
  sp->add_option("--mode", mode)->required()->check(CLI::IsMember({"auto", "manual", "never"}));
  sp->add_option("--reason", reason, "why (the merchant's request)")->required();
  sp->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"mode", mode}, {"reason", reason}};
      return show(server, "POST", "/api/v1/support/verifications/" + url_encode(id) + "/policy", "change policy", &b);
    };
  });

  auto* audit = app.add_subcommand("audit", "the append-only audit log")->require_subcommand(1);
  audit->add_subcommand("verify", "check the hash chain of the whole log")->callback([&] {
    action = [&] { return audit_verify_or_export(server, ""); };
  });
  auto* ae = audit->add_subcommand("export", "write the log as JSON lines (and verify it)");
  ae->add_option("--out", out, "file to write")->required();
  ae->callback([&] { action = [&] { return audit_verify_or_export(server, out); }; });

  auto* sms = app.add_subcommand("sms", "text messages posfleetd sent")->require_subcommand(1);
  sms->add_subcommand("outbox", "messages in the outbox (administrators)")->callback([&] {
    action = [&] { return show(server, "GET", "/api/v1/sms/outbox", "SMS outbox"); };
  });

  auto* rd = app.get_subcommand("release")->add_subcommand("deadline", "set a security release's deadline");
  rd->add_option("version", id)->required();
  rd->add_option("--deadline", deadline, "UTC, e.g. 2026-12-24T00:00:00Z")->required();
  rd->add_option("--reason", reason, "why");
  rd->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"deadline", deadline}, {"reason", reason}};
      return show(server, "PUT", "/api/v1/releases/" + url_encode(id) + "/deadline", "set deadline", &b);
    };
  });
}

}  // namespace posfleet::cli
