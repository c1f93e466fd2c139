#include "server/domain/audit_reading.h"

namespace posfleet::domain {

Expected<AuditPage> audit_page(Context& ctx, const store::AuditQuery& q) {
  auto entries = ctx.store.query_audit(q);
  if (!entries) return entries.error();
  auto total = ctx.store.count_audit(q);
  if (!total) return total.error();
  return AuditPage{std::move(*entries), *total, audit_head(ctx)};
}

Expected<std::vector<AuditEntry>> audit_export(Context& ctx, store::AuditQuery q, std::int64_t max,
                                               const std::string& format, const Actor& who) {
  q.newest_first = false;
  q.offset = 0;
  auto total = ctx.store.count_audit(q);
  if (!total) return total.error();
  if (*total > max)
    return make_error(Code::kInvalidArgument,
                      std::to_string(*total) + " entries match; narrow the filters to at most " +
                          std::to_string(max) + " (or use posfleet audit export)");
  std::vector<AuditEntry> out;
  for (q.limit = 5000;;) {
    auto page = ctx.store.query_audit(q);
    if (!page) return page.error();
    if (page->empty()) break;
    q.after_id = page->back().id;
    out.insert(out.end(), std::make_move_iterator(page->begin()),
               std::make_move_iterator(page->end()));
    if (static_cast<std::int64_t>(out.size()) >= *total) break;
  }
  if (auto s = record_audit(ctx, who, "audit.export", "audit", "",
                            format + ", " + std::to_string(out.size()) + " entries", "");
      !s)
    return s.error();
  return out;
}

}  // namespace posfleet::domain
