// Step: check the freshly booted slot before committing it: it is the slot we
// installed, it holds the release we verified, and every component file is
// intact, and the merchant's data is still readable after its first boot.
// (Per-component checks supplied by a release plug in here.) Tests make a slot
// fail with {"health_fail": ["b"]} in <device_dir>/hw/faults.json.
#include <boost/json.hpp>

#include "agent/steps/steps.h"
#include "core/fs.h"
#include "core/hashing.h"
#include "core/json.h"

namespace posfleet::agent {

Event health_check(UpdateContext& ctx) {
  // After a restart the guard must be taken again: a failure here reboots.
  if (!ctx.hold_guard()) return ctx.wait_for("transaction", ctx.config.precheck_retry_seconds);
  auto st = ctx.services.boot.state();
  if (!st) return ctx.fail(st.error());
  if (st->booted != ctx.record.target_slot)
    return ctx.fail(make_error(
        Code::kHealthCheck, "running slot " + st->booted + ", expected " + ctx.record.target_slot));
  const std::string dir = ctx.services.boot.slot_dir(st->booted);
  auto text = read_file(dir + "/slot.json");
  if (!text) return ctx.fail(make_error(Code::kHealthCheck, "new slot has no slot.json"));
  auto v = json::parse(*text);
  if (!v || !v->is_object() ||
      json::string_or(v->get_object(), "version", "") != ctx.record.version)
    return ctx.fail(
        make_error(Code::kHealthCheck, "new slot does not hold release " + ctx.record.version));
  for (const auto& a : ctx.record.artifacts) {
    auto sha = sha256_file(dir + "/" + a.filename);
    if (!sha || *sha != a.sha256)
      return ctx.fail(
          make_error(Code::kHealthCheck, "component " + a.name + " is damaged in the new slot"));
  }
  if (ctx.services.data && !ctx.services.data->settings_readable())
    return ctx.fail(
        make_error(Code::kHealthCheck,
                   "the merchant's settings are unreadable after the new version started"));
  if (auto faults = read_file(ctx.config.device_dir + "/hw/faults.json"); faults)
    if (auto f = json::parse(*faults); f && f->is_object())
      if (auto list = json::get_array(f->get_object(), "health_fail"); list)
        for (const auto& slot : **list)
          if (slot.is_string() && slot.get_string() == st->booted)
            return ctx.fail(make_error(Code::kHealthCheck,
                                       "the new version's self-test failed on slot " + st->booted));
  return Event::kDone;
}

}  // namespace posfleet::agent
