// posfleet server: management API routes of the audit log — the filtered,
// paged list, the export as a download (CSV or JSON Lines) and the chain
// check. All need kAudit (administrators and auditors).
//
// Filters (all optional): actor, path, terminal (serial), from and to (UTC,
// 2027-01-31T00:00:00Z, inclusive), after (id). The list also takes offset,
// limit (1-5000) and order (asc, the default, or desc).
#include <boost/json.hpp>

#include <algorithm>
#include <sstream>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "server/api/api_common.h"
#include "server/api/fleet_api.h"
#include "server/domain/audit_reading.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::int64_t kExportMax = 100000;

Expected<std::int64_t> number(const Request& req, const char* name, std::int64_t fallback) {
  const std::string text = req.query_or(name, "");
  if (text.empty()) return fallback;
  try {
    size_t used = 0;
    auto v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return make_error(Code::kInvalidArgument, std::string(name) + " must be a whole number");
}

Expected<std::int64_t> time_param(const Request& req, const char* name) {
  const std::string text = req.query_or(name, "");
  if (text.empty()) return 0;
  auto t = parse_utc(text);
  if (!t) return make_error(Code::kInvalidArgument, std::string(name) + ": " + t.error().message);
  return t;
}

// The filters of the request within the caller's subtree: entries of other organisations do not
// exist for it.
Expected<store::AuditQuery> audit_query(const Request& req, const Caller& caller) {
  store::AuditQuery q;
  q.org_path = caller.scope.query_path();
  q.actor = req.query_or("actor", "");
  q.path = req.query_or("path", "");
  q.terminal = req.query_or("terminal", "");
  auto from = time_param(req, "from"), to = time_param(req, "to");
  if (!from) return from.error();
  if (!to) return to.error();
  q.from = *from;
  q.to = *to;
  if (q.from && q.to && q.from > q.to)
    return make_error(Code::kInvalidArgument, "from must not be after to");
  auto after = number(req, "after", 0), offset = number(req, "offset", 0),
       limit = number(req, "limit", 500);
  for (auto* n : {&after, &offset, &limit})
    if (!*n) return n->error();
  q.after_id = std::max<std::int64_t>(0, *after);
  q.offset = std::max<std::int64_t>(0, *offset);
  q.limit = std::clamp<std::int64_t>(*limit, 1, 5000);
  const std::string order = req.query_or("order", "asc");
  if (order != "asc" && order != "desc")
    return make_error(Code::kInvalidArgument, "order must be asc or desc");
  q.newest_first = order == "desc";
  return q;
}

bj::object head_json(const domain::AuditHead& h) {
  return bj::object{{"id", h.id}, {"hash", h.hash}};
}

// An entry as the caller may read it. The chain's hashes are the acquirer's: from two of a
// reseller's entries with one of another organisation's between them, its own entry's prev_hash
// and the earlier one's hash would let it test guesses of the unseen entry.
bj::object entry_json(const AuditEntry& e, const Caller& caller) {
  auto o = e.to_json();
  if (!caller.scope.whole_tree()) {
    o.erase("prev_hash");
    o.erase("hash");
  }
  return o;
}

Response get_audit(domain::Context& ctx, Request& req, const Caller& caller) {
  auto q = audit_query(req, caller);
  if (!q) return http::error_from(q.error());
  auto page = domain::audit_page(ctx, *q);
  if (!page) return http::error_from(page.error());
  bj::array out;
  for (const auto& e : page->entries) out.push_back(entry_json(e, caller));
  // The chain's head is the whole log's: a reseller's or merchant's user reads its own entries
  // and not the fleet's (the chain check is the acquirer's).
  return http::json_response(
      200, bj::object{{"entries", out},
                      {"total", page->total},
                      {"offset", q->offset},
                      {"limit", q->limit},
                      {"head", caller.scope.whole_tree() ? bj::value(head_json(page->head))
                                                         : bj::value(nullptr)}});
}

// One CSV field (RFC 4180). A field a spreadsheet would run as a formula
// starts with an apostrophe. Text written before the server checked it shows
// U+FFFD here; the JSON Lines export keeps its exact bytes (raw_hex).
std::string csv_field(const std::string& raw) {
  const std::string v = text::to_valid_utf8(raw);
  std::string out = "\"";
  if (!v.empty() && std::string_view("=+-@\t\r").find(v[0]) != std::string_view::npos) out += '\'';
  for (char ch : v) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

void write_csv(std::ostringstream& out, const AuditEntry& e, bool hashes) {
  static const std::string none;
  out << e.id << ',' << format_utc(e.time);
  for (const auto* f :
       {&e.actor, &e.actor_kind, &e.address, &e.path, &e.action, &e.target, &e.before, &e.after,
        &e.reason, hashes ? &e.prev_hash : &none, hashes ? &e.hash : &none})
    out << ',' << csv_field(*f);
  out << ',' << e.organisation << "\r\n";
}

Response export_audit(domain::Context& ctx, Request& req, const Caller& caller) {
  const std::string format = req.query_or("format", "");
  if (format != "csv" && format != "jsonl")
    return http::error_from(make_error(Code::kInvalidArgument, "format must be csv or jsonl"));
  auto q = audit_query(req, caller);
  if (!q) return http::error_from(q.error());
  auto entries = domain::audit_export(ctx, *q, kExportMax, format, caller.actor());
  if (!entries) return http::error_from(entries.error());
  std::ostringstream out;
  if (format == "csv")  // with a byte-order mark, so spreadsheets read the Chinese text as UTF-8
    out << "\xEF\xBB\xBF"
        << "id,time_utc,actor,actor_kind,address,path,action,target,before,after,reason,prev_hash,"
           "hash,organisation\r\n";
  for (const auto& e : *entries) {
    if (format == "csv")
      write_csv(out, e, caller.scope.whole_tree());
    else
      out << json::serialize(entry_json(e, caller)) << "\n";
  }
  Response r;
  r.content_type =
      format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
  r.body = out.str();
  std::string day = format_utc(unix_now()).substr(0, 10);
  r.headers.push_back({"Content-Disposition",
                       "attachment; filename=\"posfleet-audit-" + day + "." + format + "\""});
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

Response verify_audit(domain::Context& ctx, Request&, const Caller&) {
  auto v = domain::verify_audit(ctx);
  if (!v) return http::error_from(v.error());
  bj::object out{{"ok", v->check.ok}, {"entries", v->check.entries}, {"head", head_json(v->head)}};
  if (!v->check.ok) {
    out["broken_at"] = v->check.first_bad_id;
    out["reason"] = v->check.problem;
  }
  if (v->check.invalid_text_entries) {
    out["invalid_text_entries"] = v->check.invalid_text_entries;
    out["first_invalid_text_id"] = v->check.first_invalid_text_id;
    out["notice"] = v->check.notice();
  }
  return http::json_response(200, out);
}

}  // namespace

void add_audit_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "GET", "/api/v1/audit", P::kAudit, get_audit);
  add_route(router, ctx, "GET", "/api/v1/audit/export", P::kAudit, export_audit,
            http::Work::kBlocking);
  add_route(router, ctx, "GET", "/api/v1/audit/verify", P::kAudit, verify_audit,
            http::Work::kBlocking);
}

}  // namespace posfleet::api
