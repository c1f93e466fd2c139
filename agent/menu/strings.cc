#include "agent/menu/strings.h"

#include <array>
#include <cctype>
#include <utility>

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
    {Msg::kLockedRefused,
     "无法更改：已由管理员锁定：{}。\n只有管理员能更改锁定的设置。如确需更改，请联系客服"
     "（主菜单 → 3. 联系客服）：客服核实您的身份后，会把请求转交管理员处理。",
     "Cannot change this: locked by your administrator: {}.\nOnly an administrator can change a "
     "locked "
     "setting. If you need it changed, contact support (Main menu > 3. Contact support): once they "
     "have "
     "verified who you are, they pass your request to an administrator."},
    {Msg::kCurrentMode, "当前：{}", "Current: {}"},
    {Msg::kPendingChange, "待发送的更改：{}（已离线保存，联网后发送）",
     "Pending change: {} (saved offline; will be sent when back online)"},

    {Msg::kPrompt, "请输入编号后按回车：", "Enter a number and press Enter: "},
    {Msg::kInvalidChoice, "无效选择，请输入菜单编号。", "Invalid choice; enter a menu number."},
    // The technical cause is English: shown in the English text only.
    {Msg::kUnreachable,
     "无法连接更新服务，请确认 posfleet-agent run 正在运行；如仍不行，请重启设备。",
     "Cannot reach the update service; is `posfleet-agent run` running? ({})"},
    {Msg::kRequestFailed, "更新服务未能完成请求，请稍后重试。",
     "The update service could not complete the request: {}. Please try again later."},
    {Msg::kBadLanguage, "未知语言“{}”，请使用 zh-CN 或 en。",
     "Unknown language \"{}\"; use zh-CN or en."},

    {Msg::kNeverWarning,
     "注意：关闭软件更新可能影响终端功能和交易安全。\n"
     "如运营方要求，安全修复仍可能被安装。\n"
     "关闭后，本机将不再显示更新通知。\n"
     "以后如需重新开启，按同样的路径操作即可（设置 → 软件更新 → 自动更新）。",
     "Warning: turning software updates off can affect the terminal's functions and transaction "
     "security.\n"
     "Security fixes may still be installed if your operator requires it.\n"
     "After turning updates off, this terminal no longer shows update notifications.\n"
     "To turn them back on later, follow the same path (Settings > Software update > Automatic "
     "update)."},

    {Msg::kChecking, "正在检查更新，请稍候……", "Checking for updates, please wait..."},
    {Msg::kNoUpdate, "没有可用更新。", "No update available."},
    {Msg::kUpdateAvailable, "有可用更新：版本 {}", "Update available: version {}"},
    {Msg::kReleaseNotes, "更新内容：{}", "What's new: {}"},
    {Msg::kSecurityUpdate, "这是安全更新，保护交易和个人数据。",
     "This is a security update; it protects transaction and personal data."},
    {Msg::kDeadline, "须在 {} 前安装。", "Must be installed before {}."},
    {Msg::kWaitingConfirmation, "等待您确认安装。", "Waiting for you to confirm the installation."},
    {Msg::kWaitingWindow, "将在维护时段内自动安装。",
     "Will be installed automatically in the maintenance window."},
    {Msg::kWaitingPolicy, "当前更新设置不允许自动安装。",
     "The current update setting does not allow installing it automatically."},
    {Msg::kWaitingFrozen, "封网期（{}）：{} 之后再安装。",
     "Freeze period ({}): it installs after {}."},
    {Msg::kBeforeInstall,
     "安装前：请确保电量充足、存储空间足够，并断开 USB "
     "等外设。安装过程中请勿关机，按屏幕提示操作。",
     "Before installing: make sure the battery is charged and storage is sufficient, and "
     "disconnect USB and "
     "other peripherals. Do not switch the terminal off during the update; follow the on-screen "
     "progress."},
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
    {Msg::kOfflineState, "离线（更改将在联网后发送）",
     "offline (changes are sent when back online)"},
    {Msg::kAboutLastUpdate, "最近一次更新：版本 {}，{}（{}）", "Last update: version {}, {} ({})"},
    {Msg::kLastUpdateNone, "最近一次更新：无", "Last update: none"},
    {Msg::kResultSuccess, "成功", "succeeded"},
    {Msg::kResultFailure, "失败", "failed"},
    {Msg::kResultCanceled, "已取消", "canceled"},

    {Msg::kSupportIntro, "客服可以为您开启或关闭自动更新，并说明影响。",
     "Support can turn automatic updates on or off for you and explain what that means."},
    {Msg::kSupportWillSend, "将发送：序列号 {}，软件版本 {}，更新设置 {}",
     "Will be sent: serial {}, software version {}, update setting {}"},
    {Msg::kSupportAskMessage,
     "请输入留言（可留空，最多 {} 个字符，汉字、字母各算一个）后按回车发送；输入 0 取消：",
     "Type a message (optional, at most {} characters; a Chinese character counts as one) and "
     "press Enter to send; enter 0 to cancel: "},
    {Msg::kTicketCreated, "已创建客服工单，编号 {}。客服将与您联系。",
     "Support ticket {} created. Support will contact you."},
    {Msg::kTicketQueued, "当前离线：工单已保存，联网后自动发送。",
     "Offline: the ticket is saved and will be sent when the terminal is back online."},
    {Msg::kTicketTooLong,
     "留言有 {} 个字符，超过 {} 个的上限（或含无效字符），未发送。请缩短后重新输入。",
     "The message has {} characters, more than the limit of {} (or holds invalid characters); "
     "it was not sent. Shorten it and type it again."},

    {Msg::kLanguageSet, "语言已切换为中文。", "Language set to English."},
    {Msg::kTitleComponents, "选择更新内容", "Choose what to install"},
    {Msg::kComponentLine, "[{}] {} {}（{}）{}", "[{}] {} {} ({}){}"},
    {Msg::kComponentMandatory, "  必装", "  mandatory"},
    {Msg::kComponentNeededBy, "  被 {} 依赖", "  needed by {}"},
    {Msg::kItemConfirmInstall, "确认安装所选内容", "Install the chosen components"},
    {Msg::kComponentsHelp, "输入编号勾选或取消，选好后确认安装。",
     "Enter a number to tick or untick; then confirm."},
    {Msg::kCannotDeselectMandatory, "{} 为必装组件，不能取消。",
     "{} is mandatory and cannot be left out."},
    {Msg::kCannotDeselectNeeded, "{} 被 {} 依赖，不能取消。",
     "{} is needed by {} and cannot be left out."},
    {Msg::kUpdating, "正在更新：{}{}。请勿断电，可以照常收款。",
     "Updating: {}{}. Keep the power on; you can take payments as usual."},
    {Msg::kProgress, "，已下载 {} / {}（{}%），约剩 {} 秒",
     ", {} of {} downloaded ({}%), about {} s left"},
    {Msg::kUpdateWaits, "更新等待中：{}", "The update waits: {}"},

    {Msg::kStepCheck, "正在检查更新包", "checking the update"},
    {Msg::kStepDownload, "正在下载", "downloading"},
    {Msg::kStepVerify, "正在校验", "verifying"},
    {Msg::kStepPrecheck, "正在做安装前检查", "checking before installing"},
    {Msg::kStepBackup, "正在备份商户数据", "backing up your data"},
    {Msg::kStepInstall, "正在安装", "installing"},
    {Msg::kStepReboot, "正在重启进入新版本", "restarting into the new version"},
    {Msg::kStepHealthCheck, "正在检查新版本", "checking the new version"},
    {Msg::kStepCommit, "正在完成", "finishing"},
    {Msg::kStepRollback, "正在恢复原来的版本", "returning to the previous version"},
    {Msg::kStepReport, "正在向服务器报告结果", "reporting the result to the server"},
    {Msg::kStepOther, "处理中", "working"},

    {Msg::kComponentOs, "系统", "System"},
    {Msg::kComponentPaymentApp, "支付应用", "Payment app"},
    {Msg::kComponentFirmware, "固件", "Firmware"},

    {Msg::kNoticeDone, "【已完成】{}", "[Done] {}"},
    {Msg::kNoticeNotDone, "【未完成】{}", "[Not done] {}"},
    {Msg::kUpdatedTo, "已更新到版本 {}，运行正常。", "Updated to version {}; running normally."},
    {Msg::kAdviceRejected,
     "更新包未通过安全检查，已拒绝安装，本机未受影响，无需操作；运营方会处理。",
     "The update failed its security check and was refused; nothing changed on this terminal and "
     "you need "
     "not do anything. Your operator will deal with it."},
    {Msg::kAdviceNetwork,
     "下载多次未能完成（网络或服务器问题），已停止，原来的版本继续运行。请检查网络，然后选择 设置 "
     "→ 重启设备；如果更新仍未到来，请联系客服重新推送。",
     "The download failed several times (network or server problem) and was stopped; the previous "
     "version "
     "keeps running. Check the network, then choose Settings > Restart the terminal; if the update "
     "still "
     "does not come, ask support to send it again."},
    {Msg::kAdviceRolledBack,
     "新版本未能正常运行，已自动恢复原来的版本，交易记录完好。如仍有异常，请选择 设置 → "
     "恢复默认设置；仍不行请联系客服。",
     "The new version did not run properly, so the terminal went back to the previous version; "
     "every "
     "transaction is kept. If anything still seems wrong, choose Settings > Reset settings; if "
     "that does not "
     "help, contact support."},
    {Msg::kAdviceCanceled, "运营方取消了这次更新，本机未受影响。",
     "Your operator canceled this update; nothing changed."},
    {Msg::kAdviceOther,
     "更新未能完成，原来的版本继续运行，可以照常收款。请选择 设置 → "
     "重启设备；如仍失败，请联系客服。",
     "The update did not complete; the previous version keeps running and you can take payments. "
     "Choose "
     "Settings > Restart the terminal; if it fails again, contact support."},
    {Msg::kLastUpdateLine, "  {}", "  {}"},

    {Msg::kItemRestart, "重启设备", "Restart the terminal"},
    {Msg::kItemReset, "恢复默认设置", "Reset settings"},
    {Msg::kTitleRestart, "重启设备", "Restart the terminal"},
    {Msg::kTitleReset, "恢复默认设置", "Reset settings"},
    {Msg::kRestartExplain,
     "重启约需一分钟。正在进行的更新会在重启后继续，或自动恢复原来的版本；交易记录不会丢失。",
     "Restarting takes about a minute. An update in progress continues after the restart or "
     "returns to the "
     "previous version; no transaction is lost."},
    {Msg::kResetExplain,
     "本机的自动更新设置将恢复为运营方为本机设定的默认值。交易记录、商户数据和语言设置都会保留。"
     "已由管理员锁定的设置保持不变。",
     "This terminal's update setting goes back to the default your operator gives it. "
     "Transactions, your "
     "data and the language stay as they are. A setting locked by your administrator stays."},
    {Msg::kItemConfirmRestart, "确认重启", "Restart now"},
    {Msg::kItemConfirmReset, "确认恢复", "Reset now"},
    {Msg::kRestarting, "正在重启，请稍候……", "Restarting, please wait..."},
    {Msg::kRestarted, "设备已重启，软件版本 {}。",
     "The terminal has restarted; software version {}."},
    {Msg::kRestartTimeout, "重启后更新服务没有回应。请关机再开机；如仍不行，请联系客服。",
     "The update service did not come back after the restart. Switch the terminal off and on "
     "again; if that "
     "does not help, contact support."},

    {Msg::kSupportLocked,
     "您的自动更新设置已由管理员锁定（{}）：客服不能直接更改，但会核实您的身份后把请求转交管理员。",
     "Your update setting is locked by your administrator ({}): support cannot change it directly, "
     "but once "
     "they have verified who you are they pass your request to an administrator."},

    {Msg::kAdviceFileMissing, "服务器上没有这个更新文件，已停止下载。终端照常使用；请联系客服。",
     "The update's file is missing on the server, so the download was stopped. "
     "The terminal works as before; contact support."},
    {Msg::kAdviceDownloadFailed,
     "多次下载失败，已停止。终端照常使用；请检查网络，或联系客服重新推送。",
     "The download failed several times and was stopped. The terminal works as before; "
     "check the network, or ask support to send the update again."},
    {Msg::kAdviceTooSlow, "下载速度过慢，已停止。终端照常使用；请检查网络，或联系客服重新推送。",
     "The download was too slow and was stopped. The terminal works as before; "
     "check the network, or ask support to send the update again."},
    {Msg::kAdviceRefused, "更新包不合规，已拒绝安装。终端照常使用；请联系客服。",
     "The update package was not valid and was refused. "
     "The terminal works as before; contact support."},
    {Msg::kItemParameters, "参数查看", "View parameters"},
    {Msg::kTitleParameters, "参数查看", "Parameters"},
    {Msg::kParametersNone, "本机尚未收到参数。", "This terminal has not received parameters yet."},
    {Msg::kParametersApp, "应用 {}：版本 {}，{} 生效", "App {}: version {}, applied {}"},
    {Msg::kParameterLine, "  {}：{}", "  {}: {}"},
    {Msg::kParameterUnset, "未设置", "not set"},
    {Msg::kParameterLocked, "（已锁定）", " (locked)"},
    {Msg::kTerminalLocked, "终端已锁定：暂停收款。", "This terminal is locked: no sales for now."},
    {Msg::kLockedCallNumber, "请致电客服 {} 核实身份后取得解锁码。",
     "Call support on {}; after checking who you are they give you the unlock code."},
    {Msg::kLockedCallSupport, "请联系客服核实身份后取得解锁码。",
     "Contact support; after checking who you are they give you the unlock code."},
    {Msg::kItemUnlock, "输入解锁码", "Enter the unlock code"},
    {Msg::kTitleUnlock, "输入解锁码", "Unlock code"},
    {Msg::kUnlockAsk, "请输入客服提供的解锁码（如 ABCD-EFGH-JKMN），输入 0 返回：",
     "Type the unlock code support gave you (e.g. ABCD-EFGH-JKMN), or 0 to go back:"},
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

std::string mode_name(std::string_view mode, Language lang) {
  if (mode == "auto") return tr(Msg::kModeAuto, lang);
  if (mode == "manual") return tr(Msg::kModeManual, lang);
  if (mode == "never") return tr(Msg::kModeNever, lang);
  return tr(Msg::kModeUnknown, lang);
}

std::string step_name(std::string_view state, Language lang) {
  static constexpr std::pair<std::string_view, Msg> kSteps[] = {
      {"check_manifest", Msg::kStepCheck}, {"download", Msg::kStepDownload},
      {"verify", Msg::kStepVerify},        {"precheck", Msg::kStepPrecheck},
      {"backup", Msg::kStepBackup},        {"install", Msg::kStepInstall},
      {"reboot", Msg::kStepReboot},        {"health_check", Msg::kStepHealthCheck},
      {"commit", Msg::kStepCommit},        {"rollback", Msg::kStepRollback}};
  for (const auto& [name, id] : kSteps)
    if (state == name) return tr(id, lang);
  if (state.starts_with("report_")) return tr(Msg::kStepReport, lang);
  return tr(Msg::kStepOther, lang);
}

std::string component_name(std::string_view id, Language lang) {
  if (id == "os") return tr(Msg::kComponentOs, lang);
  if (id == "payment-app") return tr(Msg::kComponentPaymentApp, lang);
  if (id == "firmware") return tr(Msg::kComponentFirmware, lang);
  return std::string(id);
}

std::string megabytes(std::uint64_t bytes) {
  std::uint64_t tenths =
      (bytes * 10 + 1048575) / 1048576;  // rounded up: a small file is not "0.0 MB"
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MB";
}

std::string failure_advice(int code, Language lang) {
  switch (static_cast<Code>(code)) {
    case Code::kNotFound:
      return tr(Msg::kAdviceFileMissing, lang);  // the file is not on the server
    case Code::kUnavailable:
      return tr(Msg::kAdviceDownloadFailed, lang);
    case Code::kTooSlow:
      return tr(Msg::kAdviceTooSlow, lang);
    case Code::kParse:
    case Code::kVersionReused:
      return tr(Msg::kAdviceRefused, lang);
    default:
      break;
  }
  if (code >= 10 && code <= 17) return tr(Msg::kAdviceRejected, lang);  // signature, hash, model …
  if (code == 20 || code == 21) return tr(Msg::kAdviceNetwork, lang);   // network, server
  if (code >= 30 && code <= 32)
    return tr(Msg::kAdviceRolledBack, lang);  // install, health check, boot
  if (code == 33) return tr(Msg::kAdviceCanceled, lang);
  return tr(Msg::kAdviceOther, lang);
}

}  // namespace posfleet::agent::menu
