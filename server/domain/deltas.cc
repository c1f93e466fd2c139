#include "server/domain/deltas.h"

#include <spdlog/spdlog.h>

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
  return ModuleArtifact{patch, *a, module->component.length};
}

void count_download(Context& ctx, const ModuleArtifact& file, std::uint64_t sent) {
  if (sent == 0) return;
  std::uint64_t full = sent;
  if (file.full_length > 0 && file.component.length > 0)  // that share of the full file
    full = static_cast<std::uint64_t>(static_cast<long double>(sent) * file.full_length /
                                      file.component.length);
  if (auto s = ctx.store.add_release_bytes(file.component.release_id, {sent, full}); !s)
    spdlog::warn("download of {} not counted in its release's bytes: {}", file.component.filename,
                 s.error().message);
}

}  // namespace posfleet::domain
