// Step: every downloaded file must have exactly the manifest's length and
// SHA-256, and the release is still trusted under the current root. A
// mismatching file is deleted, so a later deployment starts clean.
#include <spdlog/spdlog.h>

#include "agent/steps/steps.h"
#include "core/hashing.h"

namespace posfleet::agent {

namespace {
// The update fails either way; a file left behind is truncated by the next
// download, which checks its length first.
void discard(UpdateContext& ctx, const std::string& path) {
  if (auto s = ctx.services.fs->remove(path); !s)
    spdlog::warn("update: cannot remove {}: {}", path, s.error().message);
}
}  // namespace

Event verify_artifacts(UpdateContext& ctx) {
  // The root may have changed since check_manifest (a rotation while it
  // downloaded): a release signed by a key the new root revoked stops here,
  // before anything is installed.
  if (ctx.services.trust) {
    auto sm = SignedManifest::parse(ctx.record.manifest_text);
    if (!sm) return ctx.fail(sm.error());
    if (auto s = ctx.services.trust->recheck_pending(*sm, ctx.now()); !s) {
      for (const auto& a : ctx.record.artifacts) discard(ctx, ctx.part_path(a));
      return ctx.fail(s.error());
    }
  }
  for (const auto& a : ctx.record.artifacts) {
    const std::string path = ctx.part_path(a);
    const auto size = ctx.services.fs->size(path);
    if (!size || *size != a.length) {
      discard(ctx, path);
      return ctx.fail(make_error(Code::kLengthMismatch, a.filename + " has " +
                                                            std::to_string(size ? *size : 0) +
                                                            " bytes; the signed manifest says " +
                                                            std::to_string(a.length)));
    }
    auto sha = sha256_file(path);
    if (!sha) return ctx.fail(sha.error());
    if (*sha != a.sha256) {
      discard(ctx, path);
      return ctx.fail(make_error(
          Code::kHashMismatch, a.filename + " does not match the signed manifest's SHA-256 (got " +
                                   sha->substr(0, 16) + "…); it was altered or damaged"));
    }
  }
  return Event::kDone;
}

}  // namespace posfleet::agent
