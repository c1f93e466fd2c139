// posfleet CLI: parameters (参数下发, docs/parameters.md) — `param template list|show|add`,
// `param show APP LEVEL`, `param set APP LEVEL KEY=VALUE… [--unset K] [--lock K] [--unlock K]`,
// `param preview APP LEVEL --for SERIAL KEY=VALUE…` and `param terminal SERIAL`. A level is
// --org ID, --group NAME [--org ID] or --terminal SERIAL. Sensitive values are sent, never shown.
// Thin clients of /api/v1 (server/api/parameters_api.h).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/fs.h"
#include "core/json.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

struct LevelOptions {
  std::string org, group, terminal;
};

void add_level_options(CLI::App* c, LevelOptions& l) {
  c->add_option("--org", l.org, say("组织编号（默认你自己的组织）", "an organisation's id"));
  c->add_option("--group", l.group, say("组内（在 --org 的组织中）", "a group (within --org)"));
  c->add_option("--terminal", l.terminal, say("一台终端的序列号", "one terminal's serial"));
}

// The level as the API names it, in a body or a query.
Expected<bj::object> level_object(const LevelOptions& l) {
  bj::object o;
  if (!l.terminal.empty()) {
    if (!l.group.empty() || !l.org.empty())
      return make_error(Code::kInvalidArgument, say("--terminal 不能与 --org 或 --group 同用",
                                                    "--terminal goes without --org and --group"));
    o["level"] = "terminal";
    o["serial"] = l.terminal;
    return o;
  }
  o["level"] = l.group.empty() ? "org" : "group";
  if (!l.group.empty()) o["group"] = l.group;
  if (!l.org.empty()) {
    try {
      size_t used = 0;
      const auto n = std::stoll(l.org, &used);
      if (used != l.org.size() || n < 1) throw std::invalid_argument("org");
      o["organisation"] = n;
    } catch (...) {
      return make_error(Code::kInvalidArgument,
                        say("--org 应为组织编号（正整数）",
                            "--org must be an organisation's id (a positive number)"));
    }
  }
  return o;
}

std::string query_of(const bj::object& level) {
  std::string q = "?level=" + url_encode(json::string_or(level, "level", "org"));
  if (auto* o = level.if_contains("organisation"))
    q += "&organisation=" + std::to_string(o->as_int64());
  if (auto* g = level.if_contains("group")) q += "&group=" + url_encode(g->as_string());
  if (auto* s = level.if_contains("serial")) q += "&serial=" + url_encode(s->as_string());
  return q;
}

// KEY=VALUE words and --unset/--lock/--unlock KEYs as the API's changes.
Expected<bj::array> changes_of(const std::vector<std::string>& assignments,
                               const std::vector<std::string>& unset,
                               const std::vector<std::string>& lock,
                               const std::vector<std::string>& unlock) {
  bj::array out;
  auto find = [&](const std::string& key) -> bj::object& {
    for (auto& c : out)
      if (c.as_object().at("key") == key.c_str()) return c.as_object();
    out.push_back(bj::object{{"key", key}});
    return out.back().as_object();
  };
  for (const auto& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error(Code::kInvalidArgument,
                        say("应为 键=值：", "expected KEY=VALUE: ") + clean(a, 60));
    find(a.substr(0, eq))["value"] = a.substr(eq + 1);
  }
  for (const auto& k : unset) find(k)["unset"] = true;
  for (const auto& k : lock) find(k)["locked"] = true;
  for (const auto& k : unlock) find(k)["locked"] = false;
  if (out.empty())
    return make_error(Code::kInvalidArgument,
                      say("没有要改的：给出 键=值、--unset、--lock 或 --unlock",
                          "nothing to change: give KEY=VALUE, --unset, --lock or --unlock"));
  return out;
}

std::string value_words(const bj::value& v) {
  if (v.as_object().at("sensitive") == true)
    return v.as_object().at("set") == true ? say("已设置（保密）", "set (sealed)") : "-";
  return str(v, "value");
}

void print_templates(const bj::value& v) {
  Table t{say("应用", "APP"), say("名称", "NAME"), say("字段", "FIELDS"), say("修订号", "REVISION"),
          say("更新", "UPDATED")};
  for (const auto& tpl : v.at("templates").as_array())
    t.add({str(tpl, "app"), str(tpl, "name"), std::to_string(tpl.at("fields").as_array().size()),
           str(tpl, "revision"), time_of(tpl, "updated")});
  t.print(std::cout);
}

void print_template(const bj::value& v) {
  std::cout << say("应用 ", "app ") << str(v, "app") << " (" << str(v, "name") << ")"
            << say("，修订号 ", ", revision ") << str(v, "revision") << "\n";
  Table t{say("字段", "KEY"), say("类型", "TYPE"), say("名称", "LABEL"), say("默认", "DEFAULT"),
          say("保密", "SENSITIVE")};
  for (const auto& f : v.at("fields").as_array())
    t.add({str(f, "key"), str(f, "type"), str(f.at("label"), chinese() ? "zh-CN" : "en"),
           str(f, "default"), yes_no(f, "sensitive")});
  t.print(std::cout);
}

void print_level(const bj::value& v) {
  const auto& where = v.at("where");
  std::cout << say("应用 ", "app ") << str(v, "app") << say("，层级 ", ", level ")
            << str(where, "level") << " " << str(where, "organisation") << " "
            << str(where, "group") << str(where, "serial") << "\n";
  Table t{say("字段", "KEY"), say("值", "VALUE"), say("锁定", "LOCKED"), say("修改者", "BY"),
          say("时间", "WHEN")};
  for (const auto& x : v.at("values").as_array())
    t.add({str(x, "key"), x.at("set") == true ? value_words(x) : say("（沿用上级）", "(inherited)"),
           yes_no(x, "locked"), str(x, "updated_by"), time_of(x, "updated")});
  t.print(std::cout);
}

void print_effective(const bj::value& set) {
  Table t{say("字段", "KEY"), say("值", "VALUE"), say("来自", "FROM"), say("锁定于", "LOCKED AT")};
  for (const auto& x : set.at("values").as_array())
    t.add({str(x, "key"), value_words(x), str(x, "source"), str(x, "locked_by")});
  t.print(std::cout);
}

void print_terminal(const bj::value& v) {
  for (const auto& a : v.at("apps").as_array()) {
    std::cout << say("应用 ", "app ") << str(a, "app") << say("：版本 ", ": version ")
              << str(a, "version") << say("，终端已应用 ", ", the terminal applied ")
              << str(a, "applied_version") << " (" << time_of(a, "applied") << ")"
              << (a.at("in_sync") == true ? say("，已同步", ", in step")
                                          : say("，等待终端", ", waiting for the terminal"))
              << "\n";
    print_effective(a);
  }
}

void print_preview(const bj::value& v) {
  std::cout << say("修改前（版本 ", "before (version ") << str(v.at("before"), "version") << ")\n";
  print_effective(v.at("before"));
  std::cout << say("修改后（版本 ", "after (version ") << str(v.at("after"), "version") << ")\n";
  print_effective(v.at("after"));
}

}  // namespace

void add_param_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static std::string app_name, file, reason, serial, preview_for;
  static bool replace = false;
  static LevelOptions level;
  static std::vector<std::string> assignments, unset, lock, unlock;
  auto* param = app.add_subcommand("param", say("参数下发：模板、各层级的值、终端的参数",
                                                "parameters: templates, values per level, a "
                                                "terminal's set"))
                    ->require_subcommand(1);
  auto* tpl = param->add_subcommand("template", say("参数模板", "parameter templates"))
                  ->require_subcommand(1);
  tpl->add_subcommand("list", say("所有应用的模板", "every app's template"))->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/parameters/templates", say("参数模板", "templates"),
                  nullptr, print_templates);
    };
  });
  auto* tshow = tpl->add_subcommand("show", say("一个应用的模板", "one app's template"));
  tshow->add_option("app", app_name, say("应用", "the app"))->required();
  tshow->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/parameters/templates/" + url_encode(app_name),
                  say("参数模板", "template"), nullptr, print_template);
    };
  });
  auto* tadd = tpl->add_subcommand(
      "add", say("从 JSON 文件添加模板（收单机构管理员）",
                 "add a template from a JSON file (the acquirer's administrators)"));
  tadd->add_option("file", file, say("{\"app\",\"name\",\"fields\":[…]}", "{app, name, fields}"))
      ->required();
  tadd->add_flag("--replace", replace, say("替换该应用已有的模板", "replace the app's template"));
  tadd->callback([&] {
    action = [&]() -> Status {
      auto text = read_file(file);
      if (!text) return text.error();
      auto v = json::parse(*text);
      if (!v || !v->is_object())
        return make_error(Code::kParse, say("模板文件不是 JSON 对象：", "not a JSON object: ") +
                                            clean(file, 100));
      const std::string app_of = json::string_or(v->get_object(), "app", "");
      if (replace)
        return show(server, "PUT", "/api/v1/parameters/templates/" + url_encode(app_of),
                    say("替换模板", "replace template"), &*v, print_template);
      return show(server, "POST", "/api/v1/parameters/templates", say("添加模板", "add template"),
                  &*v, print_template);
    };
  });

  auto* pshow = param->add_subcommand("show", say("一个层级的值", "the values of one level"));
  pshow->add_option("app", app_name, say("应用", "the app"))->required();
  add_level_options(pshow, level);
  pshow->callback([&] {
    action = [&]() -> Status {
      auto l = level_object(level);
      if (!l) return l.error();
      return show(server, "GET", "/api/v1/parameters/values/" + url_encode(app_name) + query_of(*l),
                  say("参数", "parameters"), nullptr, print_level);
    };
  });

  // The body of a change at the level given: its changes and `extra` (the reason or the
  // terminal previewed).
  auto change_body = [&](const LevelOptions& l, const char* extra,
                         const std::string& value) -> Expected<bj::value> {
    auto o = level_object(l);
    if (!o) return o.error();
    auto changes = changes_of(assignments, unset, lock, unlock);
    if (!changes) return changes.error();
    (*o)["changes"] = *changes;
    (*o)[extra] = value;
    return bj::value(*o);
  };
  auto add_change_options = [&](CLI::App* c) {
    c->add_option("app", app_name, say("应用", "the app"))->required();
    c->add_option("values", assignments, say("键=值", "KEY=VALUE"));
    add_level_options(c, level);
    c->add_option("--unset", unset, say("删除本层级的值（沿用上级）", "remove this level's value"));
    c->add_option("--lock", lock,
                  say("锁定：下级不能再改（管理员）", "lock below (administrators)"));
    c->add_option("--unlock", unlock, say("解除本层级的锁定", "lift this level's lock"));
  };
  auto* set = param->add_subcommand("set", say("修改一个层级的值", "change values at one level"));
  add_change_options(set);
  set->add_option("--reason", reason, say("原因，记入审计日志", "why, for the audit log"));
  set->callback([&] {
    action = [&]() -> Status {
      auto body = change_body(level, "reason", reason);
      if (!body) return body.error();
      return show(server, "PUT", "/api/v1/parameters/values/" + url_encode(app_name),
                  say("修改参数", "set parameters"), &*body, print_level);
    };
  });
  auto* preview = param->add_subcommand(
      "preview", say("保存前预览一台终端的参数", "a terminal's set after a change, unsaved"));
  add_change_options(preview);
  preview->add_option("--for", preview_for, say("终端序列号", "the terminal's serial"))->required();
  preview->callback([&] {
    action = [&]() -> Status {
      auto body = change_body(level, "terminal", preview_for);
      if (!body) return body.error();
      return show(server, "POST", "/api/v1/parameters/preview/" + url_encode(app_name),
                  say("预览参数", "preview parameters"), &*body, print_preview);
    };
  });
  auto* term = param->add_subcommand(
      "terminal", say("一台终端的参数及其已应用的版本", "a terminal's sets and what it applied"));
  term->add_option("serial", serial, say("序列号", "serial number"))->required();
  term->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/terminals/" + url_encode(serial) + "/parameters",
                  say("终端参数", "terminal parameters"), nullptr, print_terminal);
    };
  });
}

}  // namespace posfleet::cli
