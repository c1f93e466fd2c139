#include "core/health.h"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "core/json.h"
#include "core/text.h"

namespace posfleet::health {

namespace bj = boost::json;

bool Sample::low_battery() const {
  return battery && *battery <= kLowBatteryPercent && !charging.value_or(false);
}

bool Sample::low_storage() const {
  if (!storage_free) return false;
  if (*storage_free < kLowStorageBytes) return true;
  return storage_total && *storage_total > 0 &&
         *storage_free * 100 < *storage_total * static_cast<std::uint64_t>(kLowStoragePercent);
}

bool Sample::weak_signal() const {
  return signal && (network == "wifi" || network == "cellular") && *signal < kWeakSignalPercent;
}

std::string Sample::to_json() const {
  bj::object o;
  if (battery) o["battery"] = *battery;
  if (charging) o["charging"] = *charging;
  if (storage_free) o["storage_free"] = *storage_free;
  if (storage_total) o["storage_total"] = *storage_total;
  if (!network.empty()) o["network"] = network;
  if (signal) o["signal"] = *signal;
  if (uptime) o["uptime"] = *uptime;
  if (last_sale) o["last_sale"] = *last_sale;
  bj::object a;
  for (const auto& [name, version] : apps) a[name] = version;
  o["apps"] = std::move(a);
  return json::canonical(o);
}

namespace {

Error refused(const std::string& field, const std::string& rule) {
  return make_error(Code::kInvalidArgument,
                    (field.empty() ? "health" : "health." + field) + " " + rule);
}

// An integer field within [lo, hi], or nothing when absent or null.
Expected<std::optional<std::int64_t>> ranged(const bj::object& o, const char* field,
                                             std::int64_t lo, std::int64_t hi) {
  const auto* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::int64_t>();
  std::int64_t n = 0;
  if (v->is_int64())
    n = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(hi))
    n = static_cast<std::int64_t>(v->get_uint64());
  else
    n = lo - 1;
  if (n < lo || n > hi)
    return refused(
        field, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return std::optional<std::int64_t>(n);
}

bool app_name_ok(std::string_view s) {
  return !s.empty() && s.size() <= kMaxAppChars && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool version_ok(std::string_view s) {
  return !s.empty() && s.size() <= kMaxAppChars &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

}  // namespace

Expected<Sample> parse(std::string_view text, std::int64_t now) {
  if (text.size() > kMaxJsonBytes)
    return refused("", "is longer than " + std::to_string(kMaxJsonBytes) + " bytes");
  auto v = json::parse_untrusted(text);
  if (!v || !v->is_object())
    return make_error(Code::kInvalidArgument, "health must be a JSON object");
  const auto& o = v->get_object();
  static const std::set<std::string_view> kFields = {"battery",       "charging",  "storage_free",
                                                     "storage_total", "network",   "signal",
                                                     "uptime",        "last_sale", "apps"};
  for (const auto& [k, _] : o)
    if (!kFields.contains(std::string_view(k)))
      return make_error(Code::kInvalidArgument,
                        "health has a field it does not know: " + text::safe_echo(k, 32) +
                            "; see docs/health.md");
  Sample s;
  constexpr std::int64_t kPetabyte = std::int64_t{1} << 50;
  auto battery = ranged(o, "battery", 0, 100);
  auto signal = ranged(o, "signal", 0, 100);
  auto free = ranged(o, "storage_free", 0, kPetabyte);
  auto total = ranged(o, "storage_total", 0, kPetabyte);
  auto uptime = ranged(o, "uptime", 0, 100ll * 365 * 86400);
  auto sale = ranged(o, "last_sale", 0, now + 86400);
  for (const auto* r : {&battery, &signal, &free, &total, &uptime, &sale})
    if (!*r) return r->error();
  if (*battery) s.battery = static_cast<int>(**battery);
  if (*signal) s.signal = static_cast<int>(**signal);
  if (*free) s.storage_free = static_cast<std::uint64_t>(**free);
  if (*total) s.storage_total = static_cast<std::uint64_t>(**total);
  s.uptime = *uptime;
  s.last_sale = *sale;
  if (const auto* c = o.if_contains("charging"); c && !c->is_null()) {
    if (!c->is_bool()) return refused("charging", "must be true or false");
    s.charging = c->get_bool();
  }
  if (const auto* n = o.if_contains("network"); n && !n->is_null()) {
    static const std::set<std::string_view> kKinds = {"wifi", "ethernet", "cellular", "offline"};
    if (!n->is_string() || !kKinds.contains(std::string_view(n->get_string())))
      return refused("network", "must be wifi, ethernet, cellular or offline");
    s.network = std::string(n->get_string());
  }
  if (const auto* a = o.if_contains("apps"); a && !a->is_null()) {
    if (!a->is_object()) return refused("apps", "must be an object of name: version");
    if (a->get_object().size() > kMaxApps)
      return refused("apps", "may name at most " + std::to_string(kMaxApps) + " apps");
    for (const auto& [name, version] : a->get_object()) {
      if (!app_name_ok(name)) return refused("apps", "names must be 1-64 of A-Z a-z 0-9 . _ -");
      if (!version.is_string() || !version_ok(version.get_string()))
        return refused("apps", "versions must be 1-64 printable characters");
      s.apps.emplace_back(std::string(name), std::string(version.get_string()));
    }
    std::sort(s.apps.begin(), s.apps.end());
  }
  return s;
}

}  // namespace posfleet::health
