// Part of the download step: a component's file made from a patch (docs/formats/delta.md) and
// the running slot's copy of it, into the same <download>/<sha256>.part a full download writes,
// so verify, install and every crash after them are as for a full update. The slots are not
// touched. Nothing is trusted on the way: the patch must be the signed one, the running slot's
// file must hash to the patch's signed source, and the result to the component's signed SHA-256
// (verify checks it again). When any of that fails the caller downloads the full file instead.
#include "agent/state/fault_injection.h"
#include "agent/steps/steps.h"
#include "core/delta/patch.h"
#include "core/hashing.h"

namespace posfleet::agent {

std::string make_from_delta(UpdateContext& ctx, const PlannedArtifact& a) {
  const PlannedDelta& d = a.delta;
  const std::string patch_path = ctx.delta_part_path(a);
  auto size = ctx.services.fs->size(patch_path);
  auto patch_sha = sha256_file(patch_path);
  if (!size || *size != d.length || !patch_sha || *patch_sha != d.sha256)
    return "the patch downloaded is not the one the signed manifest names";
  auto st = ctx.services.boot.state();
  if (!st) return "the running slot cannot be read (" + st.error().message + ")";
  const std::string source_path = ctx.services.boot.slot_dir(st->good) + "/" + d.source_file;
  auto source_sha = sha256_file(source_path);
  if (!source_sha || *source_sha != d.from_sha256)
    return "the running slot's " + d.source_file + " is not the file the patch was made from";
  auto source = delta::FileReader::open(source_path);
  if (!source) return "the running slot's " + d.source_file + " cannot be read";
  auto patch = delta::FileReader::open(patch_path);
  if (!patch) return "the patch cannot be read";
  auto out = ctx.services.fs->open_append(ctx.part_path(a), /*truncate=*/true);
  if (!out) return "cannot write " + ctx.part_path(a) + " (" + out.error().message + ")";
  std::uint64_t written = 0;
  auto applied = delta::apply_patch(
      **source, **patch,
      [&](std::string_view piece) -> Status {
        if (auto s = (*out)->append(piece); !s) return s;
        written += piece.size();
        fault::at_bytes("apply", written);
        return ok_status();
      },
      a.length);
  if (!applied) return "the patch cannot be applied (" + applied.error().message + ")";
  if (applied->length != a.length || applied->sha256 != a.sha256)
    return "the patched file is not the one the signed manifest names";
  if (auto s = (*out)->sync(); !s)
    return "cannot write " + ctx.part_path(a) + " (" + s.error().message + ")";
  return "";
}

}  // namespace posfleet::agent
