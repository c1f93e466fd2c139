#include "agent/status.h"

#include <boost/json.hpp>

#include <iostream>

#include "agent/platform.h"
#include "agent/state/update_record.h"
#include "agent/steps/steps.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

namespace bj = boost::json;

Expected<boost::json::object> status_json(const Config& config) {
  auto parts = make_agent_parts(config);
  if (!parts) return parts.error();
  BootControl& boot = *parts->boot;
  auto st = boot.state();
  if (!st) return st.error();
  auto record = UpdateRecord::load(config.device_dir + "/state/update.json");
  if (!record) return record.error();
  bj::object slots;
  for (const char* name : {"a", "b"}) {
    bj::value info = nullptr;
    if (auto text = read_file(boot.slot_dir(name) + "/slot.json"); text)
      if (auto v = json::parse(*text); v && v->is_object())
        info = bj::object{{"version", json::string_or(v->get_object(), "version", "")},
                          {"committed", st->good == name},
                          {"booted", st->booted == name}};
    slots[name] = info;
  }
  const auto& good_slot = slots[st->good];
  std::string version =
      good_slot.is_object() ? std::string(good_slot.at("version").as_string()) : "";
  const auto& l = record->last;
  bj::value last = nullptr;
  if (l.action_id)
    last = bj::object{
        {"action_id", l.action_id},      {"version", l.version}, {"result", l.result},
        {"message", l.message},          {"code", l.code},       {"time", format_utc(l.time)},
        {"resumed_from", l.resumed_from}};
  bj::value progress = nullptr;
  if (auto p = read_file(config.device_dir + "/state/progress.json");
      p && !record->state.empty() && record->state != "idle")
    if (auto v = json::parse(*p); v) progress = *v;
  bj::object o{{"terminal", config.terminal},
               {"model", config.model},
               {"version", version},
               {"slot", st->good},
               {"booted", st->booted},
               {"pending", st->pending},
               {"attempts_left", st->attempts_left},
               {"slots", slots},
               {"update_state", record->state},
               {"progress", progress},
               {"last_update", last}};
  o["waiting"] = record->waiting.empty()
                     ? bj::value(nullptr)
                     : bj::value(bj::object{{"reason", record->waiting},
                                            {"zh-CN", waiting_text(record->waiting, true)},
                                            {"en", waiting_text(record->waiting, false)}});
  return o;
}

Status print_status(const Config& config, bool as_json) {
  auto status = status_json(config);
  if (!status) return status.error();
  const auto& o = *status;
  if (as_json) {
    std::cout << json::serialize(o) << "\n";
    return ok_status();
  }
  auto text = [&](const bj::value& v, const char* k) { return std::string(v.at(k).as_string()); };
  std::cout << "terminal " << config.terminal << " (" << config.model << ")\n"
            << "  version      " << text(o, "version") << " (slot " << text(o, "slot") << ")\n";
  for (const char* name : {"a", "b"}) {
    const auto& s = o.at("slots").at(name);
    std::cout << "  slot " << name << "       "
              << (s.is_object() ? text(s, "version") : std::string("(empty)"))
              << (text(o, "slot") == name ? "  committed" : "")
              << (text(o, "booted") == name ? "  booted" : "")
              << (text(o, "pending") == name ? "  pending" : "") << "\n";
  }
  std::cout << "  update       " << text(o, "update_state");
  const auto& progress = o.at("progress");
  if (progress.is_object())
    std::cout << "  " << progress.at("percent").as_int64() << "% ("
              << progress.at("bytes").as_int64() << "/" << progress.at("total").as_int64()
              << " bytes)";
  std::cout << "\n";
  if (o.at("waiting").is_object())
    std::cout << "  waiting      " << text(o.at("waiting"), "en") << "\n";
  const auto& l = o.at("last_update");
  if (l.is_object())
    std::cout << "  last update  " << text(l, "result") << ": " << text(l, "message") << " (action "
              << l.at("action_id").as_int64() << ", " << text(l, "time") << ")\n";
  else
    std::cout << "  last update  none\n";
  return ok_status();
}

}  // namespace posfleet::agent
