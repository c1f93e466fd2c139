// posfleet CLI: webhooks — where rollout events go: `webhook add --name N --url U --format
// json|dingtalk|wecom --events rollout.paused,… [--secret-file F]`, `webhook list`, `webhook
// remove ID`, `webhook test ID`. The signing secret is read from a file (never from the command
// line, where `ps` and the shell history would show it) and never printed. Thin clients of
// /api/v1/webhooks.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/fs.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string last_delivery(const bj::value& w) {
  const auto* last = w.as_object().if_contains("last_delivery");
  if (!last || !last->is_object()) return say("尚未发送", "none yet");
  const std::int64_t status = last->as_object().at("status").to_number<std::int64_t>();
  std::string out = local_time(last->as_object().at("time").to_number<std::int64_t>()) + " ";
  out += status ? "HTTP " + std::to_string(status) : say("无应答", "no answer");
  const auto* err = last->as_object().if_contains("error");
  if (err && err->is_string()) out += " " + clean(err->as_string(), 80);
  return out;
}

void print_webhooks(const bj::value& v) {
  Table t{say("编号", "ID"),       say("名称", "NAME"),   say("格式", "FORMAT"),
          say("事件", "EVENTS"),   say("签名", "SIGNED"), say("待发", "PENDING"),
          say("最近发送", "LAST"), say("地址", "URL")};
  for (const auto& w : v.at("webhooks").as_array())
    t.add({str(w, "id"), str(w, "name"), str(w, "format"), str(w, "events"),
           yes_no(w, "has_secret"), str(w, "pending"), last_delivery(w), str(w, "url")});
  if (t.empty())
    std::cout << say("还没有 webhook；用 posfleet webhook add 添加\n",
                     "no webhooks yet; add one with posfleet webhook add\n");
  else
    t.print(std::cout);
}

}  // namespace

void add_webhook_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static std::string name, url, format, events, secret_file, id, reason;
  auto* wh = app.add_subcommand("webhook", say("灰度发布事件的通知（JSON、钉钉、企业微信群机器人）",
                                               "rollout event notifications (JSON, DingTalk, "
                                               "WeCom group robots)"))
                 ->require_subcommand(1);
  auto* add = wh->add_subcommand("add", say("添加 webhook（管理员）", "add a webhook (admin)"));
  add->add_option("--name", name, say("名称，例如 ops-dingtalk", "a name, e.g. ops-dingtalk"))
      ->required();
  add->add_option("--url", url,
                  say("接收地址（https://；http:// 只能指向本机）",
                      "where to POST (https://; http:// only to this machine)"))
      ->required();
  add->add_option("--format", format, "json | dingtalk | wecom")
      ->required()
      ->check(CLI::IsMember({"json", "dingtalk", "wecom"}));
  add->add_option("--events", events,
                  say("逗号分隔的事件，例如 rollout.paused,rollout.finished",
                      "comma-separated events, e.g. rollout.paused,rollout.finished"))
      ->required();
  add->add_option("--secret-file", secret_file,
                  say("钉钉机器人加签密钥所在的文件（第一行）",
                      "file whose first line is the DingTalk robot's signing secret"))
      ->check(CLI::ExistingFile);
  add->callback([&] {
    action = [&]() -> Status {
      bj::array ev;
      for (const auto& e : split_commas(events)) ev.emplace_back(e);
      bj::object b{{"name", name}, {"url", url}, {"format", format}, {"events", ev}};
      if (!secret_file.empty()) {
        auto text = read_file(secret_file);
        if (!text) return text.error().with_context(secret_file);
        std::string secret = text->substr(0, text->find('\n'));
        while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' '))
          secret.pop_back();
        if (secret.empty())
          return make_error(Code::kInvalidArgument, secret_file +
                                                        " is empty; put the secret "
                                                        "on its first line");
        b["secret"] = secret;
      }
      bj::value body = b;
      return show(server, "POST", "/api/v1/webhooks", say("添加 webhook", "add webhook"), &body,
                  [](const bj::value& w) {
                    std::cout << say("已添加 webhook ", "added webhook ") << str(w, "id") << " ("
                              << str(w, "name") << ")"
                              << say("；用 posfleet webhook test 试发一条\n",
                                     "; try it with posfleet webhook test\n");
                  });
    };
  });
  auto* list = wh->add_subcommand("list", say("列出 webhook", "list webhooks"));
  list->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/webhooks", say("webhook 列表", "webhooks"), nullptr,
                  print_webhooks);
    };
  });
  auto* rm =
      wh->add_subcommand("remove", say("删除 webhook 及其待发事件（管理员）",
                                       "remove a webhook and the events waiting for it (admin)"));
  rm->add_option("id", id, say("编号", "ID"))->required();
  rm->add_option("--reason", reason, say("原因（记入审计日志）", "why (kept in the audit log)"));
  rm->callback([&] {
    action = [&] {
      bj::value b = bj::object{{"reason", reason}};
      return show(server, "DELETE", "/api/v1/webhooks/" + url_encode(id),
                  say("删除 webhook", "remove webhook"), &b,
                  [](const bj::value&) { std::cout << say("已删除。\n", "removed.\n"); });
    };
  });
  auto* test = wh->add_subcommand(
      "test", say("立即试发一条测试消息（管理员）", "send a test message now (admin)"));
  test->add_option("id", id, say("编号", "ID"))->required();
  test->callback([&] {
    action = [&] {
      bj::value b = bj::object{};
      return show(server, "POST", "/api/v1/webhooks/" + url_encode(id) + "/test",
                  say("试发 webhook", "test webhook"), &b, [](const bj::value& v) {
                    std::cout << say("接收方已收下（HTTP ", "the receiver took it (HTTP ")
                              << str(v, "status") << say("）\n", ")\n");
                  });
    };
  });
}

}  // namespace posfleet::cli
