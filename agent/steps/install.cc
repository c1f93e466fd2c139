// Step: write the verified components into the inactive slot and ask the
// bootloader to try it. Components the merchant did not choose are carried
// over from the running slot. The slot's slot.json is written last,
// atomically, so a slot is either wholly installed or recognisably not.
#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/state/fault_injection.h"
#include "agent/steps/steps.h"
#include "core/json.h"

namespace posfleet::agent {

namespace {

// Copies in chunks and syncs; `copied` counts bytes across files for the
// power-cut tests' crash points. Reading needs no care for power cuts; the
// copy is written through the filesystem seam.
Status copy_file(Fs& fs, const std::string& from, const std::string& to, std::uint64_t& copied) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return make_error(Code::kIo, "cannot read " + from + ": " + std::strerror(errno));
  auto out = fs.open_append(to, /*truncate=*/true);
  if (!out) {
    ::close(in);
    return make_error(Code::kInstall, "cannot write " + to + ": " + out.error().message);
  }
  char buf[64 * 1024];
  ssize_t n = 0;
  bool ok = true;
  while (ok && (n = ::read(in, buf, sizeof buf)) > 0) {
    ok = bool((*out)->append(std::string_view(buf, static_cast<size_t>(n))));
    copied += static_cast<std::uint64_t>(n);
    fault::at_bytes("install", copied);
  }
  ok = ok && n == 0 && (*out)->sync();
  ::close(in);
  if (!ok) return make_error(Code::kInstall, "cannot write " + to + " (is the storage full?)");
  return ok_status();
}

}  // namespace

Event install(UpdateContext& ctx) {
  namespace bj = boost::json;
  if (!ctx.hold_guard()) return ctx.wait_for("transaction", ctx.config.precheck_retry_seconds);
  auto st = ctx.services.boot.state();
  if (!st) return ctx.fail(st.error());
  auto& r = ctx.record;
  r.target_slot = BootControl::other(st->good);
  const std::string dir = ctx.services.boot.slot_dir(r.target_slot),
                    running = ctx.services.boot.slot_dir(st->good);
  // Re-run after a crash: the slot may already be pending; it is not bootable
  // while it is being rewritten.
  if (!st->pending.empty())
    if (auto s = ctx.services.boot.clear_pending(); !s) return ctx.fail(s.error());
  if (auto s = ctx.services.fs->remove(dir); !s) return ctx.fail(s.error());
  if (auto s = ctx.services.fs->make_dirs(dir); !s) return ctx.fail(s.error());
  // The slot's folder was made anew: without this a power cut can lose it
  // whole, slot.json and all (powercut_test, good|state:health_check).
  if (auto s = ctx.services.fs->sync_dir(dir.substr(0, dir.rfind('/'))); !s)
    return ctx.fail(s.error());
  bj::array comps;
  std::uint64_t copied = 0;
  for (const auto& a : r.artifacts) {
    if (auto s = copy_file(*ctx.services.fs, ctx.part_path(a), dir + "/" + a.filename, copied); !s)
      return ctx.fail(s.error());
    comps.push_back(bj::object{{"name", a.name},
                               {"version", a.version},
                               {"filename", a.filename},
                               {"sha256", a.sha256},
                               {"length", a.length}});
  }
  // Components not in this update stay as they run now.
  if (auto text = ctx.services.fs->read(running + "/slot.json"); text)
    if (auto v = json::parse(*text); v && v->is_object())
      if (auto old = json::get_array(v->get_object(), "components"); old)
        for (const auto& c : **old) {
          if (!c.is_object()) continue;
          const std::string name = json::string_or(c.get_object(), "name", ""),
                            file = json::string_or(c.get_object(), "filename", "");
          if (std::any_of(r.artifacts.begin(), r.artifacts.end(),
                          [&](const auto& a) { return a.name == name; }))
            continue;
          if (auto s = copy_file(*ctx.services.fs, running + "/" + file, dir + "/" + file, copied);
              !s)
            return ctx.fail(s.error());
          comps.push_back(c);
        }
  if (auto s = ctx.services.fs->sync_dir(dir); !s) return ctx.fail(s.error());
  // The manifest's identity, so that a replay of this release is recognised
  // and another release under the same version refused (check_manifest).
  auto sm = SignedManifest::parse(r.manifest_text);
  bj::object slot{{"version", r.version},
                  {"action_id", r.action_id},
                  {"components", comps},
                  {"manifest_sha256", sm ? manifest_sha256(*sm) : ""}};
  if (auto s = ctx.services.fs->write_atomic(dir + "/slot.json", json::serialize(slot)); !s)
    return ctx.fail(s.error());
  if (auto s = ctx.services.boot.set_pending(r.target_slot, ctx.config.max_boot_attempts); !s)
    return ctx.fail(s.error());
  ctx.progress_note("installed " + r.version + " to slot " + r.target_slot +
                    "; restarting into it");
  return Event::kDone;
}

}  // namespace posfleet::agent
