#include "server/domain/deltas.h"

#include <algorithm>

namespace posfleet::domain {

namespace {

const Component* component_named(const Manifest& m, const std::string& name) {
  auto it = std::find_if(m.components.begin(), m.components.end(),
                         [&](const Component& c) { return c.name == name; });
  return it == m.components.end() ? nullptr : &*it;
}

bool lists_deltas(const Manifest& m) {
  return std::any_of(m.components.begin(), m.components.end(),
                     [](const Component& c) { return !c.deltas.empty(); });
}

}  // namespace

Expected<std::vector<OfferedDelta>> deltas_for(Context& ctx, const store::TerminalRecord& t,
                                               const store::ReleaseRecord& r) {
  std::vector<OfferedDelta> out;
  if (t.installed_version.empty() || t.installed_version == r.version) return out;
  auto target = SignedManifest::parse(r.manifest_json);  // checked when it was published
  if (!target) return target.error();
  if (!lists_deltas(target->manifest)) return out;
  auto running = ctx.store.release_by_version(t.installed_version);
  if (!running && running.error().code == Code::kNotFound) return out;  // a factory image
  if (!running) return running.error();
  auto from = SignedManifest::parse(running->manifest_json);
  if (!from) return from.error();
  for (const auto& c : r.components) {
    const Component* to = component_named(target->manifest, c.name);
    const Component* was = component_named(from->manifest, c.name);
    if (!to || !was) continue;
    if (const Delta* d = to->delta_from(was->sha256)) out.push_back({c, *d});
  }
  return out;
}

Expected<ModuleArtifact> delta_artifact_for(Context& ctx, const store::TerminalRecord& t,
                                            std::int64_t module_id, const std::string& filename) {
  auto module = artifact_for(ctx, t, module_id);
  if (!module) return module.error();
  auto r = ctx.store.release_by_id(module->component.release_id);
  if (!r) return r.error();
  auto m = SignedManifest::parse(r->manifest_json);
  if (!m) return m.error();
  const Component* c = component_named(m->manifest, module->component.name);
  const Delta* d = nullptr;
  if (c)
    for (const auto& x : c->deltas)
      if (x.filename == filename) d = &x;
  if (!d) return make_error(Code::kNotFound, "no such patch for this terminal");
  auto a = ctx.store.artifact(d->sha256);
  if (!a) return a.error();
  store::ComponentRecord patch = module->component;
  patch.filename = d->filename;
  patch.sha256 = d->sha256;
  patch.length = d->length;
  return ModuleArtifact{patch, *a};
}

}  // namespace posfleet::domain
