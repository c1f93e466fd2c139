// posfleet CLI: releases and terminals on posfleetd (/api/v1): publish, list,
// register, show. Deployments are in deploy_commands.cc.
#include <boost/json.hpp>
#include <iostream>
#include <tuple>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/fs.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/manifest.h"

namespace posfleet::cli {

namespace bj = boost::json;

Status release_publish(const ServerOptions& s, const std::string& dir) {
  auto text = read_file(dir + "/manifest.json");
  if (!text)
    return make_error(Code::kNotFound,
                      say("没有 " + dir + "/manifest.json；请先运行 `posfleet release create`",
                          "no " + dir + "/manifest.json; run `posfleet release create` first"));
  auto sm = SignedManifest::parse(*text);
  if (!sm) return sm.error();
  if (sm->signatures.empty())
    return make_error(Code::kInvalidArgument,
                      say("版本尚未签名；请运行 `posfleet release sign`",
                          "release is not signed; run `posfleet release sign`"));
  auto c = client(s);
  if (!c) return c.error();
  auto& out = s.json ? std::cerr : std::cout;  // with --json, stdout holds only the release's JSON
  // Every file the manifest names: each component's, its patches and its zchunk file.
  std::vector<std::tuple<std::string, std::string, std::uint64_t>> files;  // name, sha256, length
  for (const auto& comp : sm->manifest.components) {
    files.emplace_back(comp.filename, comp.sha256, comp.length);
    for (const auto& d : comp.deltas) files.emplace_back(d.filename, d.sha256, d.length);
    if (comp.zchunk)
      files.emplace_back(comp.zchunk->filename, comp.zchunk->sha256, comp.zchunk->length);
  }
  for (const auto& [filename, sha256, length] : files) {
    const std::string path = "/api/v1/artifacts/" + sha256;
    auto have = (*c)->request("GET", path);
    if (!have) return have.error();
    if (have->status == 200) {
      out << "  " << filename << say("：服务器上已有\n", ": already on the server\n");
      continue;
    }
    out << "  " << filename << say("：正在上传 ", ": uploading ") << human_size(length) << "…"
        << std::flush;
    auto up = (*c)->put_file(path, dir + "/" + filename);
    if (!up) return up.error();
    if (up->status >= 300) return server_error(*up, say("上传 ", "upload ") + filename);
    out << say(" 完成\n", " done\n");
  }
  auto r = (*c)->request("POST", "/api/v1/releases", *text);
  if (!r) return r.error();
  if (r->status >= 300)
    return server_error(*r, say("发布版本 ", "publish release ") + sm->manifest.version);
  if (s.json) {
    auto v = json::parse(r->body);
    if (!v) return v.error();
    print_json(*v);
  } else {
    std::cout << say("已发布版本 ", "published release ") << sm->manifest.version << "\n";
  }
  return ok_status();
}

Status release_list(const ServerOptions& s) {
  return show(
      s, "GET", "/api/v1/releases", say("列出版本", "list releases"), nullptr,
      [](const bj::value& v) {
        Table t{say("版本", "VERSION"),      say("型号", "MODELS"),
                say("大小", "SIZE"),         say("安全更新", "SECURITY"),
                say("截止时间", "DEADLINE"), say("过期时间", "EXPIRES")};
        for (const auto& r : v.at("releases").as_array()) {
          const auto* size = r.as_object().if_contains("size");
          t.add({str(r, "version"), str(r, "models"),
                 size && size->is_number() ? human_size(size->to_number<std::uint64_t>()) : "-",
                 yes_no(r, "security"), time_of(r, "security_deadline"), time_of(r, "expires")});
        }
        if (t.empty())
          std::cout << say("还没有版本；用 `posfleet release publish` 发布\n",
                           "no releases yet; publish one with `posfleet release publish`\n");
        else
          t.print(std::cout);
      });
}

Status terminal_register(const ServerOptions& s, const std::string& serial,
                         const std::string& model, bool token_only, const std::string& time_zone) {
  bj::object fields{{"serial", serial}, {"model", model}};
  if (!time_zone.empty()) fields["time_zone"] = time_zone;
  bj::value body = std::move(fields);
  auto v =
      call(s, "POST", "/api/v1/terminals", say("登记终端 ", "register terminal ") + serial, &body);
  if (!v) return v.error();
  if (s.json)
    print_json(*v);
  else if (token_only)
    std::cout << str(*v, "token") << "\n";
  else
    std::cout << say("已登记终端 ", "registered terminal ") << str(*v, "serial") << " ("
              << str(*v, "model") << ")\n  "
              << say("DDI 令牌（只显示这一次）：", "DDI token (shown once): ") << str(*v, "token")
              << "\n";
  return ok_status();
}

Status terminal_show(const ServerOptions& s, const std::string& serial) {
  return show(
      s, "GET", "/api/v1/terminals/" + url_encode(serial), say("终端 ", "terminal ") + serial,
      nullptr, [](const bj::value& v) {
        std::cout << say("终端 ", "terminal ") << str(v, "serial") << " (" << str(v, "model")
                  << ")\n"
                  << say("  已装版本  ", "  version    ") << str(v, "installed_version") << "\n"
                  << say("  分组      ", "  group      ") << str(v, "group") << "\n"
                  << say("  商户      ", "  merchant   ") << str(v, "merchant") << "\n"
                  << say("  更新状态  ", "  update     ") << word(str(v, "state")) << "\n"
                  << say("  最后联网  ", "  last seen  ") << time_of(v, "last_seen") << "\n";
        if (v.as_object().contains("retired") && !v.at("retired").is_null())
          std::cout << say("  已退役    ", "  RETIRED    ") << time_of(v, "retired") << " ("
                    << str(v, "retired_reason") << ")"
                    << say("：令牌已失效；重新登记才能再用\n",
                           ": its token is refused; register it again to bring it back\n");
        Table t{say("部署", "DEPLOYMENT"), say("版本", "RELEASE"),     say("状态", "STATUS"),
                say("结果", "RESULT"),     say("更新时间", "UPDATED"), say("最新消息", "MESSAGE")};
        for (const auto& d : v.at("deployments").as_array())
          t.add({str(d, "id"), str(d, "release"), word(str(d, "status")), word(str(d, "result")),
                 time_of(d, "updated"), str(d, "message")});
        if (!t.empty()) std::cout << "\n", t.print(std::cout);
      });
}

Status terminal_list(const ServerOptions& s, const ListPage& page) {
  std::string path = "/api/v1/terminals?limit=" + std::to_string(page.limit) +
                     "&offset=" + std::to_string(page.offset);
  if (!page.after.empty()) path += "&after=" + url_encode(page.after);
  auto filters = filter_object(page.filters);
  if (!filters) return filters.error();
  for (const auto& [key, value] : *filters)
    path += "&" + url_encode(key) + "=" + url_encode(value.as_string());
  return show(s, "GET", path, say("列出终端", "list terminals"), nullptr, [&](const bj::value& v) {
    Table t{say("序列号", "SERIAL"),      say("型号", "MODEL"),  say("版本", "VERSION"),
            say("分组", "GROUP"),         say("模式", "MODE"),   say("更新状态", "UPDATE"),
            say("最后联网", "LAST SEEN"), say("退役", "RETIRED")};
    const auto& rows = v.at("terminals").as_array();
    for (const auto& r : rows)
      t.add({str(r, "serial"), str(r, "model"), str(r, "installed_version"), str(r, "group"),
             word(str(r, "mode")), word(str(r, "state")), time_of(r, "last_seen"),
             r.as_object().contains("retired") && !r.at("retired").is_null()
                 ? say("已退役", "retired")
                 : std::string()});
    if (!t.empty()) t.print(std::cout);
    if (page.after.empty()) return print_page_footer(v, rows.size(), "台", "终端", "terminals");
    // A keyset page: counted from the serial it follows, not from the first.
    const auto total = std::to_string(v.at("total").to_number<std::int64_t>());
    std::cout << say(
        std::to_string(rows.size()) + " 台，在 " + page.after + " 之后（共 " + total + " 台）",
        std::to_string(rows.size()) + " after " + page.after + " (of " + total + ")");
    if (rows.size() == static_cast<std::size_t>(page.limit) && v.as_object().contains("next_after"))
      std::cout << say("；下一页：--after ", "; next page: --after ") << str(v, "next_after");
    std::cout << "\n";
  });
}

}  // namespace posfleet::cli
