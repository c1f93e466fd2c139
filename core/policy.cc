#include "core/policy.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>

#include "core/json.h"

namespace posfleet {

namespace bj = boost::json;

namespace {

std::string hhmm(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

Expected<int> parse_hhmm(const std::string& s) {
  int h = -1, m = -1;
  char extra = 0;
  if (std::sscanf(s.c_str(), "%d:%d%c", &h, &m, &extra) != 2 || h < 0 || h > 24 || m < 0 ||
      m > 59 || (h == 24 && m))
    return make_error(Code::kInvalidArgument, "time \"" + s + "\" must be HH:MM, e.g. 22:00");
  return h * 60 + m;
}

bj::object window_json(const MaintenanceWindow& w) {
  bj::array days;
  for (int d : w.days) days.push_back(d);
  return bj::object{
      {"days", days}, {"start", hhmm(w.start_minute)}, {"end", hhmm(w.end_minute)}, {"tz", w.tz}};
}

Expected<MaintenanceWindow> window_from_json(const bj::object& o) {
  MaintenanceWindow w;
  if (auto days = json::get_array(o, "days"); days) {
    w.days.clear();
    for (const auto& d : **days) {
      if (!d.is_int64() || d.get_int64() < 1 || d.get_int64() > 7)
        return make_error(Code::kInvalidArgument,
                          "window.days are weekdays 1 (Monday) to 7 (Sunday)");
      w.days.push_back(static_cast<int>(d.get_int64()));
    }
  }
  for (auto [key, out] : {std::pair{"start", &w.start_minute}, {"end", &w.end_minute}}) {
    if (auto s = json::get_string(o, key); s) {
      auto m = parse_hhmm(*s);
      if (!m) return m.error().with_context(std::string("window.") + key);
      *out = *m % (24 * 60);
    }
  }
  w.tz = json::string_or(o, "tz", w.tz);
  if (w.tz.empty() || w.tz.find("..") != std::string::npos ||
      !std::filesystem::exists("/usr/share/zoneinfo/" + w.tz))
    return make_error(Code::kInvalidArgument,
                      "window.tz \"" + w.tz + "\" is not an IANA time zone, e.g. Asia/Shanghai");
  return w;
}

}  // namespace

namespace {
constexpr std::pair<PolicyMode, const char*> kModes[] = {
    {PolicyMode::kAuto, "auto"}, {PolicyMode::kManual, "manual"}, {PolicyMode::kNever, "never"}};
constexpr std::pair<DecisionReason, const char*> kReasons[] = {
    {DecisionReason::kModeNever, "mode_never"},
    {DecisionReason::kSecurityDeadline, "security_deadline"},
    {DecisionReason::kOutsideWindow, "outside_window"},
    {DecisionReason::kConfirmed, "confirmed"},
    {DecisionReason::kAwaitingConfirmation, "awaiting_confirmation"},
    {DecisionReason::kInWindow, "in_window"}};
}  // namespace

namespace {
// The word of `value` in `table`, and the value of `text`.
template <typename E, std::size_t N>
const char* word_of(const std::pair<E, const char*> (&table)[N], E value) {
  for (const auto& [v, word] : table)
    if (v == value) return word;
  return table[0].second;  // unreachable: every enumerator is in its table
}
template <typename E, std::size_t N>
std::optional<E> value_of(const std::pair<E, const char*> (&table)[N], std::string_view text) {
  for (const auto& [v, word] : table)
    if (text == word) return v;
  return std::nullopt;
}
}  // namespace

const char* to_string(PolicyMode mode) { return word_of(kModes, mode); }

Expected<PolicyMode> parse_policy_mode(std::string_view text) {
  if (auto m = value_of(kModes, text)) return *m;
  return make_error(Code::kInvalidArgument, "mode must be auto, manual or never");
}

const char* to_string(DecisionReason reason) { return word_of(kReasons, reason); }

Expected<DecisionReason> parse_decision_reason(std::string_view text) {
  if (auto r = value_of(kReasons, text)) return *r;
  return make_error(Code::kInvalidArgument,
                    "decision reason \"" + std::string(text) + "\" is not known");
}

boost::json::object Policy::to_json() const {
  return bj::object{{"mode", to_string(mode)},
                    {"window", window_json(window)},
                    {"cellular", cellular},
                    {"cellular_limit_mb", cellular_limit_mb},
                    {"never_defers_security", never_defers_security},
                    {"security_deadline_days", security_deadline_days},
                    {"locked", locked},
                    {"lock_reason", lock_reason},
                    {"revision", revision}};
}

Expected<Policy> policy_from_json(const boost::json::object& o) {
  auto patch = PolicyPatch::from_json(o);
  if (!patch) return patch.error();
  Policy p;
  patch->apply_to(p);
  if (auto r = json::get_int(o, "revision"); r) p.revision = *r;
  return p;
}

boost::json::object PolicyPatch::to_json() const {
  bj::object o;
  if (mode) o["mode"] = to_string(*mode);
  if (window) o["window"] = window_json(*window);
  if (cellular) o["cellular"] = *cellular;
  if (cellular_limit_mb) o["cellular_limit_mb"] = *cellular_limit_mb;
  if (never_defers_security) o["never_defers_security"] = *never_defers_security;
  if (security_deadline_days) o["security_deadline_days"] = *security_deadline_days;
  if (locked) o["locked"] = *locked;
  if (lock_reason) o["lock_reason"] = *lock_reason;
  return o;
}

Expected<PolicyPatch> PolicyPatch::from_json(const boost::json::object& o) {
  PolicyPatch p;
  if (auto* v = o.if_contains("mode")) {
    if (!v->is_string())
      return make_error(Code::kInvalidArgument, "mode must be auto, manual or never");
    auto m = parse_policy_mode(v->get_string());
    if (!m) return m.error();
    p.mode = *m;
  }
  if (auto* v = o.if_contains("window")) {
    if (!v->is_object()) return make_error(Code::kInvalidArgument, "window must be an object");
    auto w = window_from_json(v->get_object());
    if (!w) return w.error();
    p.window = *w;
  }
  if (auto* v = o.if_contains("cellular")) {
    if (!v->is_string() || (v->get_string() != "allowed" && v->get_string() != "forbidden" &&
                            v->get_string() != "limit"))
      return make_error(Code::kInvalidArgument, "cellular must be allowed, forbidden or limit");
    p.cellular = std::string(v->get_string());
  }
  auto int_field = [&](const char* key, std::optional<int>& out, int lo, int hi) -> Status {
    if (auto* v = o.if_contains(key)) {
      if (!v->is_int64() || v->get_int64() < lo || v->get_int64() > hi)
        return make_error(Code::kInvalidArgument,
                          std::string(key) + " must be a whole number from " + std::to_string(lo) +
                              " to " + std::to_string(hi));
      out = static_cast<int>(v->get_int64());
    }
    return ok_status();
  };
  if (auto s = int_field("cellular_limit_mb", p.cellular_limit_mb, 0, 1 << 20); !s)
    return s.error();
  if (auto s = int_field("security_deadline_days", p.security_deadline_days, 0, 365); !s)
    return s.error();
  auto bool_field = [&](const char* key, std::optional<bool>& out) -> Status {
    if (auto* v = o.if_contains(key)) {
      if (!v->is_bool())
        return make_error(Code::kInvalidArgument, std::string(key) + " must be true or false");
      out = v->get_bool();
    }
    return ok_status();
  };
  if (auto s = bool_field("never_defers_security", p.never_defers_security); !s) return s.error();
  if (auto s = bool_field("locked", p.locked); !s) return s.error();
  if (auto* v = o.if_contains("lock_reason")) {
    if (!v->is_string()) return make_error(Code::kInvalidArgument, "lock_reason must be text");
    p.lock_reason = std::string(v->get_string());
  }
  return p;
}

void PolicyPatch::apply_to(Policy& p) const {
  if (mode && !p.locked) p.mode = *mode;  // under a lock from above, the locked mode stands
  if (window) p.window = *window;
  if (cellular) p.cellular = *cellular;
  if (cellular_limit_mb) p.cellular_limit_mb = *cellular_limit_mb;
  if (never_defers_security) p.never_defers_security = *never_defers_security;
  if (security_deadline_days) p.security_deadline_days = *security_deadline_days;
  if (locked) p.locked = p.locked || *locked;  // a lock higher up cannot be lifted below
  if (lock_reason && !lock_reason->empty()) p.lock_reason = *lock_reason;
}

Expected<MaintenanceWindow> parse_window(const std::string& text) {
  auto dash = text.find('-');
  if (dash == std::string::npos)
    return make_error(Code::kInvalidArgument, "window \"" + text + "\" must be HH:MM-HH:MM");
  auto a = parse_hhmm(text.substr(0, dash)), b = parse_hhmm(text.substr(dash + 1));
  if (!a) return a.error();
  if (!b) return b.error();
  MaintenanceWindow w;
  w.start_minute = *a % (24 * 60);
  w.end_minute = *b % (24 * 60);
  return w;
}

std::string window_text(const MaintenanceWindow& w) {
  return hhmm(w.start_minute) + "-" + hhmm(w.end_minute);
}

Expected<LocalTime> local_time(const std::string& tz, std::int64_t unix_seconds) {
  // glibc converts through the TZ environment variable; guard the switch.
  static std::mutex mu;
  std::lock_guard lock(mu);
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", tz.c_str(), 1);
  tzset();
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  if (old)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
  return LocalTime{tm.tm_wday == 0 ? 7 : tm.tm_wday, tm.tm_hour * 60 + tm.tm_min, tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday};
}

bool in_window(const MaintenanceWindow& w, std::int64_t unix_seconds) {
  auto lt = local_time(w.tz, unix_seconds);
  if (!lt) return false;
  auto day_ok = [&](int d) { return std::find(w.days.begin(), w.days.end(), d) != w.days.end(); };
  if (w.start_minute == w.end_minute) return day_ok(lt->weekday);
  if (w.start_minute < w.end_minute)
    return day_ok(lt->weekday) && lt->minute >= w.start_minute && lt->minute < w.end_minute;
  // Spans midnight: the part after midnight belongs to the previous day's window.
  if (lt->minute >= w.start_minute) return day_ok(lt->weekday);
  if (lt->minute < w.end_minute) return day_ok(lt->weekday == 1 ? 7 : lt->weekday - 1);
  return false;
}

Decision decide(const Policy& p, const UpdateOffer& offer, std::int64_t now, bool confirmed) {
  const bool window_open = in_window(p.window, now);
  using R = DecisionReason;
  switch (p.mode) {
    case PolicyMode::kNever: {
      const bool forced =
          offer.security && offer.deadline > 0 && now >= offer.deadline && !p.never_defers_security;
      if (!forced) return {Verdict::kDeny, R::kModeNever};
      return window_open ? Decision{Verdict::kAllow, R::kSecurityDeadline}
                         : Decision{Verdict::kAskLater, R::kOutsideWindow};
    }
    case PolicyMode::kManual:
      return confirmed ? Decision{Verdict::kAllow, R::kConfirmed}
                       : Decision{Verdict::kAskLater, R::kAwaitingConfirmation};
    case PolicyMode::kAuto:
      break;
  }
  return window_open ? Decision{Verdict::kAllow, R::kInWindow}
                     : Decision{Verdict::kAskLater, R::kOutsideWindow};
}

}  // namespace posfleet
