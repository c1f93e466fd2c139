// posfleet CLI: organisations — the acquirer, its resellers (代理商) and their merchants:
// `org list`, `org show ID`, `org add NAME --kind reseller|merchant [--parent ID]` and
// `terminal move SERIAL --org ID --reason R`.
// Thin clients of /api/v1 (server/api/organisations_api.h).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

std::string kind_words(const std::string& kind) {
  if (kind == "acquirer") return say("收单机构", "acquirer");
  if (kind == "reseller") return say("代理商", "reseller");
  return say("商户", "merchant");
}

// "ID name (kind)"; the acquirer's own organisation has no name.
std::string org_words(const bj::value& o) {
  const std::string name = str(o, "name");
  return str(o, "id") + " " + (name.empty() ? kind_words(str(o, "kind")) : name) + " (" +
         kind_words(str(o, "kind")) + ")";
}

void print_orgs(const bj::value& v) {
  Table t{say("编号", "ID"), say("名称", "NAME"), say("类型", "KIND"), say("上级", "PARENT"),
          say("终端", "TERMINALS")};
  for (const auto& o : v.at("organisations").as_array()) {
    // Indented by depth, so the list reads as the tree it is.
    const auto depth = o.at("depth").to_number<std::int64_t>();
    const std::string name = str(o, "name").empty() ? kind_words(str(o, "kind")) : str(o, "name");
    t.add({str(o, "id"),
           std::string(static_cast<size_t>(2 * std::max<std::int64_t>(depth, 0)), ' ') + name,
           kind_words(str(o, "kind")), str(o, "parent"), str(o, "terminals")});
  }
  t.print(std::cout);
}

void print_org(const bj::value& v) {
  std::cout << say("组织 ", "organisation ") << org_words(v) << "\n"
            << say("  上级：", "  parent: ") << (str(v, "parent").empty() ? "-" : str(v, "parent"))
            << "\n"
            << say("  创建者：", "  created by: ") << str(v, "created_by") << "\n";
}

void print_added(const bj::value& v) {
  std::cout << say("已添加组织 ", "added organisation ") << org_words(v)
            << say("，上级 ", " below ") << str(v, "parent") << "\n";
}

void print_moved(const bj::value& v) {
  std::cout << say("终端 ", "terminal ") << str(v, "serial") << say(" 已从 ", " moved from ")
            << org_words(v.at("from")) << say(" 转到 ", " to ") << org_words(v.at("organisation"))
            << "\n";
}

// An organisation id given on the command line: a positive number, else 0.
std::int64_t org_id(const std::string& text) {
  try {
    size_t used = 0;
    const auto n = std::stoll(text, &used);
    return used == text.size() && n > 0 ? n : 0;
  } catch (...) {
    return 0;
  }
}

}  // namespace

void add_org_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static std::string id, name, kind, parent, serial, to, reason;
  auto* org = app.add_subcommand("org", say("组织：收单机构、代理商和商户",
                                            "organisations: the acquirer, resellers and merchants"))
                  ->require_subcommand(1);
  org->add_subcommand("list", say("你的组织及其下级", "your organisation and those below it"))
      ->callback([&] {
        action = [&] {
          return show(server, "GET", "/api/v1/organisations", say("组织", "organisations"), nullptr,
                      print_orgs);
        };
      });
  auto* one = org->add_subcommand("show", say("一个组织", "one organisation"));
  one->add_option("id", id, say("编号", "its id"))->required();
  one->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/organisations/" + url_encode(id),
                  say("组织", "organisation"), nullptr, print_org);
    };
  });
  auto* add = org->add_subcommand(
      "add", say("添加代理商或商户（管理员）", "add a reseller or merchant (administrators)"));
  add->add_option("name", name, say("名称", "its name"))->required();
  add->add_option("--kind", kind, say("reseller 代理商，merchant 商户", "reseller or merchant"))
      ->required()
      ->check(CLI::IsMember({"reseller", "merchant"}));
  add->add_option(
      "--parent", parent,
      say("上级组织编号（默认你自己的组织）", "the parent organisation's id (default: your own)"));
  add->callback([&] {
    action = [&]() -> Status {
      bj::object b{{"name", name}, {"kind", kind}};
      if (!parent.empty()) {
        const std::int64_t p = org_id(parent);
        if (p < 1)
          return make_error(Code::kInvalidArgument,
                            say("--parent 应为组织编号（正整数）",
                                "--parent must be an organisation's id (a positive number)"));
        b["parent"] = p;
      }
      bj::value body = b;
      return show(server, "POST", "/api/v1/organisations", say("添加组织", "add organisation"),
                  &body, print_added);
    };
  });

  auto* terminal = app.get_subcommand("terminal");
  auto* move = terminal->add_subcommand(
      "move", say("把终端转给另一个组织", "give a terminal to another organisation"));
  move->add_option("serial", serial, say("序列号", "serial number"))->required();
  move->add_option("--org", to, say("组织编号", "the organisation's id"))->required();
  move->add_option("--reason", reason, say("原因，记入审计日志", "why, for the audit log"))
      ->required();
  move->callback([&] {
    action = [&]() -> Status {
      const std::int64_t o = org_id(to);
      if (o < 1)
        return make_error(Code::kInvalidArgument,
                          say("--org 应为组织编号（正整数）",
                              "--org must be an organisation's id (a positive number)"));
      bj::value body = bj::object{{"organisation", o}, {"reason", reason}};
      return show(server, "PUT", "/api/v1/terminals/" + url_encode(serial) + "/organisation",
                  say("转移终端", "move terminal"), &body, print_moved);
    };
  });
}

}  // namespace posfleet::cli
