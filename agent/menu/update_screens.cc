// posfleet agent menu: the Software update screens (seed §1 and §3) —
// automatic update on / manual / never, check for updates, notifications.
// Every screen asks the daemon afresh, so a lock the operator set a moment ago
// shows up the next time the screen is drawn.
// Thread-safety: one thread (part of Session).
#include <boost/json.hpp>

#include <algorithm>
#include <tuple>

#include "agent/menu/session.h"
#include "core/json.h"

namespace posfleet::agent::menu {

namespace bj = boost::json;

namespace {

constexpr const char* kModes[] = {"auto", "manual", "never"};

bool is_true(const bj::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

std::string policy_mode(const bj::object& status) {
  const bj::object* policy = object_field(status, "policy");
  return policy ? json::string_or(*policy, "mode", "") : "";
}

}  // namespace

// While an update runs: its step and download progress, and what it waits
// for (a pre-check, the network), so the merchant is never left guessing.
std::vector<std::string> Session::update_lines(const bj::object& st) {
  std::vector<std::string> lines;
  const std::string state = json::string_or(st, "update_state", "idle");
  if (state == "idle") return lines;
  std::string progress;
  if (const bj::object* p = object_field(st, "progress"); p && state == "download") {
    auto num = [&](const char* k) {
      auto v = json::get_int(*p, k);
      return v ? *v : 0;
    };
    progress = t(Msg::kProgress,
                 {megabytes(static_cast<std::uint64_t>(std::max<std::int64_t>(0, num("bytes")))),
                  megabytes(static_cast<std::uint64_t>(std::max<std::int64_t>(0, num("total")))),
                  std::to_string(num("percent")),
                  std::to_string(std::max<std::int64_t>(0, num("remaining_seconds")))});
  }
  lines.push_back(t(Msg::kUpdating, {step_name(state, lang_), progress}));
  if (const bj::object* w = object_field(st, "waiting"))
    lines.push_back(t(Msg::kUpdateWaits, {pick_language(*w, lang_)}));
  return lines;
}

Nav Session::software_update() {
  for (;;) {
    auto st = status();
    if (!st) return on_call_failure();
    // While an update runs the screen follows it by itself; when it ends, the
    // result shows as a notification.
    const bool running = json::string_or(*st, "update_state", "idle") != "idle";
    Refresh refresh;
    if (running)
      refresh = [this]() -> std::optional<std::vector<std::string>> {
        auto fresh = client_.call(bj::object{{"cmd", "status"}}, 5);
        if (!fresh) return std::nullopt;
        auto lines = update_lines(*fresh);
        if (lines.empty())  // it just ended: its result as a notification
          if (const bj::object* last = object_field(*fresh, "last_update")) {
            const bool ok = json::string_or(*last, "result", "") == "success";
            auto code = json::get_int(*last, "code");
            lines.push_back(ok ? t(Msg::kNoticeDone,
                                   {t(Msg::kUpdatedTo, {json::string_or(*last, "version", "")})})
                               : t(Msg::kNoticeNotDone,
                                   {failure_advice(code ? static_cast<int>(*code) : 0, lang_)}));
          }
        return lines;
      };
    auto c = choose(Msg::kTitleSoftwareUpdate, update_lines(*st),
                    {{1, t(Msg::kItemAutoUpdate, {mode_name(policy_mode(*st), lang_)})},
                     {2, t(Msg::kItemCheck)},
                     {3, t(Msg::kItemNotifications)}},
                    Msg::kItemBack, refresh);
    if (!c) return Nav::kExit;
    if (*c == 0) return Nav::kBack;
    Nav n = *c == 1 ? auto_update() : *c == 2 ? check_for_updates() : notifications();
    if (n != Nav::kBack) return n;
  }
}

Nav Session::auto_update() {
  for (;;) {
    auto st = status();
    if (!st) return on_call_failure();
    const bj::object* policy = object_field(*st, "policy");
    std::string current = policy_mode(*st);
    bool locked = policy && is_true(*policy, "locked");
    std::string reason = policy ? json::string_or(*policy, "lock_reason", "") : "";
    if (reason.empty()) reason.push_back('-');  // (not `= "-"`: GCC 12 warns falsely, -Wrestrict)

    std::vector<std::string> lines{t(Msg::kCurrentMode, {mode_name(current, lang_)})};
    if (const bj::object* pending = policy ? object_field(*policy, "pending_change") : nullptr)
      lines.push_back(
          t(Msg::kPendingChange, {mode_name(json::string_or(*pending, "mode", ""), lang_)}));
    // A text terminal cannot grey items out: mark each one and say why.
    if (locked) lines.push_back(t(Msg::kLockedBy, {reason}));
    std::vector<Item> items;
    for (int i = 0; i < 3; ++i) {
      items.push_back({i + 1, mode_name(kModes[i], lang_)});
      if (locked) items.back().label.append(t(Msg::kLockedMark));
    }
    auto c = choose(Msg::kTitleAutoUpdate, lines, items);
    if (!c) return Nav::kExit;
    if (*c == 0) return Nav::kBack;
    if (locked) {
      out_ << "\n" << t(Msg::kLockedRefused, {reason}) << "\n";
      continue;
    }
    std::string mode = kModes[*c - 1];
    if (mode == "never" && current != "never") {
      // Seed §1.4: say what turning updates off costs before doing it.
      auto confirm = choose(Msg::kTitleConfirmNever, {t(Msg::kNeverWarning)},
                            {{1, t(Msg::kItemConfirm)}}, Msg::kItemCancel);
      if (!confirm) return Nav::kExit;
      if (*confirm == 0) continue;
    }
    auto reply = call({{"cmd", "set"}, {"key", "update-mode"}, {"value", mode}});
    if (!reply) {
      if (failed_) return Nav::kFail;
      continue;
    }
    show_reply(*reply);
  }
}

void Session::describe_update(const bj::object& update, std::vector<std::string>& lines) const {
  lines.push_back(t(Msg::kUpdateAvailable, {json::string_or(update, "version", "?")}));
  if (const bj::object* notes = object_field(update, "notes"))
    if (std::string text = pick_language(*notes, lang_); !text.empty())
      lines.push_back(t(Msg::kReleaseNotes, {text}));
  if (is_true(update, "security")) lines.push_back(t(Msg::kSecurityUpdate));
  if (std::string deadline = json::string_or(update, "deadline", ""); !deadline.empty())
    lines.push_back(t(Msg::kDeadline, {local_time(deadline)}));
  std::string waiting = json::string_or(update, "waiting_for", "");
  if (waiting == "confirmation") lines.push_back(t(Msg::kWaitingConfirmation));
  if (waiting == "window") lines.push_back(t(Msg::kWaitingWindow));
  if (waiting == "policy") lines.push_back(t(Msg::kWaitingPolicy));
  if (waiting == "frozen") {
    const bj::object* frozen = object_field(update, "frozen");
    const std::string reason = frozen ? json::string_or(*frozen, "reason", "") : "",
                      until = frozen ? json::string_or(*frozen, "to", "") : "";
    lines.push_back(t(Msg::kWaitingFrozen, {reason, until}));
  }
}

Nav Session::check_for_updates() {
  out_ << "\n" << t(Msg::kChecking) << "\n" << std::flush;
  // The daemon polls the server and waits up to 15 s for it; leave it room.
  auto reply = call({{"cmd", "check"}}, 30);
  if (!reply) return on_call_failure();
  if (!is_true(*reply, "ok")) {
    show_reply(*reply);
    return Nav::kBack;
  }
  auto st = status();
  if (!st) return on_call_failure();

  std::vector<std::string> lines;
  std::string message = pick_message(*reply, lang_);
  bool offline = reply->contains("online") && reply->at("online") == false;
  const bj::object* update = object_field(*reply, "update_available");
  if (!update) {
    if (offline && message.empty()) lines.push_back(t(Msg::kOffline));
    lines.push_back(message.empty() ? t(Msg::kNoUpdate) : message);
    return choose(Msg::kTitleCheck, lines, {}) ? Nav::kBack : Nav::kExit;
  }
  describe_update(*update, lines);
  if (!message.empty()) lines.push_back(message);
  // In manual mode (or when the daemon waits for a yes) the user installs from
  // here; reading the notes above is the confirmation step (seed §4).
  bool offer =
      policy_mode(*st) == "manual" || json::string_or(*update, "waiting_for", "") == "confirmation";
  std::vector<Item> items;
  if (offer) {
    lines.push_back(t(Msg::kBeforeInstall));
    items.push_back({1, t(Msg::kItemInstall)});
  }
  auto c = choose(Msg::kTitleCheck, lines, items);
  if (!c) return Nav::kExit;
  if (*c == 0) return Nav::kBack;
  bj::object request{{"cmd", "install"}};
  if (const bj::value* comps = update->if_contains("components");
      comps && comps->is_array() && comps->as_array().size() > 1) {
    auto chosen = choose_components(*update);
    if (!chosen) return Nav::kBack;
    bj::array names;
    for (const auto& n : *chosen) names.push_back(bj::string(n));
    request["components"] = names;
  }
  auto installed = call(request, 30);
  if (!installed) return on_call_failure();
  if (pick_message(*installed, lang_).empty() && is_true(*installed, "ok"))
    out_ << "\n" << t(Msg::kInstalling) << "\n";
  show_reply(*installed);
  return Nav::kBack;
}

std::optional<std::vector<std::string>> Session::choose_components(const bj::object& update) {
  struct Row {
    std::string name, version;
    std::uint64_t size = 0;
    bool mandatory = false, ticked = true;
    std::vector<std::string> depends;
  };
  std::vector<Row> rows;
  for (const auto& v : update.at("components").as_array()) {
    if (!v.is_object()) continue;
    const auto& o = v.get_object();
    Row r;
    r.name = json::string_or(o, "name", "");
    r.version = json::string_or(o, "version", "");
    if (auto size = json::get_int(o, "size"); size) r.size = static_cast<std::uint64_t>(*size);
    r.mandatory = is_true(o, "mandatory");
    if (auto deps = json::get_array(o, "depends"); deps)
      for (const auto& d : **deps)
        if (d.is_string()) r.depends.emplace_back(d.get_string());
    rows.push_back(std::move(r));
  }
  // Which ticked component needs `name`, if any.
  auto needed_by = [&](const std::string& name) -> std::string {
    for (const auto& r : rows)
      if (r.ticked && std::find(r.depends.begin(), r.depends.end(), name) != r.depends.end())
        return r.name;
    return "";
  };
  std::string notice;
  while (true) {
    std::vector<std::string> lines{t(Msg::kComponentsHelp)};
    if (!notice.empty()) lines.push_back(notice);
    std::vector<Item> items;
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      std::string why = r.mandatory                 ? t(Msg::kComponentMandatory)
                        : needed_by(r.name).empty() ? ""
                                                    : t(Msg::kComponentNeededBy,
                                                        {component_name(needed_by(r.name), lang_)});
      items.push_back({static_cast<int>(i + 1),
                       t(Msg::kComponentLine, {r.ticked ? "x" : " ", component_name(r.name, lang_),
                                               r.version, megabytes(r.size), why})});
    }
    const int confirm = static_cast<int>(rows.size()) + 1;
    items.push_back({confirm, t(Msg::kItemConfirmInstall)});
    auto c = choose(Msg::kTitleComponents, lines, items);
    if (!c || *c == 0) return std::nullopt;
    if (*c == confirm) break;
    Row& r = rows[static_cast<size_t>(*c - 1)];
    notice.clear();
    if (r.ticked && r.mandatory) {
      notice = t(Msg::kCannotDeselectMandatory, {component_name(r.name, lang_)});
    } else if (r.ticked && !needed_by(r.name).empty()) {
      notice = t(Msg::kCannotDeselectNeeded,
                 {component_name(r.name, lang_), component_name(needed_by(r.name), lang_)});
    } else {
      r.ticked = !r.ticked;
      if (r.ticked)  // ticking one ticks what it needs
        for (auto& other : rows)
          if (std::find(r.depends.begin(), r.depends.end(), other.name) != r.depends.end())
            other.ticked = true;
    }
  }
  std::vector<std::string> chosen;
  for (const auto& r : rows)
    if (r.ticked) chosen.push_back(r.name);
  return chosen;
}

Nav Session::notifications() {
  auto reply = call({{"cmd", "notifications"}});
  if (!reply) return on_call_failure();
  if (!is_true(*reply, "ok")) {
    show_reply(*reply);
    return Nav::kBack;
  }
  // (time, id, text): sorted descending, so the newest comes first even if the
  // daemon keeps them oldest first; the id breaks ties within one second.
  std::vector<std::tuple<std::string, std::int64_t, std::string>> found;
  if (auto list = json::get_array(*reply, "notifications"))
    for (const auto& v : **list) {
      if (!v.is_object()) continue;
      const auto& n = v.get_object();
      auto id = json::get_int(n, "id");
      const bj::object* text = object_field(n, "text");
      found.emplace_back(json::string_or(n, "time", ""), id ? *id : 0,
                         text ? pick_language(*text, lang_) : "");
    }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a > b; });
  std::vector<std::string> lines;
  for (const auto& [time, id, text] : found) lines.push_back(local_time(time) + "  " + text);
  if (lines.empty()) lines.push_back(t(Msg::kNoNotifications));
  return choose(Msg::kTitleNotifications, lines, {}) ? Nav::kBack : Nav::kExit;
}

}  // namespace posfleet::agent::menu
