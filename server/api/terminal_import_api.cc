#include "server/api/terminal_import_api.h"

#include <boost/json.hpp>

#include "core/text.h"
#include "server/api/api_common.h"
#include "server/domain/terminal_import.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

Error bad(const std::string& why) { return make_error(Code::kInvalidArgument, why); }

Response post_import(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto* rows = body->if_contains("rows");
  if (!rows || !rows->is_array())
    return http::error_from(
        bad("send {\"rows\": [{\"serial\", \"model\", …}], \"dry_run\": true}"));
  if (rows->get_array().size() > domain::kMaxImportRows)
    return http::error_from(
        make_error(Code::kTooLarge, "at most 10,000 terminals at once; split the file"));
  bool dry_run = false;
  if (auto* d = body->if_contains("dry_run"); d && !d->is_null()) {
    if (!d->is_bool()) return http::error_from(bad("dry_run must be true or false"));
    dry_run = d->get_bool();
  }
  std::vector<domain::ImportRow> in;
  int index = 0;
  for (const auto& v : rows->get_array()) {
    ++index;
    if (!v.is_object()) return http::error_from(bad("each row must be an object"));
    const auto& o = v.get_object();
    domain::ImportRow r;
    // Where the row stands in the file, for the messages; the position in the list otherwise.
    r.line = index + 1;
    if (auto* l = o.if_contains("line");
        l && l->is_int64() && l->get_int64() > 0 && l->get_int64() < 10'000'000)
      r.line = static_cast<int>(l->get_int64());
    for (auto [key, field] : {std::pair{"serial", &r.serial}, std::pair{"model", &r.model},
                              std::pair{"merchant", &r.merchant}, std::pair{"group", &r.group},
                              std::pair{"time_zone", &r.time_zone}}) {
      auto* f = o.if_contains(key);
      if (!f || f->is_null()) continue;
      if (f->is_int64())
        *field = std::to_string(f->get_int64());
      else if (f->is_string())
        *field = std::string(text::trim(f->get_string()));
      else
        return http::error_from(
            bad("line " + std::to_string(r.line) + ": " + key + " must be text"));
      if (field->size() > 1000)
        return http::error_from(
            bad("line " + std::to_string(r.line) + ": " + key + " is too long"));
    }
    in.push_back(std::move(r));
  }
  auto result = domain::import_terminals(ctx, caller.scope, in, dry_run, caller.actor());
  if (!result) return http::error_from(result.error());
  bj::array problems, terminals;
  for (const auto& p : result->problems)
    problems.push_back(
        bj::object{{"line", p.line},
                   {"field", p.field},
                   {"code", p.code},
                   {"message", bj::object{{"zh-CN", p.message_zh}, {"en", p.message_en}}}});
  for (const auto& [serial, token] : result->tokens)
    terminals.push_back(bj::object{{"serial", serial}, {"token", token}});
  // 200 with the problems when there are any: the file was read; nothing was written.
  auto r = http::json_response(200, bj::object{{"dry_run", dry_run},
                                               {"applied", result->applied},
                                               {"rows", result->rows},
                                               {"problems", problems},
                                               {"terminals", terminals}});
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

}  // namespace

void add_terminal_import_routes(http::Router& router, domain::Context& ctx) {
  add_route(router, ctx, "POST", "/api/v1/terminals/import", Permission::kTerminal, post_import,
            http::Work::kBlocking);
}

}  // namespace posfleet::api
