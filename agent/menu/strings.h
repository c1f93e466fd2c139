// posfleet agent menu: every text the terminal menu shows, in Chinese (zh-CN,
// the default) and English, kept in one table so a translation is reviewed in
// one place and no screen carries its own literals.
//
// Patterns may hold "{}" placeholders, filled in order by tr(). Daemon-provided
// texts (message_zh / message_en, release notes) are not in this table; the
// menu picks the right one with pick_language().
// Thread-safety: the table is immutable; all functions are pure.
#pragma once

#include <boost/json/object.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace posfleet::agent::menu {

enum class Language { kZh, kEn };

// Accepts "zh-CN", "zh", "zh_CN", "en", "en-US" … (case-insensitive); nullopt otherwise.
std::optional<Language> parse_language(std::string_view tag);
// The tag the daemon stores: "zh-CN" or "en".
const char* language_tag(Language lang);

enum class Msg {
  // Screen titles.
  kTitleMain, kTitleSettings, kTitleSoftwareUpdate, kTitleAutoUpdate, kTitleConfirmNever,
  kTitleCheck, kTitleInstall, kTitleNotifications, kTitleAbout, kTitleSupport, kTitleLanguage,
  // Menu items.
  kItemSettings, kItemAbout, kItemSupport, kItemExit, kItemBack, kItemSoftwareUpdate, kItemLanguage,
  kItemAutoUpdate, kItemCheck, kItemNotifications, kItemConfirm, kItemCancel, kItemInstall,
  kItemChinese, kItemEnglish,
  // Policy modes and decorations.
  kModeAuto, kModeManual, kModeNever, kModeUnknown, kLockedMark, kLockedBy, kLockedRefused,
  kCurrentMode, kPendingChange,
  // Input and connection.
  kPrompt, kInvalidChoice, kUnreachable, kRequestFailed, kBadLanguage,
  // Turning updates off (seed §1.4).
  kNeverWarning,
  // Check and install.
  kChecking, kNoUpdate, kUpdateAvailable, kReleaseNotes, kSecurityUpdate, kDeadline,
  kWaitingConfirmation, kWaitingWindow, kWaitingPolicy, kBeforeInstall, kInstalling, kOffline,
  // Notifications.
  kNoNotifications,
  // About.
  kAboutVersion, kAboutSlot, kAboutSerial, kAboutModel, kAboutPolicy, kAboutNetwork, kOnline, kOfflineState,
  kAboutLastUpdate, kLastUpdateNone, kResultSuccess, kResultFailure, kResultCanceled,
  // Support.
  kSupportIntro, kSupportWillSend, kSupportAskMessage, kTicketCreated, kTicketQueued,
  // Language.
  kLanguageSet,
  // Choosing components (manual mode).
  kTitleComponents, kComponentLine, kComponentMandatory, kComponentNeededBy, kItemConfirmInstall,
  kComponentsHelp, kCannotDeselectMandatory, kCannotDeselectNeeded,
  // A running update.
  kUpdating, kProgress, kUpdateWaits,
  // What to do after an update failed, by its reason (failure_advice()).
  kAdviceFileMissing, kAdviceDownloadFailed, kAdviceTooSlow, kAdviceRefused,
  kCount  // keep last
};

// The text of `id` in `lang` with each "{}" replaced by the next of `args`.
std::string tr(Msg id, Language lang, std::initializer_list<std::string_view> args = {});

// From a daemon reply: "<prefix>_zh"/"<prefix>_en" (e.g. message_zh), falling
// back to the other language; "" when neither is there.
std::string pick_message(const boost::json::object& reply, Language lang, std::string_view prefix = "message");
// From a {"zh-CN": …, "en": …} object (release notes, notification text),
// falling back to the other language; "" when neither is there.
std::string pick_language(const boost::json::object& texts, Language lang);

// Advice for a failed update's stable error code (core/result.h), or nullopt.
std::optional<Msg> failure_advice(int code);

// The user-facing name of a policy mode ("auto" → 开启 / On).
std::string mode_name(std::string_view mode, Language lang);

}  // namespace posfleet::agent::menu
