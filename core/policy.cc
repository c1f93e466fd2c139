#include "core/policy.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <mutex>

#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"

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
  if (auto s = check_time_zone("window.tz", w.tz); !s) return s.error();
  return w;
}

bj::object freeze_json(const Freeze& f) {
  return bj::object{{"id", f.id},
                    {"from", f.from},
                    {"to", f.to},
                    {"reason", f.reason},
                    {"security", to_string(f.security)}};
}

// The freezes of a policy as the server sent them: every one checked, so that a broken calendar
// is refused as a whole rather than half obeyed.
Expected<std::vector<Freeze>> freezes_from_json(const bj::array& a) {
  if (a.size() > kFreezesInPolicy)
    return make_error(Code::kInvalidArgument,
                      "a policy carries at most " + std::to_string(kFreezesInPolicy) + " freezes");
  std::vector<Freeze> out;
  for (const auto& v : a) {
    if (!v.is_object()) return make_error(Code::kInvalidArgument, "freezes[] are objects");
    const auto& o = v.get_object();
    Freeze f;
    if (auto id = json::get_int(o, "id"); id) f.id = *id;
    auto from = parse_date("freezes[].from", json::string_or(o, "from", ""));
    if (!from) return from.error();
    auto to = parse_date("freezes[].to", json::string_or(o, "to", ""));
    if (!to) return to.error();
    f.from = date_text(*from);
    f.to = date_text(*to);
    f.reason = json::string_or(o, "reason", "");
    if (auto s = text::check_field("freezes[].reason", f.reason, limits::kReasonChars); !s)
      return s.error();
    auto rule = parse_freeze_security(json::string_or(o, "security", "hold"));
    if (!rule) return rule.error();
    f.security = *rule;
    out.push_back(std::move(f));
  }
  return out;
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
    {DecisionReason::kInWindow, "in_window"},
    {DecisionReason::kFrozen, "frozen"}};
constexpr std::pair<FreezeSecurityRule, const char*> kFreezeRules[] = {
    {FreezeSecurityRule::kHold, "hold"},
    {FreezeSecurityRule::kAfterDeadline, "after_deadline"},
    {FreezeSecurityRule::kAllow, "allow"}};
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

const char* to_string(FreezeSecurityRule rule) { return word_of(kFreezeRules, rule); }

Expected<FreezeSecurityRule> parse_freeze_security(std::string_view text) {
  if (auto r = value_of(kFreezeRules, text)) return *r;
  return make_error(Code::kInvalidArgument, "security must be hold, after_deadline or allow");
}

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian).
std::int64_t days_from_civil(const Date& d) {
  const std::int64_t y = d.month <= 2 ? d.year - 1 : d.year;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (d.month > 2 ? d.month - 3 : d.month + 9) + 2) / 5 + d.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Date{static_cast<int>(yoe + era * 400 + (month <= 2)), month, day};
}

Expected<Date> parse_date(std::string_view field, std::string_view text) {
  auto bad = [&] {
    return make_error(Code::kInvalidArgument,
                      std::string(field) + " must be a date YYYY-MM-DD, e.g. 2026-11-11");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (text[i] < '0' || text[i] > '9') return bad();
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  Date d{num(0, 4), num(5, 2), num(8, 2)};
  if (d.year < 2000 || d.month < 1 || d.month > 12 || d.day < 1) return bad();
  // A real date: it survives the trip through the day count.
  const Date back = civil_from_days(days_from_civil(d));
  if (back.year != d.year || back.month != d.month || back.day != d.day) return bad();
  return d;
}

std::string date_text(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

Status check_time_zone(std::string_view field, const std::string& name) {
  auto bad = [&](const std::string& why) {
    return make_error(Code::kInvalidArgument, std::string(field) + " " + why +
                                                  "; give an IANA time zone, e.g. Asia/Shanghai");
  };
  if (name.empty() || name.size() > kTimeZoneChars)
    return bad("must have 1 to " + std::to_string(kTimeZoneChars) + " characters");
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
          c == '_' || c == '+' || c == '-'))
      return bad("holds a character no time zone name has");
  if (name.front() == '/' || name.back() == '/' || name.find("//") != std::string::npos)
    return bad("is not a time zone name");
  // Names only (no dots at all, so no "..") and TZif data, not a folder such as "Asia".
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  char magic[4] = {};
  if (!in || !in.read(magic, 4) || std::string_view(magic, 4) != "TZif")
    return bad("is not a time zone this system knows");
  return ok_status();
}

boost::json::object Policy::to_json() const {
  bj::array fs;
  for (const auto& f : freezes) fs.push_back(freeze_json(f));
  return bj::object{{"mode", to_string(mode)},
                    {"window", window_json(window)},
                    {"cellular", cellular},
                    {"cellular_limit_mb", cellular_limit_mb},
                    {"never_defers_security", never_defers_security},
                    {"security_deadline_days", security_deadline_days},
                    {"locked", locked},
                    {"lock_reason", lock_reason},
                    {"revision", revision},
                    {"freezes", fs}};
}

Expected<Policy> policy_from_json(const boost::json::object& o) {
  auto patch = PolicyPatch::from_json(o);
  if (!patch) return patch.error();
  Policy p;
  patch->apply_to(p);
  if (auto r = json::get_int(o, "revision"); r) p.revision = *r;
  if (auto* v = o.if_contains("freezes"); v && !v->is_null()) {
    if (!v->is_array()) return make_error(Code::kInvalidArgument, "freezes must be a list");
    auto fs = freezes_from_json(v->get_array());
    if (!fs) return fs.error();
    p.freezes = std::move(*fs);
  }
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

namespace {
// glibc converts through the TZ environment variable; every switch is guarded by one lock.
template <typename F>
auto with_tz(const std::string& tz, F&& f) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", tz.c_str(), 1);
  tzset();
  auto result = f();
  if (old)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
  return result;
}
}  // namespace

Expected<LocalTime> local_time(const std::string& tz, std::int64_t unix_seconds) {
  const std::tm tm = with_tz(tz, [&] {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm out{};
    localtime_r(&t, &out);
    return out;
  });
  return LocalTime{tm.tm_wday == 0 ? 7 : tm.tm_wday, tm.tm_hour * 60 + tm.tm_min, tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday};
}

Expected<std::int64_t> local_midnight(const std::string& tz, const Date& date) {
  // The first second whose local date is `date`, found by bisection: the local date only grows
  // with time, and a local day starts within 15 hours of the UTC day of the same date (zones
  // are UTC-12 to UTC+14). Midnight that a jump skips yields the jump's instant.
  const std::int64_t day = days_from_civil(date);
  const std::int64_t guess = day * 86400;
  std::int64_t lo = guess - 15 * 3600, hi = guess + 15 * 3600;
  auto local_day = [&](std::int64_t t) -> Expected<std::int64_t> {
    auto lt = local_time(tz, t);
    if (!lt) return lt.error();
    return days_from_civil(Date{lt->year, lt->month, lt->day});
  };
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    auto d = local_day(mid);
    if (!d) return d.error();
    if (*d < day)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
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

const Freeze* holding_freeze(const Policy& p, const UpdateOffer& offer, std::int64_t now) {
  if (p.freezes.empty()) return nullptr;
  auto lt = local_time(p.window.tz, now);
  if (!lt) return nullptr;
  const std::string today = date_text(Date{lt->year, lt->month, lt->day});
  const bool past_deadline = offer.security && offer.deadline > 0 && now >= offer.deadline;
  for (const auto& f : p.freezes) {
    if (today < f.from || today > f.to) continue;  // YYYY-MM-DD compares as text
    if (f.security == FreezeSecurityRule::kAllow && offer.security) continue;
    if (f.security == FreezeSecurityRule::kAfterDeadline && past_deadline) continue;
    return &f;
  }
  return nullptr;
}

Decision decide(const Policy& p, const UpdateOffer& offer, std::int64_t now, bool confirmed) {
  const bool window_open = in_window(p.window, now);
  const bool frozen = holding_freeze(p, offer, now) != nullptr;
  using R = DecisionReason;
  switch (p.mode) {
    case PolicyMode::kNever: {
      const bool forced =
          offer.security && offer.deadline > 0 && now >= offer.deadline && !p.never_defers_security;
      if (!forced) return {Verdict::kDeny, R::kModeNever};
      if (frozen) return {Verdict::kAskLater, R::kFrozen};
      return window_open ? Decision{Verdict::kAllow, R::kSecurityDeadline}
                         : Decision{Verdict::kAskLater, R::kOutsideWindow};
    }
    case PolicyMode::kManual:
      if (frozen) return {Verdict::kAskLater, R::kFrozen};
      return confirmed ? Decision{Verdict::kAllow, R::kConfirmed}
                       : Decision{Verdict::kAskLater, R::kAwaitingConfirmation};
    case PolicyMode::kAuto:
      break;
  }
  if (frozen) return {Verdict::kAskLater, R::kFrozen};
  return window_open ? Decision{Verdict::kAllow, R::kInWindow}
                     : Decision{Verdict::kAskLater, R::kOutsideWindow};
}

}  // namespace posfleet
