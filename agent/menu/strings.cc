#include "agent/menu/strings.h"

#include <array>
#include <cctype>

#include "core/result.h"

namespace posfleet::agent::menu {

namespace {

struct Entry {
  Msg id;
  const char* zh;
  const char* en;
};

// One row per Msg, in enum order (checked at compile time below), so a missing
// translation is a build error rather than a blank line on a merchant's screen.
constexpr Entry kTable[] = {
    {Msg::kTitleMain, "主菜单", "Main menu"},
    {Msg::kTitleSettings, "设置", "Settings"},
    {Msg::kTitleSoftwareUpdate, "软件更新", "Software update"},
    {Msg::kTitleAutoUpdate, "自动更新", "Automatic update"},
    {Msg::kTitleConfirmNever, "确认关闭更新", "Confirm: turn updates off"},
    {Msg::kTitleCheck, "检查更新", "Check for updates"},
    {Msg::kTitleInstall, "安装更新", "Install update"},
    {Msg::kTitleNotifications, "更新通知", "Update notifications"},
    {Msg::kTitleAbout, "关于本机", "About this terminal"},
    {Msg::kTitleSupport, "联系客服", "Contact support"},
    {Msg::kTitleLanguage, "语言 / Language", "Language / 语言"},

    {Msg::kItemSettings, "设置", "Settings"},
    {Msg::kItemAbout, "关于本机", "About this terminal"},
    {Msg::kItemSupport, "联系客服", "Contact support"},
    {Msg::kItemExit, "退出", "Exit"},
    {Msg::kItemBack, "返回", "Back"},
    {Msg::kItemSoftwareUpdate, "软件更新", "Software update"},
    // Both languages, so someone who cannot read the current one still finds it.
    {Msg::kItemLanguage, "语言 / Language", "Language / 语言"},
    {Msg::kItemAutoUpdate, "自动更新（当前：{}）", "Automatic update (current: {})"},
    {Msg::kItemCheck, "检查更新", "Check for updates"},
    {Msg::kItemNotifications, "更新通知", "Update notifications"},
    {Msg::kItemConfirm, "确认", "Confirm"},
    {Msg::kItemCancel, "取消", "Cancel"},
    {Msg::kItemInstall, "安装", "Install"},
    {Msg::kItemChinese, "中文", "中文 (Chinese)"},
    {Msg::kItemEnglish, "English (英文)", "English"},

    {Msg::kModeAuto, "开启", "On"},
    {Msg::kModeManual, "手动", "Manual"},
    {Msg::kModeNever, "永不", "Never"},
    {Msg::kModeUnknown, "未知", "Unknown"},
    {Msg::kLockedMark, "（已锁定）", " (locked)"},
    {Msg::kLockedBy, "已由管理员锁定：{}", "Locked by your administrator: {}"},
    {Msg::kLockedRefused, "无法更改：已由管理员锁定：{}。如需更改，请联系客服。",
     "Cannot change this: locked by your administrator: {}. To change it, contact support."},
    {Msg::kCurrentMode, "当前：{}", "Current: {}"},
    {Msg::kPendingChange, "待发送的更改：{}（已离线保存，联网后发送）",
     "Pending change: {} (saved offline; will be sent when back online)"},

    {Msg::kPrompt, "请输入编号后按回车：", "Enter a number and press Enter: "},
    {Msg::kInvalidChoice, "无效选择，请输入菜单编号。", "Invalid choice; enter a menu number."},
    {Msg::kUnreachable, "无法连接更新服务，请确认 posfleet-agent run 正在运行。（{}）",
     "Cannot reach the update service; is `posfleet-agent run` running? ({})"},
    {Msg::kRequestFailed, "更新服务未能完成请求：{}。请稍后重试。",
     "The update service could not complete the request: {}. Please try again later."},
    {Msg::kBadLanguage, "未知语言“{}”，请使用 zh-CN 或 en。", "Unknown language \"{}\"; use zh-CN or en."},

    {Msg::kNeverWarning,
     "注意：关闭软件更新可能影响终端功能和交易安全。\n"
     "如运营方要求，安全修复仍可能被安装。\n"
     "关闭后，本机将不再显示更新通知。\n"
     "以后如需重新开启，按同样的路径操作即可（设置 → 软件更新 → 自动更新）。",
     "Warning: turning software updates off can affect the terminal's functions and transaction security.\n"
     "Security fixes may still be installed if your operator requires it.\n"
     "After turning updates off, this terminal no longer shows update notifications.\n"
     "To turn them back on later, follow the same path (Settings > Software update > Automatic update)."},

    {Msg::kChecking, "正在检查更新，请稍候……", "Checking for updates, please wait..."},
    {Msg::kNoUpdate, "没有可用更新。", "No update available."},
    {Msg::kUpdateAvailable, "有可用更新：版本 {}", "Update available: version {}"},
    {Msg::kReleaseNotes, "更新内容：{}", "What's new: {}"},
    {Msg::kSecurityUpdate, "这是安全更新，保护交易和个人数据。", "This is a security update; it protects transaction and personal data."},
    {Msg::kDeadline, "须在 {} 前安装。", "Must be installed before {}."},
    {Msg::kWaitingConfirmation, "等待您确认安装。", "Waiting for you to confirm the installation."},
    {Msg::kWaitingWindow, "将在维护时段内自动安装。", "Will be installed automatically in the maintenance window."},
    {Msg::kWaitingPolicy, "当前更新设置不允许自动安装。", "The current update setting does not allow installing it automatically."},
    {Msg::kBeforeInstall,
     "安装前：请确保电量充足、存储空间足够，并断开 USB 等外设。安装过程中请勿关机，按屏幕提示操作。",
     "Before installing: make sure the battery is charged and storage is sufficient, and disconnect USB and "
     "other peripherals. Do not switch the terminal off during the update; follow the on-screen progress."},
    {Msg::kInstalling, "已请求安装。", "Installation requested."},
    {Msg::kOffline, "当前离线。", "Currently offline."},

    {Msg::kNoNotifications, "暂无通知。", "No notifications."},

    {Msg::kAboutVersion, "软件版本：{}", "Software version: {}"},
    {Msg::kAboutSlot, "当前分区：{}", "Active slot: {}"},
    {Msg::kAboutSerial, "序列号：{}", "Serial number: {}"},
    {Msg::kAboutModel, "型号：{}", "Model: {}"},
    {Msg::kAboutPolicy, "自动更新：{}", "Automatic update: {}"},
    {Msg::kAboutNetwork, "网络：{}", "Network: {}"},
    {Msg::kOnline, "在线", "online"},
    {Msg::kOfflineState, "离线（更改将在联网后发送）", "offline (changes are sent when back online)"},
    {Msg::kAboutLastUpdate, "最近一次更新：{} {}（{}）{}", "Last update: {} {} ({}) {}"},
    {Msg::kLastUpdateNone, "最近一次更新：无", "Last update: none"},
    {Msg::kResultSuccess, "成功", "succeeded"},
    {Msg::kResultFailure, "失败", "failed"},
    {Msg::kResultCanceled, "已取消", "canceled"},

    {Msg::kSupportIntro, "客服可以为您开启或关闭自动更新，并说明影响。",
     "Support can turn automatic updates on or off for you and explain what that means."},
    {Msg::kSupportWillSend, "将发送：序列号 {}，软件版本 {}，更新设置 {}",
     "Will be sent: serial {}, software version {}, update setting {}"},
    {Msg::kSupportAskMessage, "请输入留言（可留空）后按回车发送；输入 0 取消：",
     "Type a message (optional) and press Enter to send; enter 0 to cancel: "},
    {Msg::kTicketCreated, "已创建客服工单，编号 {}。客服将与您联系。",
     "Support ticket {} created. Support will contact you."},
    {Msg::kTicketQueued, "当前离线：工单已保存，联网后自动发送。",
     "Offline: the ticket is saved and will be sent when the terminal is back online."},

    {Msg::kLanguageSet, "语言已切换为中文。", "Language set to English."},
    {Msg::kTitleComponents, "选择更新内容", "Choose what to install"},
    {Msg::kComponentLine, "[{}] {} {}（{} 字节）{}", "[{}] {} {} ({} bytes){}"},
    {Msg::kComponentMandatory, "  必装", "  mandatory"},
    {Msg::kComponentNeededBy, "  被 {} 依赖", "  needed by {}"},
    {Msg::kItemConfirmInstall, "确认安装所选内容", "Install the chosen components"},
    {Msg::kComponentsHelp, "输入编号勾选或取消，选好后确认安装。", "Enter a number to tick or untick; then confirm."},
    {Msg::kCannotDeselectMandatory, "{} 为必装组件，不能取消。", "{} is mandatory and cannot be left out."},
    {Msg::kCannotDeselectNeeded, "{} 被 {} 依赖，不能取消。", "{} is needed by {} and cannot be left out."},
    {Msg::kUpdating, "正在更新（{}）{}，请勿断电。", "Updating ({}){}; keep the power on."},
    {Msg::kProgress, "：已下载 {}%，{} KB/秒，约剩 {} 秒", ": {}% downloaded, {} KB/s, about {} s left"},
    {Msg::kUpdateWaits, "更新等待中：{}", "The update waits: {}"},
    {Msg::kAdviceFileMissing, "服务器上没有这个更新文件，已停止下载。终端照常使用；请联系客服。",
     "The update's file is missing on the server, so the download was stopped. "
     "The terminal works as before; contact support."},
    {Msg::kAdviceDownloadFailed, "多次下载失败，已停止。终端照常使用；请检查网络，或联系客服重新推送。",
     "The download failed several times and was stopped. The terminal works as before; "
     "check the network, or ask support to send the update again."},
    {Msg::kAdviceTooSlow, "下载速度过慢，已停止。终端照常使用；请检查网络，或联系客服重新推送。",
     "The download was too slow and was stopped. The terminal works as before; "
     "check the network, or ask support to send the update again."},
    {Msg::kAdviceRefused, "更新包不合规，已拒绝安装。终端照常使用；请联系客服。",
     "The update package was not valid and was refused. "
     "The terminal works as before; contact support."},
};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < std::size(kTable); ++i)
    if (static_cast<std::size_t>(kTable[i].id) != i) return false;
  return std::size(kTable) == static_cast<std::size_t>(Msg::kCount);
}
static_assert(table_in_enum_order(), "kTable must list every Msg once, in enum order");

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

}  // namespace

std::optional<Language> parse_language(std::string_view tag) {
  // Only the primary subtag matters: zh-CN, zh_CN.UTF-8 and zh all mean Chinese.
  auto primary = tag.substr(0, tag.find_first_of("-_."));
  if (primary.size() == 2 && iequals_prefix(primary, "zh")) return Language::kZh;
  if (primary.size() == 2 && iequals_prefix(primary, "en")) return Language::kEn;
  return std::nullopt;
}

const char* language_tag(Language lang) { return lang == Language::kZh ? "zh-CN" : "en"; }

std::string tr(Msg id, Language lang, std::initializer_list<std::string_view> args) {
  const Entry& e = kTable[static_cast<std::size_t>(id)];
  std::string_view pattern = lang == Language::kZh ? e.zh : e.en;
  std::string out;
  auto next = args.begin();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '}') {
      if (next != args.end()) out += *next++;
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string pick_message(const boost::json::object& reply, Language lang, std::string_view prefix) {
  std::string want = std::string(prefix) + (lang == Language::kZh ? "_zh" : "_en");
  std::string other = std::string(prefix) + (lang == Language::kZh ? "_en" : "_zh");
  for (const auto& key : {want, other})
    if (auto* v = reply.if_contains(key); v && v->is_string() && !v->get_string().empty())
      return std::string(v->get_string());
  return "";
}

std::string pick_language(const boost::json::object& texts, Language lang) {
  const char* want = language_tag(lang);
  const char* other = language_tag(lang == Language::kZh ? Language::kEn : Language::kZh);
  for (const char* key : {want, other})
    if (auto* v = texts.if_contains(key); v && v->is_string() && !v->get_string().empty())
      return std::string(v->get_string());
  return "";
}

std::optional<Msg> failure_advice(int code) {
  switch (static_cast<Code>(code)) {
    case Code::kNotFound: return Msg::kAdviceFileMissing;
    case Code::kUnavailable: case Code::kNetwork: case Code::kServer:
      return Msg::kAdviceDownloadFailed;
    case Code::kTooSlow: return Msg::kAdviceTooSlow;
    case Code::kParse: case Code::kDowngrade: case Code::kVersionReused: return Msg::kAdviceRefused;
    default: return std::nullopt;
  }
}

std::string mode_name(std::string_view mode, Language lang) {
  if (mode == "auto") return tr(Msg::kModeAuto, lang);
  if (mode == "manual") return tr(Msg::kModeManual, lang);
  if (mode == "never") return tr(Msg::kModeNever, lang);
  return tr(Msg::kModeUnknown, lang);
}

}  // namespace posfleet::agent::menu
