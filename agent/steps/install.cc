// Step: write the verified components into the inactive slot and ask the
// bootloader to try it. The slot's slot.json is written last, atomically, so
// a slot is either wholly installed or recognisably not.
#include <boost/json.hpp>

#include <filesystem>

#include "agent/steps/steps.h"
#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

Event install(UpdateContext& ctx) {
  namespace fs = std::filesystem;
  namespace bj = boost::json;
  auto st = ctx.boot.state();
  if (!st) return ctx.fail(st.error());
  auto& r = ctx.record;
  r.target_slot = BootControl::other(st->good);
  const std::string dir = ctx.boot.slot_dir(r.target_slot);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (auto s = make_dirs(dir); !s) return ctx.fail(s.error());
  bj::array comps;
  for (const auto& a : r.artifacts) {
    fs::copy_file(ctx.part_path(a), dir + "/" + a.filename, fs::copy_options::overwrite_existing, ec);
    if (ec)
      return ctx.fail(make_error(Code::kInstall, "cannot write " + a.filename + " to slot " + r.target_slot + ": " +
                                                     ec.message() + " (is the storage full?)"));
    comps.push_back(bj::object{{"name", a.name}, {"version", a.version}, {"filename", a.filename},
                               {"sha256", a.sha256}, {"length", a.length}});
  }
  if (auto s = fsync_dir(dir); !s) return ctx.fail(s.error());
  bj::object slot{{"version", r.version}, {"action_id", r.action_id}, {"components", comps}};
  if (auto s = write_file_atomic(dir + "/slot.json", json::serialize(slot)); !s) return ctx.fail(s.error());
  if (auto s = ctx.boot.set_pending(r.target_slot, ctx.config.max_boot_attempts); !s) return ctx.fail(s.error());
  ctx.progress_note("installed " + r.version + " to slot " + r.target_slot + "; restarting into it");
  return Event::kDone;
}

}  // namespace posfleet::agent
