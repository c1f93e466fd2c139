#include "agent/menu/menu.h"

#include <boost/json.hpp>

#include <cctype>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "agent/config.h"
#include "agent/menu/session.h"
#include "core/json.h"

namespace posfleet::agent::menu {

namespace bj = boost::json;

const bj::object* object_field(const bj::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

std::string display_time(std::string_view iso) {
  // Only the exact shape the daemon writes is shortened; anything else is shown as is.
  if (iso.size() >= 17 && iso[10] == 'T' && iso.back() == 'Z')
    return std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 5)) + " UTC";
  return std::string(iso);
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
  if (!text.empty()) out_ << "\n" << text << "\n";
}

std::optional<std::string> Session::read_line() {
  std::string line;
  if (!std::getline(in_, line)) return std::nullopt;
  auto begin = line.find_first_not_of(" \t\r");
  auto end = line.find_last_not_of(" \t\r");
  return begin == std::string::npos ? std::string() : line.substr(begin, end - begin + 1);
}

void Session::print_title(Msg title) { out_ << "\n== " << t(title) << " ==\n"; }

std::optional<int> Session::choose(Msg title, const std::vector<std::string>& lines, const std::vector<Item>& items,
                                   Msg zero) {
  for (;;) {
    print_title(title);
    for (const auto& l : lines) out_ << l << "\n";
    for (const auto& item : items) out_ << item.number << ". " << item.label << "\n";
    out_ << "0. " << t(zero) << "\n" << t(Msg::kPrompt) << std::flush;
    auto line = read_line();
    if (!line) {
      out_ << "\n";  // leave the shell prompt on a line of its own
      return std::nullopt;
    }
    // Digits only: "1a" or "+1" is a typo, not item 1.
    if (!line->empty() && line->size() <= 3 && line->find_first_not_of("0123456789") == std::string::npos) {
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
    auto c = choose(Msg::kTitleMain, {},
                    {{1, t(Msg::kItemSettings)}, {2, t(Msg::kItemAbout)}, {3, t(Msg::kItemSupport)}}, Msg::kItemExit);
    if (!c || *c == 0) return Nav::kExit;
    Nav n = *c == 1 ? settings() : *c == 2 ? about() : support();
    if (n != Nav::kBack) return n;
  }
}

Nav Session::settings() {
  for (;;) {
    auto c = choose(Msg::kTitleSettings, {}, {{1, t(Msg::kItemSoftwareUpdate)}, {2, t(Msg::kItemLanguage)}});
    if (!c) return Nav::kExit;
    if (*c == 0) return Nav::kBack;
    Nav n = *c == 1 ? software_update() : language_screen();
    if (n != Nav::kBack) return n;
  }
}

Nav Session::language_screen() {
  for (;;) {
    auto c = choose(Msg::kTitleLanguage, {}, {{1, t(Msg::kItemChinese)}, {2, t(Msg::kItemEnglish)}});
    if (!c) return Nav::kExit;
    if (*c == 0) return Nav::kBack;
    Language chosen = *c == 1 ? Language::kZh : Language::kEn;
    auto reply = call({{"cmd", "set"}, {"key", "language"}, {"value", language_tag(chosen)}});
    if (!reply) return on_call_failure();
    if (auto* ok = reply->if_contains("ok"); ok && ok->is_bool() && ok->get_bool()) {
      lang_ = chosen;
      out_ << "\n" << t(Msg::kLanguageSet) << "\n";
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
  if (policy && policy->contains("locked") && policy->at("locked") == true) mode += t(Msg::kLockedMark);
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
  if (const bj::object* last = object_field(*st, "last_update")) {
    std::string result = json::string_or(*last, "result", "");
    std::string shown = result == "success"   ? t(Msg::kResultSuccess)
                        : result == "failure" ? t(Msg::kResultFailure)
                        : result == "canceled" ? t(Msg::kResultCanceled)
                                               : result;
    lines.push_back(t(Msg::kAboutLastUpdate, {json::string_or(*last, "version", ""), shown,
                                              display_time(json::string_or(*last, "time", "")),
                                              json::string_or(*last, "message", "")}));
    if (auto code = json::get_int(*last, "code"); code && result == "failure")
      if (auto advice = failure_advice(static_cast<int>(*code))) lines.push_back(t(*advice));
  } else {
    lines.push_back(t(Msg::kLastUpdateNone));
  }
  auto c = choose(Msg::kTitleAbout, lines, {});
  return c ? Nav::kBack : Nav::kExit;
}

Nav Session::support() {
  auto st = status();
  if (!st) return on_call_failure();
  const bj::object* policy = object_field(*st, "policy");
  print_title(Msg::kTitleSupport);
  out_ << t(Msg::kSupportIntro) << "\n"
       << t(Msg::kSupportWillSend, {json::string_or(*st, "terminal", "?"), json::string_or(*st, "version", "?"),
                                    mode_name(policy ? json::string_or(*policy, "mode", "") : "", lang_)})
       << "\n"
       << t(Msg::kSupportAskMessage) << std::flush;
  auto message = read_line();
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
    result = t(Msg::kTicketCreated, {id ? std::to_string(*id) : json::serialize(reply->at("ticket_id"))});
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

int run_menu(LocalClient& client, std::istream& in, std::ostream& out, std::optional<Language> lang) {
  Session session(client, in, out, lang.value_or(Language::kZh));
  // One status call up front: an unreachable daemon is reported before any
  // menu is drawn, and without --lang the daemon's language setting applies.
  auto st = session.status();
  if (!st) return 1;
  if (!lang)
    if (auto saved = parse_language(json::string_or(*st, "language", ""))) session.set_language(*saved);
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
