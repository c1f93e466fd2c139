#include "server/domain/roots.h"

#include "core/clock.h"
#include "server/domain/audit.h"

namespace posfleet::domain {

Expected<store::RootRecord> publish_root(Context& ctx, const Actor& who, const std::string& text) {
  auto next = SignedRoot::parse(text);
  if (!next) return next.error();
  store::RootRecord rec{next->root.version, next->to_json_text(), unix_now(), who.name};
  std::string before;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto latest = tx.latest_root();
    if (!latest) return latest.error();
    if (!latest->has_value()) {
      if (next->root.version != 1)
        return make_error(Code::kRootNotNext,
                          "posfleetd has no root yet; publish root 1 (the one terminals are "
                          "provisioned with) first, not root " +
                              std::to_string(next->root.version));
      if (auto ok = check_self_signed(*next); !ok) return ok;
    } else {
      auto cur = SignedRoot::parse((*latest)->text);
      if (!cur) return cur.error().with_context("stored root");
      before = "root " + std::to_string(cur->root.version);
      if (auto ok = check_next_root(cur->root, *next); !ok) return ok;
    }
    if (auto ok = tx.insert_root(rec); !ok) return ok;
    std::string after = "root " + std::to_string(rec.version) + "; release keys " +
                        std::to_string(next->root.release.threshold) + " of";
    for (const auto& k : next->root.release.keys) after += " " + k.key_id;
    return record_audit(tx, who, "root.publish", "root " + std::to_string(rec.version), before,
                        after, "");
  });
  if (!s) return s.error();
  return rec;
}

Expected<std::optional<Root>> current_root(Context& ctx) {
  auto latest = ctx.store.latest_root();
  if (!latest) return latest.error();
  if (!latest->has_value()) return std::optional<Root>{};
  auto r = SignedRoot::parse((*latest)->text);
  if (!r) return r.error().with_context("stored root");
  return std::optional<Root>{r->root};
}

Expected<std::int64_t> latest_root_version(Context& ctx) {
  auto latest = ctx.store.latest_root();
  if (!latest) return latest.error();
  return latest->has_value() ? (*latest)->version : 0;
}

Expected<store::RootRecord> root_by_version(Context& ctx, std::int64_t version) {
  return ctx.store.root_by_version(version);
}

}  // namespace posfleet::domain
