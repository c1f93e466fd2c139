// Step: verify the signed manifest before a byte is downloaded.
// Rejects bad/too few signatures, unknown keys (against the trusted root's
// release keys, agent/trust/), a sequence below one accepted before, expiry, other models, names
// that are not plain file names, downgrades and a version reused for other
// content, per release and per component (core/manifest.h); the very release
// installed already ends as kUnchanged (a replay installs nothing). Binds
// every artifact the server offered to a manifest component: names, hashes
// and lengths come from the manifest only. A patch the server offered is
// planned only when the manifest lists it for exactly the file the running
// slot holds (its recorded SHA-256; the download step hashes the file itself
// before applying it).
#include <algorithm>

#include "agent/steps/steps.h"
#include "core/manifest.h"

namespace posfleet::agent {

namespace {
// The patch to use for component c, or none: one the server offers whose file the signed
// manifest lists as made from the running slot's copy of c.
PlannedDelta delta_for(const Component& c, const InstalledRelease& installed,
                       const std::vector<PlannedArtifact>& offered) {
  auto running = std::find_if(installed.components.begin(), installed.components.end(),
                              [&](const Component& i) { return i.name == c.name; });
  if (running == installed.components.end()) return {};
  const Delta* d = c.delta_from(running->sha256);
  if (!d) return {};
  auto link = std::find_if(offered.begin(), offered.end(), [&](const PlannedArtifact& o) {
    return o.name == c.name && o.filename == d->filename && !o.href.empty();
  });
  if (link == offered.end()) return {};
  return {d->filename, link->href, d->sha256, d->length, d->from_sha256, running->filename, ""};
}
}  // namespace

Event check_manifest(UpdateContext& ctx) {
  auto& r = ctx.record;
  if (r.manifest_text.empty())
    return ctx.fail(
        make_error(Code::kBadSignature, "deployment carries no signed posfleet manifest; refused"));
  auto sm = SignedManifest::parse(r.manifest_text);
  if (!sm) return ctx.fail(sm.error());
  if (auto s = ctx.services.trust
                   ? ctx.services.trust->check_release(*sm, ctx.now())
                   : verify_signatures(*sm, ctx.config.trusted_keys, ctx.config.threshold);
      !s)
    return ctx.fail(s.error());
  auto installed = installed_release(ctx.services.boot);
  if (!installed) return ctx.fail(installed.error());
  if (auto s = check_applicable(sm->manifest, ctx.config.model, installed->version, ctx.now()); !s)
    return ctx.fail(s.error());

  auto wanted = resolve_selection(sm->manifest, r.selected);
  if (!wanted) return ctx.fail(wanted.error());
  auto applies = check_against_installed(*sm, *wanted, *installed);
  if (!applies) return ctx.fail(applies.error());
  r.version = sm->manifest.version;
  if (*applies == Applies::kAlreadyInstalled) return Event::kUnchanged;
  std::vector<PlannedArtifact> plan;
  for (const auto& c : sm->manifest.components) {
    if (std::find(wanted->begin(), wanted->end(), c.name) == wanted->end()) continue;
    auto offered = std::find_if(r.artifacts.begin(), r.artifacts.end(),
                                [&](const PlannedArtifact& a) { return a.filename == c.filename; });
    if (offered == r.artifacts.end() || offered->href.empty())
      return ctx.fail(make_error(Code::kServer, "server offers no download for component " +
                                                    c.name + " (" + c.filename + ")"));
    plan.push_back({c.name, c.version, c.filename, offered->href, c.sha256, c.length});
    plan.back().delta = delta_for(c, *installed, r.offered_deltas);
  }
  r.offered_deltas.clear();
  // Accepted: from now on an older sequence is a replay (saved before a byte is
  // downloaded, so a restart does not forget it).
  if (ctx.services.trust)
    if (auto s = ctx.services.trust->record_sequence(sm->manifest.sequence); !s)
      return ctx.fail(s.error());
  r.artifacts = std::move(plan);
  r.version = sm->manifest.version;
  return Event::kDone;
}

}  // namespace posfleet::agent
