#include "server/domain/releases.h"

#include "core/clock.h"
#include "core/json.h"
#include "core/manifest.h"
#include "core/version.h"
#include "server/domain/audit.h"
#include "server/domain/policy.h"
#include "server/domain/roots.h"

namespace posfleet::domain {

Expected<FileDigests> store_artifact(Context& ctx, store::ArtifactWriter& upload) {
  auto d = ctx.artifacts.commit(upload);
  if (!d) return d.error();
  if (auto s = ctx.store.put_artifact({d->sha256, d->sha1, d->md5, d->size}); !s) return s.error();
  return d;
}

namespace {

// Versions are immutable (core/version.h compares them as numbers).
Status refuse_reused_version(store::Tx& tx, const std::string& version,
                             const std::string& manifest_text) {
  auto wanted = Version::parse(version);
  if (!wanted) return wanted.error();
  auto all = tx.list_releases();
  if (!all) return all.error();
  for (const auto& old : *all) {
    auto v = Version::parse(old.version);
    if (!v || *v != *wanted) continue;
    if (old.manifest_json == manifest_text)
      return make_error(Code::kConflict,
                        "release " + old.version + " is already published; versions are immutable");
    return make_error(Code::kVersionReused,
                      "release " + old.version + " is already published with other content (" +
                          version + "); a changed release needs a new version number");
  }
  return ok_status();
}

// A file the manifest names (a component's artifact, a patch, a zchunk file) must be in the
// artifact store, with the manifest's length, before the release is published.
Status check_uploaded(Context& ctx, const std::string& missing_name, const std::string& size_name,
                      const std::string& sha256, std::uint64_t length) {
  auto a = ctx.store.artifact(sha256);
  if (!a || !ctx.artifacts.contains(sha256))
    return make_error(
        Code::kNotFound,
        missing_name + " (" + sha256 + ") is not uploaded; `posfleet release publish` uploads it");
  if (a->size != length)
    return make_error(Code::kInvalidArgument,
                      size_name + ": manifest says " + std::to_string(length) +
                          " bytes, the stored artifact has " + std::to_string(a->size));
  return ok_status();
}

}  // namespace

Expected<store::ReleaseRecord> publish_release(Context& ctx, const std::string& manifest_text) {
  auto sm = SignedManifest::parse(manifest_text);
  if (!sm) return sm.error();
  if (sm->signatures.empty())
    return make_error(Code::kInvalidArgument,
                      "release is not signed; run `posfleet release sign` first");
  store::ReleaseCheckRecord check;
  // With a published root, its release keys are the ones terminals check, so
  // they replace --release-key (docs/formats/root.md).
  auto root = current_root(ctx);
  if (!root) return root.error();
  const std::vector<PublicKey>& keys = *root ? (*root)->release.keys : ctx.release_keys;
  const int threshold = *root ? (*root)->release.threshold : ctx.release_threshold;
  const std::string where =
      *root ? "a release key of root " + std::to_string((*root)->version) + " (posfleet root)"
            : "a release key posfleetd trusts (--release-key)";
  if (!keys.empty()) {
    if (auto v = verify_signatures(*sm, keys, threshold); !v) {
      std::string why = v.error().message;
      if (auto at = why.find("this terminal trusts"); at != std::string::npos)
        why.replace(at, 20, "posfleetd trusts");
      return make_error(v.error().code, "signatures refused: " + why + "; sign it with " + where);
    }
    check.verified = true;
    check.threshold = threshold;
    for (const auto& s : sm->signatures)
      for (const auto& k : keys)
        if (k.key_id == s.key_id && check.trusted_key_ids_csv.find(k.key_id) == std::string::npos)
          check.trusted_key_ids_csv += (check.trusted_key_ids_csv.empty() ? "" : ",") + k.key_id;
  }
  const Manifest& m = sm->manifest;
  store::ReleaseRecord r;
  r.version = m.version;
  r.manifest_json = manifest_text;
  r.expires = m.expires;
  r.security = m.security;
  r.created = unix_now();
  for (const auto& model : m.models) r.models_csv += (r.models_csv.empty() ? "" : ",") + model;
  for (const auto& s : sm->signatures)
    r.key_ids_csv += (r.key_ids_csv.empty() ? "" : ",") + s.key_id;
  for (const auto& c : m.components) {
    if (auto s = check_uploaded(ctx, "artifact of component " + c.name, "component " + c.name,
                                c.sha256, c.length);
        !s)
      return s.error();
    r.components.push_back({0, 0, c.name, c.version, c.filename, c.sha256, c.length});
    for (const auto& d : c.deltas)  // offered to terminals: each must be there to download
      if (auto s = check_uploaded(ctx, "patch " + d.filename + " of component " + c.name,
                                  "patch " + d.filename, d.sha256, d.length);
          !s)
        return s.error();
    if (c.zchunk)  // served to any client once published: it must be there
      if (auto s = check_uploaded(
              ctx, "zchunk file " + c.zchunk->filename + " of component " + c.name,
              "zchunk file " + c.zchunk->filename, c.zchunk->sha256, c.zchunk->length);
          !s)
        return s.error();
  }
  if (m.security) {  // PCI DSS 6.3.3: critical patches within a month, by default
    auto fleet = scope_policy(ctx, "fleet", "");
    if (!fleet) return fleet.error();
    r.security_deadline = r.created + std::int64_t{fleet->security_deadline_days} * 86400;
  }
  auto s = ctx.store.transact([&](store::Tx& tx) -> Status {
    if (auto s = refuse_reused_version(tx, m.version, manifest_text); !s) return s;
    auto id = tx.insert_release(r);
    if (!id) return id.error();
    if (r.security_deadline)
      if (auto s = tx.set_release_deadline(r.id, r.security_deadline); !s) return s;
    check.release_id = r.id;
    for (const auto& c : m.components)
      if (c.zchunk)
        if (auto s = tx.add_zchunk_file(r.id, c.zchunk->sha256); !s) return s;
    return tx.put_release_check(check);
  });
  if (!s) return s.error();
  return r;
}

Expected<store::ReleaseRecord> set_release_deadline(Context& ctx, const std::string& version,
                                                    const std::string& deadline_utc,
                                                    const Actor& who, const std::string& reason) {
  if (auto s = check_reason(reason, "say why the deadline changes: reason is required"); !s)
    return s.error();
  auto t = parse_utc(deadline_utc);
  if (!t)
    return make_error(Code::kInvalidArgument,
                      "deadline must be a UTC time like 2026-12-24T00:00:00Z");
  store::ReleaseRecord out;
  // Read and written in one transaction, so the audit entry's "before" is the
  // deadline this change replaced.
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto r = tx.release_by_version(version);
    if (!r) return r.error();
    if (!r->security)
      return make_error(Code::kInvalidArgument, "release " + r->version +
                                                    " is not signed as security-critical; "
                                                    "create it with --security");
    if (auto s = tx.set_release_deadline(r->id, *t); !s) return s;
    const std::int64_t before = r->security_deadline;
    out = std::move(*r);
    out.security_deadline = *t;
    return record_audit(tx, who, "release.deadline", "release:" + out.version,
                        before ? format_utc(before) : "", format_utc(*t), reason);
  });
  if (!s) return s.error();
  return out;
}

std::string release_note(const store::ReleaseRecord& r, const char* lang) {
  auto v = json::parse(r.manifest_json);
  if (!v || !v->is_object()) return "";
  auto* s = v->get_object().if_contains("signed");
  auto* n = s && s->is_object() ? s->get_object().if_contains("notes") : nullptr;
  return n && n->is_object() ? json::string_or(n->get_object(), lang, "") : "";
}

}  // namespace posfleet::domain
