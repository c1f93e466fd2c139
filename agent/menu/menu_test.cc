// Unit tests of the terminal menu against a scripted daemon: every screen is
// driven through std::istream / std::ostream, no socket involved.
#include "agent/menu/menu.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <sstream>
#include <vector>

namespace posfleet::agent::menu {
namespace {

namespace bj = boost::json;

// A daemon in memory: answers the local protocol from a few fields and records
// every request.
class FakeLocalClient : public LocalClient {
 public:
  FakeLocalClient() : LocalClient("/nonexistent/agent.sock") {}

  std::string mode = "auto", language = "zh-CN", lock_reason, time_zone, update_state = "idle";
  bool locked = false, reachable = true;
  bj::value update = nullptr, progress = nullptr, last_update = nullptr;
  std::int64_t started = 1;
  int down_for = 0;  // status calls that fail after a restart, as while the daemon is away
  bj::array notifications;
  bj::array parameter_sets;
  bj::value lock = nullptr;  // the status's "lock"
  std::string unlock_code;   // the code "unlock" accepts
  std::vector<bj::object> requests;

  std::vector<std::string> commands() const {
    std::vector<std::string> out;
    for (const auto& r : requests) out.emplace_back(r.at("cmd").as_string());
    return out;
  }

 protected:
  Expected<bj::object> exchange(const bj::object& request, int) override {
    if (!reachable) return make_error(Code::kUnavailable, "no update daemon is listening");
    if (down_for > 0) {
      --down_for;
      return make_error(Code::kUnavailable, "no update daemon is listening");
    }
    requests.push_back(request);
    std::string cmd(request.at("cmd").as_string());
    if (cmd == "status")
      return bj::object{{"ok", true},
                        {"terminal", "PF0001"},
                        {"model", "A920"},
                        {"version", "2.1.0"},
                        {"slot", "b"},
                        {"language", language},
                        {"online", true},
                        {"update_state", update_state},
                        {"progress", progress},
                        {"last_update", last_update},
                        {"update_available", update},
                        {"time_zone", time_zone},
                        {"started", started},
                        {"lock", lock},
                        {"policy",
                         {{"mode", mode},
                          {"locked", locked},
                          {"lock_reason", lock_reason},
                          {"revision", 1},
                          {"pending_change", nullptr}}}};
    if (cmd == "unlock") {
      const bool right = request.at("code").as_string() == unlock_code;
      if (right) lock = bj::object{{"locked", false}};
      return bj::object{
          {"ok", right},
          {"message_zh", right ? "终端已解锁，可以正常收款" : "解锁码错误，还可再试 4 次"},
          {"message_en", right ? "The terminal is unlocked" : "Wrong unlock code"}};
    }
    if (cmd == "parameters") return bj::object{{"ok", true}, {"apps", parameter_sets}};
    if (cmd == "restart") {
      bj::object o{{"ok", true},
                   {"started", started},
                   {"message_zh", "正在重启"},
                   {"message_en", "Restarting"}};
      ++started;
      down_for = 2;
      return o;
    }
    if (cmd == "reset") {
      mode = "manual";
      return bj::object{{"ok", true},
                        {"message_zh", "已恢复默认设置：自动更新为手动"},
                        {"message_en", "Settings reset"}};
    }
    if (cmd == "set" && request.at("key") == "update-mode") {
      if (locked)
        return bj::object{
            {"ok", false}, {"error", "locked"}, {"message_zh", "已锁定"}, {"message_en", "locked"}};
      mode = request.at("value").as_string();
      return bj::object{{"ok", true}, {"message_zh", "已应用"}, {"message_en", "Applied"}};
    }
    if (cmd == "set" && request.at("key") == "language") {
      language = request.at("value").as_string();
      return bj::object{{"ok", true}};
    }
    if (cmd == "check")
      return bj::object{{"ok", true}, {"online", true}, {"update_available", update}};
    if (cmd == "install")
      return bj::object{{"ok", true}, {"message_zh", "开始安装"}, {"message_en", "Installing"}};
    if (cmd == "notifications") return bj::object{{"ok", true}, {"notifications", notifications}};
    if (cmd == "ticket") return bj::object{{"ok", true}, {"ticket_id", 12}};
    return bj::object{{"ok", false}, {"error", "invalid"}};
  }
};

struct MenuRun {
  int code;
  std::string out;
};

MenuRun run(FakeLocalClient& client, const std::string& keys,
            std::optional<Language> lang = std::nullopt) {
  std::istringstream in(keys);
  std::ostringstream out;
  int code = run_menu(client, in, out, lang);
  return {code, out.str()};
}

// The text after the last time `title` was drawn.
std::string last_screen(const std::string& out, const std::string& title) {
  auto at = out.rfind("== " + title + " ==");
  return at == std::string::npos ? "" : out.substr(at);
}

TEST(MenuTest, UnreachableDaemonSaysWhatToDoAndExitsWithOne) {
  FakeLocalClient client;
  client.reachable = false;
  MenuRun r = run(client, "");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("无法连接更新服务，请确认 posfleet-agent run 正在运行"), std::string::npos)
      << r.out;
  r = run(client, "", Language::kEn);
  EXPECT_NE(r.out.find("Cannot reach the update service; is `posfleet-agent run` running?"),
            std::string::npos);
}

TEST(MenuTest, EndOfInputAndZeroExitCleanly) {
  FakeLocalClient client;
  EXPECT_EQ(run(client, "").code, 0);
  MenuRun r = run(client, "0\n");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("== 主菜单 ==\n1. 设置\n2. 关于本机\n3. 联系客服\n4. 参数查看\n0. 退出\n"),
            std::string::npos)
      << r.out;
}

TEST(MenuTest, InvalidInputIsExplainedAndTheMenuRedrawn) {
  FakeLocalClient client;
  MenuRun r = run(client, "9\nabc\n\n0\n");
  EXPECT_EQ(r.code, 0);
  std::size_t count = 0;
  for (auto at = r.out.find("无效选择，请输入菜单编号"); at != std::string::npos;
       at = r.out.find("无效选择，请输入菜单编号", at + 1))
    ++count;
  EXPECT_EQ(count, 3u);
}

TEST(MenuTest, NeverIsConfirmedAfterTheWarningAndThenShownAsCurrent) {
  FakeLocalClient client;
  MenuRun r = run(client, "1\n1\n1\n3\n1\n0\n0\n0\n0\n");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("交易安全"), std::string::npos);
  EXPECT_NE(r.out.find("1. 确认\n0. 取消\n"), std::string::npos);
  EXPECT_EQ(client.mode, "never");
  EXPECT_NE(last_screen(r.out, "自动更新").find("当前：永不"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("已应用"), std::string::npos);
}

TEST(MenuTest, CancelingNeverChangesNothing) {
  FakeLocalClient client;
  run(client, "1\n1\n1\n3\n0\n");
  EXPECT_EQ(client.mode, "auto");
  for (const auto& cmd : client.commands()) EXPECT_NE(cmd, "set");
}

TEST(MenuTest, LockedPolicyIsMarkedAndAChangeRefusedWithTheReason) {
  FakeLocalClient client;
  client.locked = true;
  client.lock_reason = "peak season";
  MenuRun r = run(client, "1\n1\n1\n2\n", Language::kEn);
  EXPECT_NE(r.out.find("Locked by your administrator: peak season"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2. Manual (locked)"), std::string::npos);
  EXPECT_NE(r.out.find("Cannot change this: locked by your administrator: peak season"),
            std::string::npos);
  for (const auto& cmd : client.commands()) EXPECT_NE(cmd, "set");
}

TEST(MenuTest, DaemonLanguageSettingAppliesAndCanBeChanged) {
  FakeLocalClient client;
  client.language = "en";
  MenuRun r = run(client, "1\n2\n1\n0\n");
  EXPECT_NE(r.out.find("== Main menu =="), std::string::npos);
  EXPECT_EQ(client.language, "zh-CN");
  EXPECT_NE(r.out.find("语言已切换为中文"), std::string::npos);
  EXPECT_NE(last_screen(r.out, "设置").find("1. 软件更新"), std::string::npos) << r.out;
}

TEST(MenuTest, CheckInManualModeOffersInstall) {
  FakeLocalClient client;
  client.mode = "manual";
  client.update = bj::object{{"action_id", 3},
                             {"version", "2.2.0"},
                             {"notes", {{"zh-CN", "修复漏洞"}, {"en", "Fixes"}}},
                             {"security", true},
                             {"deadline", "2026-12-24T00:00:00Z"},
                             {"waiting_for", "confirmation"}};
  MenuRun r = run(client, "1\n1\n2\n1\n");
  EXPECT_NE(r.out.find("有可用更新：版本 2.2.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("更新内容：修复漏洞"), std::string::npos);
  EXPECT_NE(r.out.find("须在 2026-12-24 00:00 UTC 前安装"), std::string::npos);
  EXPECT_NE(r.out.find("1. 安装"), std::string::npos);
  EXPECT_EQ(client.commands().back(),
            "status");  // the software update screen redrawn after install
  EXPECT_NE(r.out.find("开始安装"), std::string::npos);
}

TEST(MenuTest, CheckWithoutUpdateSaysSo) {
  FakeLocalClient client;
  MenuRun r = run(client, "1\n1\n2\n", Language::kEn);
  EXPECT_NE(r.out.find("No update available."), std::string::npos) << r.out;
}

TEST(MenuTest, NotificationsNewestFirst) {
  FakeLocalClient client;
  client.notifications = {bj::object{{"id", 1},
                                     {"kind", "policy_changed"},
                                     {"time", "2026-11-01T08:00:00Z"},
                                     {"text", {{"zh-CN", "旧通知"}, {"en", "older"}}}},
                          bj::object{{"id", 2},
                                     {"kind", "update_available"},
                                     {"time", "2026-11-02T09:30:00Z"},
                                     {"text", {{"zh-CN", "新通知"}, {"en", "newer"}}}}};
  MenuRun r = run(client, "1\n1\n3\n");
  std::string screen = last_screen(r.out, "更新通知");
  EXPECT_NE(screen.find("2026-11-02 09:30 UTC  新通知\n2026-11-01 08:00 UTC  旧通知\n"),
            std::string::npos)
      << r.out;
  client.notifications.clear();
  EXPECT_NE(run(client, "1\n1\n3\n").out.find("暂无通知"), std::string::npos);
}

TEST(MenuTest, AboutShowsTheTerminal) {
  FakeLocalClient client;
  MenuRun r = run(client, "2\n", Language::kEn);
  for (const char* want : {"Software version: 2.1.0", "Active slot: B", "Serial number: PF0001",
                           "Model: A920", "Automatic update: On", "Last update: none"})
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
}

TEST(MenuTest, ParametersAreShownReadOnlyWithTheirLabels) {
  FakeLocalClient client;
  MenuRun none = run(client, "4\n");
  EXPECT_NE(none.out.find("本机尚未收到参数。"), std::string::npos) << none.out;
  client.parameter_sets.push_back(bj::object{
      {"app", "payment"},
      {"version", "0123456789abcdef"},
      {"applied", ""},
      {"fields", bj::array{bj::object{{"key", "merchant_no"},
                                      {"label", {{"zh-CN", "商户号"}, {"en", "Merchant number"}}},
                                      {"value", "123456789012345"},
                                      {"locked", true}},
                           bj::object{{"key", "timeout"}, {"value", 60}},
                           bj::object{{"key", "tmk"}, {"value", "******"}, {"sensitive", true}},
                           bj::object{{"key", "header"}, {"value", nullptr}}}}});
  MenuRun r = run(client, "4\n");
  for (const char* want : {"== 参数查看 ==", "应用 payment：版本 0123456789abcdef",
                           "  商户号：123456789012345（已锁定）", "  timeout：60", "  tmk：******",
                           "  header：未设置"})
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  MenuRun en = run(client, "4\n", Language::kEn);
  EXPECT_NE(en.out.find("  Merchant number: 123456789012345 (locked)"), std::string::npos)
      << en.out;
  // Read-only: the screen offers nothing but going back.
  EXPECT_EQ(client.commands().back(), "parameters");
}

TEST(MenuTest, ALockedTerminalSaysSoAndTakesTheUnlockCode) {
  FakeLocalClient client;
  client.lock = bj::object{{"locked", true}, {"reason", "报失"}, {"support_phone", "95516"}};
  client.unlock_code = "ABCD-EFGH-JKMN";
  MenuRun r = run(client, "5\n2222-2222-2222\n5\nABCD-EFGH-JKMN\n");
  for (const char* want :
       {"终端已锁定：暂停收款。", "请致电客服 95516 核实身份后取得解锁码。", "5. 输入解锁码",
        "解锁码错误，还可再试 4 次", "终端已解锁，可以正常收款"})
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  // Unlocked: the main menu no longer says it, nor offers the code.
  const auto last = r.out.rfind("== 主菜单 ==");
  EXPECT_EQ(r.out.find("终端已锁定", last), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("5. 输入解锁码", last), std::string::npos) << r.out;
  MenuRun en = run(client, "0\n", Language::kEn);
  EXPECT_EQ(en.out.find("locked"), std::string::npos);
  client.lock = bj::object{{"locked", true}, {"support_phone", ""}};
  en = run(client, "0\n", Language::kEn);
  EXPECT_NE(en.out.find("This terminal is locked: no sales for now."), std::string::npos) << en.out;
  EXPECT_NE(en.out.find("Contact support; after checking who you are"), std::string::npos);
}

TEST(MenuTest, AboutSaysWhatToDoAfterAnUpdateFailed) {
  struct Case {
    int code;
    const char* zh;
    const char* en;
  };
  const Case cases[] = {
      {34, "下载速度过慢，已停止", "The download was too slow and was stopped"},
      {2, "服务器上没有这个更新文件", "The update's file is missing on the server"},
      {35, "更新包不合规，已拒绝安装", "The update package was not valid"},
  };
  auto last = [](const char* result, int code) {
    return bj::object{{"action_id", 7},   {"version", "2.2.0"},
                      {"result", result}, {"message", "download given up"},
                      {"code", code},     {"time", "2026-01-01T00:00:00Z"}};
  };
  for (const auto& c : cases) {
    FakeLocalClient client;
    client.last_update = last("failure", c.code);
    EXPECT_NE(run(client, "2\n").out.find(c.zh), std::string::npos) << c.code;
    EXPECT_NE(run(client, "2\n", Language::kEn).out.find(c.en), std::string::npos) << c.code;
  }
  FakeLocalClient ok;  // a success carries no advice
  ok.last_update = last("success", 0);
  EXPECT_EQ(run(ok, "2\n", Language::kEn).out.find("works as before"), std::string::npos);
}

TEST(MenuTest, SupportSendsTheMessageAndShowsTheTicket) {
  FakeLocalClient client;
  MenuRun r = run(client, "3\nplease call me\n");
  EXPECT_NE(r.out.find("将发送：序列号 PF0001，软件版本 2.1.0，更新设置 开启"), std::string::npos)
      << r.out;
  EXPECT_EQ(client.requests.back().at("message"), "please call me");
  EXPECT_NE(r.out.find("已创建客服工单，编号 12"), std::string::npos);
  FakeLocalClient other;
  run(other, "3\n0\n");
  for (const auto& cmd : other.commands()) EXPECT_NE(cmd, "ticket");
}

TEST(MenuTest, SupportCountsTheMessageInCharactersAndAsksAgainWhenTooLong) {
  std::string chars_2000, chars_2001;
  for (int i = 0; i < 2000; ++i) chars_2000 += "打";  // 6000 bytes, still allowed
  chars_2001 = chars_2000 + "打";
  FakeLocalClient client;
  MenuRun r = run(client, "3\n" + chars_2001 + "\n" + chars_2000 + "\n");
  EXPECT_NE(r.out.find("最多 2000 个字符"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("留言有 2001 个字符，超过 2000 个的上限"), std::string::npos);
  ASSERT_EQ(client.commands().back(), "ticket");
  EXPECT_EQ(client.requests.back().at("message").as_string(), chars_2000);
  FakeLocalClient en;
  r = run(en, "3\n" + chars_2001 + "\n0\n", Language::kEn);
  EXPECT_NE(r.out.find("The message has 2001 characters, more than the limit of 2000"),
            std::string::npos)
      << r.out;
  for (const auto& cmd : en.commands()) EXPECT_NE(cmd, "ticket");
}

TEST(MenuTest, ARunningUpdateIsShownInWordsAndMegabytes) {
  FakeLocalClient client;
  client.update_state = "download";
  client.progress = bj::object{{"percent", 50},
                               {"bytes", 524288},
                               {"total", 1048576},
                               {"rate", 2048},
                               {"remaining_seconds", 4}};
  MenuRun r = run(client, "1\n1\n");
  std::string screen = last_screen(r.out, "软件更新");
  EXPECT_NE(screen.find("正在更新：正在下载，已下载 0.5 MB / 1.0 MB（50%），约剩 4 秒"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(screen.find("download"), std::string::npos)
      << "an internal word on a merchant's screen";
  client.update_state = "health_check";
  client.progress = nullptr;
  EXPECT_NE(run(client, "1\n1\n", Language::kEn).out.find("Updating: checking the new version."),
            std::string::npos);
}

TEST(MenuTest, AFailedUpdateSaysWhatHappenedAndWhichItemToUse) {
  FakeLocalClient client;
  client.last_update =
      bj::object{{"action_id", 4},      {"version", "2.2.0"},
                 {"result", "failure"}, {"message", "slot b did not boot; back on slot a"},
                 {"code", 32},          {"time", "2026-11-24T10:00:00Z"}};
  client.time_zone = "Asia/Shanghai";
  MenuRun r = run(client, "2\n");
  std::string screen = last_screen(r.out, "关于本机");
  EXPECT_NE(screen.find("最近一次更新：版本 2.2.0，失败（2026-11-24 18:00）"), std::string::npos)
      << r.out;
  EXPECT_NE(screen.find("已自动恢复原来的版本"), std::string::npos);
  EXPECT_NE(screen.find("设置 → 恢复默认设置"), std::string::npos);
  EXPECT_EQ(screen.find("slot b did not boot"), std::string::npos) << "the agent's English message";
  client.last_update.as_object()["code"] = 20;
  EXPECT_NE(last_screen(run(client, "2\n").out, "关于本机").find("设置 → 重启设备"),
            std::string::npos);
}

TEST(MenuTest, TimesAreInTheTerminalsTimeZone) {
  FakeLocalClient client;
  client.time_zone = "Asia/Shanghai";
  client.notifications = {bj::object{{"id", 2},
                                     {"kind", "update_available"},
                                     {"time", "2026-11-02T09:30:00Z"},
                                     {"text", {{"zh-CN", "新通知"}, {"en", "newer"}}}}};
  MenuRun r = run(client, "1\n1\n3\n");
  EXPECT_NE(last_screen(r.out, "更新通知").find("2026-11-02 17:30  新通知"), std::string::npos)
      << r.out;
}

TEST(MenuTest, ComponentsByNameAndSizeInMegabytes) {
  FakeLocalClient client;
  client.mode = "manual";
  client.update = bj::object{
      {"action_id", 3},
      {"version", "2.2.0"},
      {"waiting_for", "confirmation"},
      {"components",
       bj::array{
           bj::object{{"name", "os"}, {"version", "2.2.0"}, {"size", 3145728}, {"mandatory", true}},
           bj::object{{"name", "payment-app"}, {"version", "5.1"}, {"size", 1000}}}}};
  MenuRun r = run(client, "1\n1\n2\n1\n");
  std::string screen = last_screen(r.out, "选择更新内容");
  EXPECT_NE(screen.find("[x] 系统 2.2.0（3.0 MB）  必装"), std::string::npos) << r.out;
  EXPECT_NE(screen.find("[x] 支付应用 5.1（0.1 MB）"), std::string::npos) << r.out;
  EXPECT_EQ(screen.find("字节"), std::string::npos);
}

TEST(MenuTest, RestartIsConfirmedAndWaitsForTheDaemonToComeBack) {
  FakeLocalClient client;
  MenuRun r = run(client, "1\n3\n1\n");
  EXPECT_NE(r.out.find("正在进行的更新会在重启后继续"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("【已完成】设备已重启，软件版本 2.1.0。"), std::string::npos) << r.out;
  FakeLocalClient other;
  run(other, "1\n3\n0\n");
  for (const auto& cmd : other.commands()) EXPECT_NE(cmd, "restart");
}

TEST(MenuTest, ResetIsConfirmedAndShownAsANotification) {
  FakeLocalClient client;
  MenuRun r = run(client, "1\n4\n1\n", Language::kEn);
  EXPECT_NE(r.out.find("Transactions, your data and the language stay"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[Done] Settings reset"), std::string::npos) << r.out;
  FakeLocalClient other;
  run(other, "1\n4\n0\n");
  for (const auto& cmd : other.commands()) EXPECT_NE(cmd, "reset");
}

TEST(MenuTest, LockedTellsWhoHoldsItAndThatSupportPassesItOn) {
  FakeLocalClient client;
  client.locked = true;
  client.lock_reason = "peak season";
  MenuRun r = run(client, "1\n1\n1\n2\n0\n0\n0\n3\n");
  EXPECT_NE(r.out.find("只有管理员能更改锁定的设置"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("主菜单 → 3. 联系客服"), std::string::npos) << r.out;
  // …and the support screen says the same, not "support can change it".
  EXPECT_NE(last_screen(r.out, "联系客服").find("转交管理员"), std::string::npos) << r.out;
}

TEST(MenuTest, EveryTextHasChineseInChinese) {
  for (int i = 0; i < static_cast<int>(Msg::kCount); ++i) {
    const auto id = static_cast<Msg>(i);
    if (id == Msg::kLastUpdateLine) continue;  // only a placeholder
    const std::string zh = tr(id, Language::kZh), en = tr(id, Language::kEn);
    EXPECT_FALSE(en.empty()) << i;
    EXPECT_TRUE(std::any_of(zh.begin(), zh.end(),
                            [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
        << "message " << i << " has no Chinese: " << zh;
  }
}

TEST(MenuTest, LanguageTags) {
  EXPECT_EQ(parse_language("zh-CN"), Language::kZh);
  EXPECT_EQ(parse_language("zh_CN.UTF-8"), Language::kZh);
  EXPECT_EQ(parse_language("EN"), Language::kEn);
  EXPECT_EQ(parse_language("en-US"), Language::kEn);
  EXPECT_EQ(parse_language("fr"), std::nullopt);
  EXPECT_EQ(parse_language(""), std::nullopt);
}

}  // namespace
}  // namespace posfleet::agent::menu
