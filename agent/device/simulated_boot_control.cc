#include "agent/device/simulated_boot_control.h"

#include <boost/json.hpp>

#include <filesystem>

#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

namespace bj = boost::json;

Status SimulatedBootControl::init(const std::string& factory_version) {
  if (std::filesystem::exists(dir_ + "/boot.json")) return ok_status();
  for (const char* slot : {"a", "b"})
    if (auto s = make_dirs(slot_dir(slot)); !s) return s;
  bj::object slot{{"version", factory_version}, {"components", bj::array()}};
  if (auto s = write_file_atomic(slot_dir("a") + "/slot.json", json::serialize(slot)); !s) return s;
  return save(BootState{});
}

Expected<BootState> SimulatedBootControl::state() {
  auto text = read_file(dir_ + "/boot.json");
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
  return write_file_atomic(dir_ + "/boot.json", json::serialize(o));
}

Status SimulatedBootControl::set_pending(const std::string& slot, int attempts) {
  auto s = state();
  if (!s) return s.error();
  if (slot == s->good)
    return make_error(Code::kInvalidArgument, "slot " + slot + " is already the committed slot");
  s->pending = slot;
  s->attempts_left = attempts;
  return save(*s);
}

Status SimulatedBootControl::clear_pending() {
  auto s = state();
  if (!s) return s.error();
  s->pending.clear();
  s->attempts_left = 0;
  return save(*s);
}

namespace {
bool faulty(const std::string& device_dir, const char* fault, const std::string& slot) {
  auto text = read_file(device_dir + "/hw/faults.json");
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

Expected<BootState> SimulatedBootControl::reboot() {
  auto s = state();
  if (!s) return s.error();
  ++s->boots;
  // A slot that never comes up makes the board reset again at once, spending
  // its attempts: the boot loop the attempt counter exists to end.
  while (!s->pending.empty() && s->attempts_left > 0 && faulty(dir_, "boot_fail", s->pending)) {
    --s->attempts_left;
    ++s->boots;
  }
  if (!s->pending.empty() && s->attempts_left > 0) {
    --s->attempts_left;
    s->booted = s->pending;
    if (faulty(dir_, "corrupt_settings", s->booted) && make_dirs(dir_ + "/data"))
      write_file_atomic(dir_ + "/data/settings.json",
                        "{\"migrated\": tru");  // half-written by the new firmware
  } else {
    s->pending.clear();
    s->attempts_left = 0;
    s->booted = s->good;
  }
  if (auto st = save(*s); !st) return st.error();
  return s;
}

Status SimulatedBootControl::mark_good() {
  auto s = state();
  if (!s) return s.error();
  s->good = s->booted;
  s->pending.clear();
  s->attempts_left = 0;
  return save(*s);
}

}  // namespace posfleet::agent
