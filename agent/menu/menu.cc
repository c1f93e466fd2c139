#include "agent/menu/menu.h"

#include <boost/json.hpp>

#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "agent/config.h"
#include "agent/menu/session.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/policy.h"
#include "core/text.h"

namespace posfleet::agent::menu {

namespace bj = boost::json;

const bj::object* object_field(const bj::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

std::string display_time(std::string_view iso, const std::string& tz) {
  // Only the exact shape the daemon writes is converted; anything else is shown as is.
  if (iso.size() < 17 || iso[10] != 'T' || iso.back() != 'Z') return std::string(iso);
  if (!tz.empty())
    if (auto when = parse_utc(iso); when)
      if (auto lt = posfleet::local_time(tz, *when); lt) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", lt->year, lt->month, lt->day,
                      lt->minute / 60, lt->minute % 60);
        return buf;
      }
  return std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 5)) + " UTC";
}

std::string Session::local_time(std::string_view iso) const {
  return display_time(iso, time_zone_);
}

// --- plumbing ---------------------------------------------------------------

std::optional<bj::object> Session::call(bj::object request, int timeout_seconds) {
  auto reply = client_.call(request, timeout_seconds);
  if (reply) return std::move(*reply);
  if (reply.error().code == Code::kUnavailable) {
    failed_ = true;
    out_ << "\n" << t(Msg::kUnreachable, {reply.error().message}) << "\n";
  } else {
    out_ << "\n" << t(Msg::kRequestFailed, {reply.error().message}) << "\n";
  }
  return std::nullopt;
}

void Session::show_reply(const bj::object& reply) {
  std::string text = pick_message(reply, lang_);
  bool ok = reply.contains("ok") && reply.at("ok") == true;
  if (text.empty() && !ok) text = t(Msg::kRequestFailed, {json::string_or(reply, "error", "?")});
  if (!text.empty()) out_ << "\n" << t(ok ? Msg::kNoticeDone : Msg::kNoticeNotDone, {text}) << "\n";
}

std::optional<std::string> Session::read_line() {
  std::string line;
  if (!std::getline(in_, line)) return std::nullopt;
  auto begin = line.find_first_not_of(" \t\r");
  auto end = line.find_last_not_of(" \t\r");
  return begin == std::string::npos ? std::string() : line.substr(begin, end - begin + 1);
}

void Session::print_title(Msg title) { out_ << "\n== " << t(title) << " ==\n"; }

void Session::draw(Msg title, const std::vector<std::string>& lines, const std::vector<Item>& items,
                   Msg zero) {
  print_title(title);
  for (const auto& l : lines) out_ << l << "\n";
  for (const auto& item : items) out_ << item.number << ". " << item.label << "\n";
  out_ << "0. " << t(zero) << "\n" << t(Msg::kPrompt) << std::flush;
}

bool Session::wait_for_input(const std::function<void()>& refresh) {
  // Only a person at a terminal reads line by line; piped input is read at once.
  if (&in_ != &std::cin || !::isatty(STDIN_FILENO)) return true;
  for (;;) {
    // A line stdio has already read counts as ready (glibc's read buffer).
    if (stdin->_IO_read_ptr < stdin->_IO_read_end) return true;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int n = ::poll(&p, 1, 2000);
    if (n != 0) return true;  // input, end of input or an error: let getline see it
    refresh();
  }
}

std::optional<int> Session::choose(Msg title, std::vector<std::string> lines,
                                   const std::vector<Item>& items, Msg zero,
                                   const Refresh& refresh) {
  for (;;) {
    draw(title, lines, items, zero);
    if (refresh)
      wait_for_input([&] {
        auto fresh = refresh();
        if (!fresh || *fresh == lines) return;
        lines = std::move(*fresh);
        out_ << "\n";
        draw(title, lines, items, zero);
      });
    auto line = read_line();
    if (!line) {
      out_ << "\n";  // leave the shell prompt on a line of its own
      return std::nullopt;
    }
    // Digits only: "1a" or "+1" is a typo, not item 1.
    if (!line->empty() && line->size() <= 3 &&
        line->find_first_not_of("0123456789") == std::string::npos) {
      int n = std::stoi(*line);
      if (n == 0) return 0;
      for (const auto& item : items)
        if (item.number == n) return n;
    }
    out_ << "\n" << t(Msg::kInvalidChoice) << "\n";
  }
}

// --- screens ----------------------------------------------------------------

Nav Session::main_menu() {
  for (;;) {
    // A locked terminal (lost or stolen) says so first, with the number to call, and offers the
    // unlock code support gives after checking who is calling.
    std::vector<std::string> lines;
    std::vector<Item> items{{1, t(Msg::kItemSettings)},
                            {2, t(Msg::kItemAbout)},
                            {3, t(Msg::kItemSupport)},
                            {4, t(Msg::kItemParameters)}};
    auto st = status();
    if (!st && failed()) return Nav::kFail;
    const bj::object* lock = st ? object_field(*st, "lock") : nullptr;
    const bool locked = lock && lock->contains("locked") && lock->at("locked") == true;
    if (locked) {
      lines.push_back(t(Msg::kTerminalLocked));
      const std::string phone = json::string_or(*lock, "support_phone", "");
      lines.push_back(phone.empty() ? t(Msg::kLockedCallSupport)
                                    : t(Msg::kLockedCallNumber, {phone}));
      items.push_back({5, t(Msg::kItemUnlock)});
    }
    auto c = choose(Msg::kTitleMain, lines, items, Msg::kItemExit);
    if (!c || *c == 0) return Nav::kExit;
    Nav n = *c == 1   ? settings()
            : *c == 2 ? about()
            : *c == 3 ? support()
            : *c == 4 ? parameters()
                      : unlock();
    if (n != Nav::kBack) return n;
  }
}

// 输入解锁码: the code support read out; the daemon checks it, offline too.
Nav Session::unlock() {
  print_title(Msg::kTitleUnlock);
  out_ << t(Msg::kUnlockAsk) << std::flush;
  auto code = read_line();
  if (!code) return Nav::kExit;
  if (code->empty() || *code == "0") return Nav::kBack;
  auto reply = call({{"cmd", "unlock"}, {"code", *code}});
  if (!reply) return on_call_failure();
  show_reply(*reply);
  return Nav::kBack;
}

Nav Session::settings() {
  for (;;) {
    auto c = choose(Msg::kTitleSettings, {},
                    {{1, t(Msg::kItemSoftwareUpdate)},
                     {2, t(Msg::kItemLanguage)},
                     {3, t(Msg::kItemRestart)},
                     {4, t(Msg::kItemReset)}});
    if (!c) return Nav::kExit;
    if (*c == 0) return Nav::kBack;
    Nav n = *c == 1   ? software_update()
            : *c == 2 ? language_screen()
            : *c == 3 ? restart_device()
                      : reset_settings();
    if (n != Nav::kBack) return n;
  }
}

Nav Session::language_screen() {
  for (;;) {
    auto c =
        choose(Msg::kTitleLanguage, {}, {{1, t(Msg::kItemChinese)}, {2, t(Msg::kItemEnglish)}});
    if (!c) return Nav::kExit;
    if (*c == 0) return Nav::kBack;
    Language chosen = *c == 1 ? Language::kZh : Language::kEn;
    auto reply = call({{"cmd", "set"}, {"key", "language"}, {"value", language_tag(chosen)}});
    if (!reply) return on_call_failure();
    if (auto* ok = reply->if_contains("ok"); ok && ok->is_bool() && ok->get_bool()) {
      lang_ = chosen;
      out_ << "\n" << t(Msg::kNoticeDone, {t(Msg::kLanguageSet)}) << "\n";
      return Nav::kBack;
    }
    show_reply(*reply);
  }
}

Nav Session::about() {
  auto st = status();
  if (!st) return on_call_failure();
  const bj::object* policy = object_field(*st, "policy");
  std::string mode = mode_name(policy ? json::string_or(*policy, "mode", "") : "", lang_);
  if (policy && policy->contains("locked") && policy->at("locked") == true)
    mode += t(Msg::kLockedMark);
  std::string slot = json::string_or(*st, "slot", "?");
  for (auto& ch : slot) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  bool online = !st->contains("online") || st->at("online") != false;

  std::vector<std::string> lines{
      t(Msg::kAboutVersion, {json::string_or(*st, "version", "?")}),
      t(Msg::kAboutSlot, {slot}),
      t(Msg::kAboutSerial, {json::string_or(*st, "terminal", "?")}),
      t(Msg::kAboutModel, {json::string_or(*st, "model", "?")}),
      t(Msg::kAboutPolicy, {mode}),
      t(Msg::kAboutNetwork, {t(online ? Msg::kOnline : Msg::kOfflineState)}),
  };
  for (auto& l : last_update_lines(*st)) lines.push_back(std::move(l));
  auto c = choose(Msg::kTitleAbout, lines, {});
  return c ? Nav::kBack : Nav::kExit;
}

// 参数查看: each app's parameters as the terminal applied them, read-only; a sensitive value is
// masked by the daemon before it reaches the screen.
Nav Session::parameters() {
  auto reply = call({{"cmd", "parameters"}});
  if (!reply) return on_call_failure();
  std::vector<std::string> lines;
  const auto* apps = reply->if_contains("apps");
  if (!apps || !apps->is_array() || apps->get_array().empty())
    lines.push_back(t(Msg::kParametersNone));
  if (apps && apps->is_array())
    for (const auto& a : apps->get_array()) {
      if (!a.is_object()) continue;
      const auto& app = a.get_object();
      lines.push_back(t(Msg::kParametersApp,
                        {json::string_or(app, "app", "?"), json::string_or(app, "version", "?"),
                         local_time(json::string_or(app, "applied", ""))}));
      const auto* fields = app.if_contains("fields");
      if (!fields || !fields->is_array()) continue;
      for (const auto& f : fields->get_array()) {
        if (!f.is_object()) continue;
        const auto& o = f.get_object();
        std::string label = json::string_or(o, "key", "?");
        if (const bj::object* l = object_field(o, "label")) {
          auto chosen = json::string_or(*l, lang_ == Language::kZh ? "zh-CN" : "en", "");
          if (!chosen.empty()) label = chosen;
        }
        const auto& v = o.contains("value") ? o.at("value") : bj::value(nullptr);
        std::string shown = v.is_null()     ? t(Msg::kParameterUnset)
                            : v.is_string() ? std::string(v.get_string())
                            : v.is_bool()   ? (v.get_bool() ? "true" : "false")
                                            : json::serialize(v);
        if (o.contains("locked") && o.at("locked") == true) shown += t(Msg::kParameterLocked);
        lines.push_back(t(Msg::kParameterLine, {label, shown}));
      }
    }
  auto c = choose(Msg::kTitleParameters, lines, {});
  return c ? Nav::kBack : Nav::kExit;
}

std::vector<std::string> Session::last_update_lines(const bj::object& st) const {
  const bj::object* last = object_field(st, "last_update");
  if (!last) return {t(Msg::kLastUpdateNone)};
  const std::string result = json::string_or(*last, "result", "");
  const std::string version = json::string_or(*last, "version", "");
  std::string shown = result == "success"    ? t(Msg::kResultSuccess)
                      : result == "canceled" ? t(Msg::kResultCanceled)
                                             : t(Msg::kResultFailure);
  std::vector<std::string> lines{
      t(Msg::kAboutLastUpdate,
        {version.empty() ? "-" : version, shown, local_time(json::string_or(*last, "time", ""))})};
  // The agent's own message is for engineers (and English): say it in words.
  if (result == "success") {
    lines.push_back(t(Msg::kLastUpdateLine, {t(Msg::kUpdatedTo, {version})}));
  } else {
    auto code = json::get_int(*last, "code");
    lines.push_back(t(Msg::kLastUpdateLine, {failure_advice(result == "canceled" ? 33
                                                            : code ? static_cast<int>(*code)
                                                                   : 0,
                                                            lang_)}));
  }
  return lines;
}

Nav Session::support() {
  auto st = status();
  if (!st) return on_call_failure();
  const bj::object* policy = object_field(*st, "policy");
  print_title(Msg::kTitleSupport);
  out_ << t(Msg::kSupportIntro) << "\n"
       << t(Msg::kSupportWillSend,
            {json::string_or(*st, "terminal", "?"), json::string_or(*st, "version", "?"),
             mode_name(policy ? json::string_or(*policy, "mode", "") : "", lang_)})
       << "\n"
       << (policy && policy->contains("locked") && policy->at("locked") == true
               ? t(Msg::kSupportLocked, {json::string_or(*policy, "lock_reason", "-")}) + "\n"
               : "")
       << t(Msg::kSupportAskMessage, {std::to_string(limits::kTicketChars)}) << std::flush;
  auto message = read_line();
  // Counted in characters, as the server counts: 2000 Chinese characters are 6000 bytes.
  const std::string limit = std::to_string(limits::kTicketChars);
  const auto refused = [](const std::string& m) {
    return !text::is_valid_utf8(m) || text::length(m) > limits::kTicketChars;
  };
  while (message && refused(*message)) {
    out_ << "\n"
         << t(Msg::kTicketTooLong, {std::to_string(text::length(*message)), limit}) << "\n"
         << t(Msg::kSupportAskMessage, {limit}) << std::flush;
    message = read_line();
  }
  if (!message) {
    out_ << "\n";
    return Nav::kExit;
  }
  if (*message == "0") return Nav::kBack;

  auto reply = call({{"cmd", "ticket"}, {"message", *message}});
  if (!reply) return on_call_failure();
  std::string result;
  bool ok = reply->contains("ok") && reply->at("ok") == true;
  if (ok && reply->contains("ticket_id")) {
    auto id = json::get_int(*reply, "ticket_id");
    result = t(Msg::kTicketCreated,
               {id ? std::to_string(*id) : json::serialize(reply->at("ticket_id"))});
  } else if (ok && reply->contains("deferred") && reply->at("deferred") == true) {
    result = pick_message(*reply, lang_);  // the daily limit: says when it is sent
  } else if (ok && reply->contains("queued") && reply->at("queued") == true) {
    result = t(Msg::kTicketQueued);
  } else {
    result = pick_message(*reply, lang_);
    if (result.empty()) result = t(Msg::kRequestFailed, {json::string_or(*reply, "error", "?")});
  }
  // A screen of its own, so the ticket number stays in view until the user goes back.
  auto c = choose(Msg::kTitleSupport, {result}, {});
  return c ? Nav::kBack : Nav::kExit;
}

// --- entry points -----------------------------------------------------------

int run_menu(LocalClient& client, std::istream& in, std::ostream& out,
             std::optional<Language> lang) {
  Session session(client, in, out, lang.value_or(Language::kZh));
  // One status call up front: an unreachable daemon is reported before any
  // menu is drawn, and without --lang the daemon's language setting applies.
  auto st = session.status();
  if (!st) return 1;
  if (!lang)
    if (auto saved = parse_language(json::string_or(*st, "language", "")))
      session.set_language(*saved);
  session.set_time_zone(json::string_or(*st, "time_zone", ""));
  return session.main_menu() == Nav::kFail ? 1 : 0;
}

int run_menu_command(const Config& config, const std::string& lang_flag) {
  std::optional<Language> lang;
  if (!lang_flag.empty()) {
    lang = parse_language(lang_flag);
    if (!lang) {
      // The language is unknown, so say it in both.
      std::cerr << "posfleet-agent: " << tr(Msg::kBadLanguage, Language::kZh, {lang_flag}) << " "
                << tr(Msg::kBadLanguage, Language::kEn, {lang_flag}) << "\n";
      return 2;
    }
  }
  LocalClient client(config.device_dir + "/agent.sock");
  return run_menu(client, std::cin, std::cout, lang);
}

}  // namespace posfleet::agent::menu
