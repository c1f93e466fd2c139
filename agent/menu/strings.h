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

#include <cstdint>
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
  kTitleMain,
  kTitleSettings,
  kTitleSoftwareUpdate,
  kTitleAutoUpdate,
  kTitleConfirmNever,
  kTitleCheck,
  kTitleInstall,
  kTitleNotifications,
  kTitleAbout,
  kTitleSupport,
  kTitleLanguage,
  // Menu items.
  kItemSettings,
  kItemAbout,
  kItemSupport,
  kItemExit,
  kItemBack,
  kItemSoftwareUpdate,
  kItemLanguage,
  kItemAutoUpdate,
  kItemCheck,
  kItemNotifications,
  kItemConfirm,
  kItemCancel,
  kItemInstall,
  kItemChinese,
  kItemEnglish,
  // Policy modes and decorations.
  kModeAuto,
  kModeManual,
  kModeNever,
  kModeUnknown,
  kLockedMark,
  kLockedBy,
  kLockedRefused,
  kCurrentMode,
  kPendingChange,
  // Input and connection.
  kPrompt,
  kInvalidChoice,
  kUnreachable,
  kRequestFailed,
  kBadLanguage,
  // Turning updates off (seed §1.4).
  kNeverWarning,
  // Check and install.
  kChecking,
  kNoUpdate,
  kUpdateAvailable,
  kReleaseNotes,
  kSecurityUpdate,
  kDeadline,
  kWaitingConfirmation,
  kWaitingWindow,
  kWaitingPolicy,
  kWaitingFrozen,
  kBeforeInstall,
  kInstalling,
  kOffline,
  // Notifications.
  kNoNotifications,
  // About.
  kAboutVersion,
  kAboutSlot,
  kAboutSerial,
  kAboutModel,
  kAboutPolicy,
  kAboutNetwork,
  kOnline,
  kOfflineState,
  kAboutLastUpdate,
  kLastUpdateNone,
  kResultSuccess,
  kResultFailure,
  kResultCanceled,
  // Support.
  kSupportIntro,
  kSupportWillSend,
  kSupportAskMessage,
  kTicketCreated,
  kTicketQueued,
  kTicketTooLong,
  // Language.
  kLanguageSet,
  // Choosing components (manual mode).
  kTitleComponents,
  kComponentLine,
  kComponentMandatory,
  kComponentNeededBy,
  kItemConfirmInstall,
  kComponentsHelp,
  kCannotDeselectMandatory,
  kCannotDeselectNeeded,
  // A running update.
  kUpdating,
  kProgress,
  kUpdateWaits,
  // Steps of an update, as the merchant reads them (status "update_state").
  kStepCheck,
  kStepDownload,
  kStepVerify,
  kStepPrecheck,
  kStepBackup,
  kStepInstall,
  kStepReboot,
  kStepHealthCheck,
  kStepCommit,
  kStepRollback,
  kStepReport,
  kStepOther,
  // Components by their ids; others are shown by id.
  kComponentOs,
  kComponentPaymentApp,
  kComponentFirmware,
  // Results and what to do after a failure (by error code).
  kNoticeDone,
  kNoticeNotDone,
  kUpdatedTo,
  kAdviceRejected,
  kAdviceNetwork,
  kAdviceRolledBack,
  kAdviceCanceled,
  kAdviceOther,
  kLastUpdateLine,
  // Restart and reset (settings).
  kItemRestart,
  kItemReset,
  kTitleRestart,
  kTitleReset,
  kRestartExplain,
  kResetExplain,
  kItemConfirmRestart,
  kItemConfirmReset,
  kRestarting,
  kRestarted,
  kRestartTimeout,
  // Support on a locked terminal.
  kSupportLocked,
  // What to do after a download that could not finish or a refused package (failure_advice()).
  kAdviceFileMissing,
  kAdviceDownloadFailed,
  kAdviceTooSlow,
  kAdviceRefused,
  // Parameters (参数查看, read-only).
  kItemParameters,
  kTitleParameters,
  kParametersNone,
  kParametersApp,
  kParameterLine,
  kParameterUnset,
  kParameterLocked,
  // A locked terminal (lost or stolen).
  kTerminalLocked,
  kLockedCallNumber,
  kLockedCallSupport,
  kItemUnlock,
  kTitleUnlock,
  kUnlockAsk,
  kCount  // keep last
};

// The text of `id` in `lang` with each "{}" replaced by the next of `args`.
std::string tr(Msg id, Language lang, std::initializer_list<std::string_view> args = {});

// From a daemon reply: "<prefix>_zh"/"<prefix>_en" (e.g. message_zh), falling
// back to the other language; "" when neither is there.
std::string pick_message(const boost::json::object& reply, Language lang,
                         std::string_view prefix = "message");
// From a {"zh-CN": …, "en": …} object (release notes, notification text),
// falling back to the other language; "" when neither is there.
std::string pick_language(const boost::json::object& texts, Language lang);

// The user-facing name of a policy mode ("auto" → 开启 / On).
std::string mode_name(std::string_view mode, Language lang);
// The user-facing name of an update step ("download" → 正在下载 / Downloading).
std::string step_name(std::string_view state, Language lang);
// The user-facing name of a component ("payment-app" → 支付应用); others as they are.
std::string component_name(std::string_view id, Language lang);
// Bytes as megabytes with one decimal ("12.3 MB"); at least 0.1 MB for a non-empty size.
std::string megabytes(std::uint64_t bytes);
// What the merchant should do after an update ended with posfleet error `code`
// (core/result.h): nothing, check the network and restart, reset, or call.
std::string failure_advice(int code, Language lang);

}  // namespace posfleet::agent::menu
