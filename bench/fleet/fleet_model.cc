#include "bench/fleet/fleet_model.h"

#include <cstdio>

#include "core/hashing.h"

namespace posfleet::fleet {

namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Picks from per-mille shares by a value in [0, 1000).
template <typename T>
int pick(const std::vector<T>& shares, int v) {
  for (std::size_t k = 0; k < shares.size(); ++k) {
    if (v < shares[k].per_mille) return static_cast<int>(k);
    v -= shares[k].per_mille;
  }
  return 0;
}

}  // namespace

const std::vector<ZoneShare>& zones() {
  static const std::vector<ZoneShare> z = {{"Asia/Shanghai", "sha", 750},
                                           {"Asia/Urumqi", "urc", 100},
                                           {"Asia/Hong_Kong", "hkg", 80},
                                           {"Europe/Berlin", "ber", 50},
                                           {"Asia/Kolkata", "ccu", 20}};
  return z;
}

const std::vector<ModelShare>& models() {
  static const std::vector<ModelShare> m = {
      {"A920", 500, 0.004, 0.5}, {"A80", 300, 0.008, 0.5}, {"S300", 200, 0.012, 0.5}};
  return m;
}

FleetModel::FleetModel(FleetOptions o, std::int64_t start)
    : o_(std::move(o)),
      first_gap_(o_.first_gap_now ? start / 60 * 60 : (start + 60) / 60 * 60 + 60),
      seed_(std::hash<std::string>{}(o_.secret)) {}

std::uint64_t FleetModel::mix(int i, std::uint64_t salt) const {
  return splitmix(seed_ ^ splitmix(static_cast<std::uint64_t>(i) * 0x100000001b3ULL + salt));
}

std::string FleetModel::serial(int i) const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "SIM%07d", i + 1);
  return buf;
}

std::string FleetModel::token(int i) const {
  return sha256_hex(o_.secret + ":" + serial(i)).substr(0, 48);
}

int FleetModel::model(int i) const { return pick(models(), static_cast<int>(mix(i, 1) % 1000)); }
int FleetModel::zone(int i) const { return pick(zones(), static_cast<int>(mix(i, 2) % 1000)); }

int FleetModel::gap(int i) const {
  const auto h = mix(i, 3);
  if (o_.gap_groups <= 0 || static_cast<int>(h % 1000) >= o_.gap_per_mille) return 0;
  return 1 + static_cast<int>((h / 1000) % static_cast<std::uint64_t>(o_.gap_groups));
}

std::string FleetModel::group(int g) const {
  const int per_zone = o_.gap_groups + 1;
  return std::string("sim-") + zones()[static_cast<std::size_t>(g / per_zone)].tag + "-g" +
         std::to_string(g % per_zone);
}

ClientKind FleetModel::kind(int i) const {
  return static_cast<int>(mix(i, 4) % 1000) < o_.stock_per_mille ? ClientKind::kStock
                                                                 : ClientKind::kPosfleet;
}

bool FleetModel::offline(int i) const {
  return static_cast<int>(mix(i, 5) % 1000) < o_.offline_per_mille;
}

std::pair<std::int64_t, std::int64_t> FleetModel::gap_utc(int k) const {
  if (k <= 0) return {0, 0};
  const std::int64_t first =
      first_gap_ + 60 * ((k - 1) * std::int64_t{o_.gap_spread_minutes} / o_.gap_groups);
  return {first, first + 60 * std::int64_t{o_.gap_minutes}};
}

MaintenanceWindow FleetModel::window_of(int g) const {
  const int per_zone = o_.gap_groups + 1;
  MaintenanceWindow w;
  w.tz = zones()[static_cast<std::size_t>(g / per_zone)].name;
  const auto [from, to] = gap_utc(g % per_zone);
  if (from == 0) {  // open all day
    w.start_minute = w.end_minute = 0;
    return w;
  }
  // Open from the gap's end round to its start: closed only in [from, to).
  auto a = local_time(w.tz, from), b = local_time(w.tz, to);
  w.end_minute = a ? a->minute : 0;
  w.start_minute = b ? b->minute : 0;
  return w;
}

bool FleetModel::window_open(int i, std::int64_t t) const {
  const auto [from, to] = gap_utc(gap(i));
  if (from == 0) return true;
  const std::int64_t day = 86400, d = ((t - from) % day + day) % day;
  return d >= to - from;
}

bool FleetModel::selling(int i, std::int64_t unix_ms) const {
  const bool busy = static_cast<int>(mix(i, 6) % 1000) < o_.busy_per_mille;
  const auto slot = static_cast<std::uint64_t>(unix_ms / 4000);
  return static_cast<int>(mix(i, 7 + slot * 16) % 1000) < (busy ? 300 : 50);
}

}  // namespace posfleet::fleet
