#include "agent/device/simulated_boot_control.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "agent/state/fault_injection.h"
#include "core/hashing.h"
#include "core/json.h"

namespace posfleet::agent {

namespace bj = boost::json;

Status SimulatedBootControl::init(const std::string& factory_version) {
  const std::string powered = dir_ + "/run/powered";
  if (fs_.exists(dir_ + "/boot.json")) {
    if (fs_.exists(powered)) return ok_status();
    // The first start since the power came back: the bootloader ran first.
    fault::Scope scope("power_up");
    auto s = reboot();
    if (!s) return s.error();
    spdlog::info("power-up: booted slot {} (committed {}, pending '{}', {} attempt(s) left)",
                 s->booted, s->good, s->pending, s->attempts_left);
  } else {
    for (const char* slot : {"a", "b"})
      if (auto s = fs_.make_dirs(slot_dir(slot)); !s) return s;
    bj::object slot{{"version", factory_version}, {"components", bj::array()}};
    if (auto s = fs_.write_atomic(slot_dir("a") + "/slot.json", json::serialize(slot)); !s)
      return s;
    if (auto s = save(BootState{}); !s) return s;
  }
  // /run is not kept across a cut, so nothing here needs syncing.
  if (auto s = fs_.make_dirs(dir_ + "/run"); !s) return s;
  auto f = fs_.open_append(powered, /*truncate=*/true);
  if (!f) return f.error();
  return ok_status();
}

Expected<BootState> SimulatedBootControl::state() {
  auto text = fs_.read(dir_ + "/boot.json");
  if (!text) return text.error();
  auto v = json::parse(*text);
  if (!v || !v->is_object()) return make_error(Code::kParse, dir_ + "/boot.json is damaged");
  const auto& o = v->get_object();
  BootState s;
  s.good = json::string_or(o, "good", "a");
  s.booted = json::string_or(o, "booted", s.good);
  s.pending = json::string_or(o, "pending", "");
  if (auto n = json::get_int(o, "attempts_left"); n) s.attempts_left = static_cast<int>(*n);
  if (auto n = json::get_int(o, "boots"); n) s.boots = static_cast<int>(*n);
  return s;
}

Status SimulatedBootControl::save(const BootState& s) {
  bj::object o{{"good", s.good},
               {"booted", s.booted},
               {"pending", s.pending},
               {"attempts_left", s.attempts_left},
               {"boots", s.boots}};
  return fs_.write_atomic(dir_ + "/boot.json", json::serialize(o));
}

Status SimulatedBootControl::set_pending(const std::string& slot, int attempts) {
  fault::Scope scope("set_pending");
  auto s = state();
  if (!s) return s.error();
  if (slot == s->good)
    return make_error(Code::kInvalidArgument, "slot " + slot + " is already the committed slot");
  s->pending = slot;
  s->attempts_left = attempts;
  return save(*s);
}

Status SimulatedBootControl::clear_pending() {
  fault::Scope scope("clear_pending");
  auto s = state();
  if (!s) return s.error();
  s->pending.clear();
  s->attempts_left = 0;
  return save(*s);
}

namespace {
bool faulty(Fs& fs, const std::string& device_dir, const char* fault, const std::string& slot) {
  auto text = fs.read(device_dir + "/hw/faults.json");
  if (!text) return false;
  auto v = json::parse(*text);
  if (!v || !v->is_object()) return false;
  auto list = json::get_array(v->get_object(), fault);
  if (!list) return false;
  for (const auto& e : **list)
    if (e.is_string() && e.get_string() == slot) return true;
  return false;
}
}  // namespace

bool SimulatedBootControl::intact(const std::string& slot) {
  auto text = fs_.read(slot_dir(slot) + "/slot.json");
  if (!text) return false;
  auto v = json::parse(*text);
  if (!v || !v->is_object()) return false;
  auto comps = json::get_array(v->get_object(), "components");
  if (!comps) return false;
  for (const auto& c : **comps) {
    if (!c.is_object()) return false;
    const auto file = json::string_or(c.get_object(), "filename", "");
    auto sha = sha256_file(slot_dir(slot) + "/" + file);
    if (file.empty() || !sha || *sha != json::string_or(c.get_object(), "sha256", "")) return false;
  }
  return true;
}

Expected<BootState> SimulatedBootControl::reboot() {
  auto s = state();
  if (!s) return s.error();
  ++s->boots;
  // A slot that never comes up, or that fails verification, makes the board
  // reset again at once, spending its attempts: the boot loop the attempt
  // counter exists to end.
  while (!s->pending.empty() && s->attempts_left > 0 &&
         (faulty(fs_, dir_, "boot_fail", s->pending) || !intact(s->pending))) {
    --s->attempts_left;
    ++s->boots;
  }
  if (!s->pending.empty() && s->attempts_left > 0) {
    --s->attempts_left;
    s->booted = s->pending;
    if (faulty(fs_, dir_, "corrupt_settings", s->booted)) {
      // The simulated bad migration; if it cannot be written the health
      // check simply finds the settings intact, which a test would notice.
      Status garbled = fs_.make_dirs(dir_ + "/data");
      if (garbled)
        garbled = fs_.write_atomic(dir_ + "/data/settings.json",
                                   "{\"migrated\": tru");  // half-written by the new firmware
      if (!garbled)
        spdlog::warn("simulated fault corrupt_settings not applied: {}", garbled.error().message);
    }
  } else {
    s->pending.clear();
    s->attempts_left = 0;
    s->booted = s->good;
  }
  if (auto st = save(*s); !st) return st.error();
  return s;
}

Status SimulatedBootControl::mark_good() {
  fault::Scope scope("mark_good");
  auto s = state();
  if (!s) return s.error();
  s->good = s->booted;
  s->pending.clear();
  s->attempts_left = 0;
  return save(*s);
}

}  // namespace posfleet::agent
