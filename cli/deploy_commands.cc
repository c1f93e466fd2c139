// posfleet CLI: deployments on posfleetd (/api/v1/deployments): deploy a
// release to one terminal, a list, a group or the server's terminal filter
// (server/api/terminal_filter.h); list, show, wait for and cancel deployments.
#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/clock.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

void print_deployment(const bj::value& d) {
  std::cout << say("部署 ", "deployment ") << str(d, "id") << say("：版本 ", ": release ")
            << str(d, "release") << say(" 到终端 ", " to terminal ") << str(d, "terminal") << "\n  "
            << say("状态 ", "status ") << word(str(d, "status")) << say("，结果 ", ", result ")
            << word(str(d, "result"));
  if (auto m = str(d, "message"); !m.empty() && m != "-") std::cout << say("，", ", ") << m;
  std::cout << "\n  " << say("创建于 ", "created ") << time_of(d, "created")
            << say("，更新于 ", ", updated ") << time_of(d, "updated") << "\n";
  if (auto* h = d.as_object().if_contains("history"); h && h->is_array())
    for (const auto& e : h->get_array()) {
      std::cout << "  " << time_of(e, "time") << "  " << str(e, "execution") << "/"
                << str(e, "result");
      if (auto* details = e.as_object().if_contains("details"); details && details->is_array())
        for (const auto& line : details->get_array())
          if (line.is_string()) std::cout << "  " << clean(line.get_string());
      std::cout << "\n";
    }
}

// "1 wrong model, 2 already running it" from the reply's skipped counts.
std::string skipped_text(const bj::value& reply) {
  std::string out;
  if (auto* sk = reply.as_object().if_contains("skipped"); sk && sk->is_object())
    for (const auto& [why, n] : sk->get_object())
      if (n.is_int64() && n.get_int64() > 0)
        out +=
            (out.empty() ? "" : say("，", ", ")) + word(why) + " " + std::to_string(n.get_int64());
  return out;
}

void print_many(const bj::value& v) {
  const bool dry = str(v, "dry_run") == "true";
  std::cout << say("版本 ", "release ") << str(v, "release") << say("：匹配 ", ": matched ")
            << str(v, "matched") << say(" 台终端，", " terminals, ")
            << (dry ? say("将创建 ", "would create ") : say("已创建 ", "created "))
            << str(v, "created") << say(" 个部署", " deployments");
  std::string ids;
  if (auto* a = v.as_object().if_contains("deployments"); a && a->is_array())
    for (const auto& id : a->get_array())
      ids += (ids.empty() ? "" : ", ") + clean(bj::serialize(id), 20);
  if (!ids.empty()) std::cout << say("（编号 ", " (ids ") << ids << say("）", ")");
  if (auto sk = skipped_text(v); !sk.empty()) std::cout << say("；跳过：", "; skipped: ") << sk;
  std::cout << "\n";
  if (dry)
    std::cout << say("（预览，未创建；去掉 --dry-run 即可部署）\n",
                     "(preview only; drop --dry-run to deploy)\n");
}

}  // namespace

Status deploy(const ServerOptions& s, const DeployOptions& o) {
  const int targets =
      !o.terminal.empty() + !o.terminals.empty() + !o.group.empty() + !o.filters.empty();
  if (targets != 1)
    return make_error(Code::kInvalidArgument,
                      say("请只指定一种目标：--terminal、--terminals、--group 或 --filter",
                          "name exactly one target: --terminal, --terminals, --group or --filter"));
  bj::object body{{"release", o.release}};
  if (!o.reason.empty()) body["reason"] = o.reason;
  std::string what;
  if (!o.terminal.empty()) {
    body["terminal"] = o.terminal;
    what = o.terminal;
  } else if (!o.terminals.empty()) {
    bj::array a;
    for (const auto& t : o.terminals) a.push_back(bj::string(t));
    body["terminals"] = std::move(a);
    what = std::to_string(o.terminals.size()) + say(" 台终端", " terminals");
  } else if (!o.group.empty()) {
    body["group"] = o.group;
    what = say("分组 ", "group ") + o.group;
  } else {
    auto f = filter_object(o.filters);
    if (!f) return f.error();
    body["filter"] = std::move(*f);
    what = say("筛选出的终端", "the filtered terminals");
  }
  const bj::value b = body;
  const std::string action = say("部署 ", "deploy ") + o.release + say(" 到 ", " to ") + what;
  const bool one = !o.terminal.empty() && !o.dry_run;
  return show(s, "POST", o.dry_run ? "/api/v1/deployments/preview" : "/api/v1/deployments", action,
              &b, one ? print_deployment : print_many);
}

Status deployment_list(const ServerOptions& s, const DeploymentFilter& f) {
  std::string path = "/api/v1/deployments?limit=" + std::to_string(f.page.limit) +
                     "&offset=" + std::to_string(f.page.offset);
  const std::pair<const char*, const std::string*> params[] = {{"release", &f.release},
                                                               {"status", &f.status},
                                                               {"result", &f.result},
                                                               {"terminal", &f.terminal}};
  for (const auto& [k, v] : params)
    if (!v->empty()) path += std::string("&") + k + "=" + url_encode(*v);
  return show(s, "GET", path, say("列出部署", "list deployments"), nullptr, [](const bj::value& v) {
    Table t{say("编号", "ID"),         say("终端", "TERMINAL"), say("版本", "RELEASE"),
            say("状态", "STATUS"),     say("结果", "RESULT"),   say("更新时间", "UPDATED"),
            say("最新消息", "MESSAGE")};
    const auto& rows = v.at("deployments").as_array();
    for (const auto& d : rows)
      t.add({str(d, "id"), str(d, "terminal"), str(d, "release"), word(str(d, "status")),
             word(str(d, "result")), time_of(d, "updated"), str(d, "message")});
    if (!t.empty()) t.print(std::cout);
    print_page_footer(v, rows.size(), "个", "部署", "deployments");
  });
}

Status deployment_show(const ServerOptions& s, const std::string& id) {
  return show(s, "GET", "/api/v1/deployments/" + url_encode(id), say("部署 ", "deployment ") + id,
              nullptr, print_deployment);
}

Status deployment_cancel(const ServerOptions& s, const std::string& id) {
  return show(s, "POST", "/api/v1/deployments/" + url_encode(id) + "/cancel",
              say("取消部署 ", "cancel deployment ") + id, nullptr, print_deployment);
}

Status deployment_wait(const ServerOptions& s, const std::string& id, int timeout_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  std::string last;
  for (;;) {
    auto v =
        call(s, "GET", "/api/v1/deployments/" + url_encode(id), say("部署 ", "deployment ") + id);
    if (!v) return v.error();
    const std::string status = str(*v, "status");
    if (status == "finished" || status == "canceled") {
      if (s.json)
        print_json(*v);
      else
        print_deployment(*v);
      if (str(*v, "result") == "success") return ok_status();
      return make_error(Code::kInstall, say("部署 ", "deployment ") + id +
                                            say(" 未成功结束：", " did not succeed: ") +
                                            word(status) + "/" + word(str(*v, "result")) + " " +
                                            str(*v, "message"));
    }
    if (!s.json && status + str(*v, "message") != last) {
      last = status + str(*v, "message");
      std::cerr << local_time(unix_now()) << "  " << word(status) << "  " << str(*v, "message")
                << "\n";
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return make_error(
          Code::kUnavailable,
          say("部署 " + id + " 在 " + std::to_string(timeout_seconds) + " 秒内没有结束（" +
                  word(status) + "）；可再次运行 `posfleet deployment wait " + id + "`",
              "deployment " + id + " has not ended after " + std::to_string(timeout_seconds) +
                  " s (" + word(status) + "); run `posfleet deployment wait " + id + "` again"));
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

}  // namespace posfleet::cli
