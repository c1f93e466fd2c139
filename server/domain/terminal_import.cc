#include "server/domain/terminal_import.h"

#include <map>

#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/terminals.h"
#include "server/domain/time_zones.h"

namespace posfleet::domain {

namespace {

ImportProblem problem(int line, const char* field, const char* code, std::string zh,
                      std::string en) {
  return ImportProblem{line, field, code, std::move(zh), std::move(en)};
}

}  // namespace

Expected<ImportResult> import_terminals(Context& ctx, const Scope& scope,
                                        const std::vector<ImportRow>& rows, bool dry_run,
                                        const Actor& who) {
  if (rows.empty()) return make_error(Code::kInvalidArgument, "the file has no terminal rows");
  if (rows.size() > kMaxImportRows)
    return make_error(Code::kTooLarge, "at most 10,000 terminals at once; split the file");
  ImportResult out;
  out.rows = rows.size();
  std::map<std::string, int> seen;                 // serial → first line
  std::map<std::int64_t, std::int64_t> merchants;  // id given → the merchant's (0: none)
  std::vector<std::int64_t> org_of(rows.size(), 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    auto& p = out.problems;
    if (r.serial.empty()) {
      p.push_back(problem(r.line, "serial", "required", "缺少序列号", "the serial is missing"));
    } else if (!valid_serial(r.serial)) {
      p.push_back(problem(r.line, "serial", "format", "序列号须为 1-64 个字母、数字或 . _ -",
                          "the serial must be 1-64 letters, digits, '.', '_' or '-'"));
    } else if (auto [at, fresh] = seen.emplace(r.serial, r.line); !fresh) {
      p.push_back(problem(r.line, "serial", "duplicate",
                          "与第 " + std::to_string(at->second) + " 行的序列号重复",
                          "the same serial as line " + std::to_string(at->second)));
    } else if (auto t = ctx.store.terminal_by_serial(ctx.tenant, r.serial); t && !t->retired) {
      p.push_back(problem(r.line, "serial", "exists", "该序列号已登记",
                          "a terminal with this serial is registered already"));
    }
    if (r.model.empty())
      p.push_back(problem(r.line, "model", "required", "缺少型号", "the model is missing"));
    else if (!text::check_field("model", r.model, limits::kModelChars))
      p.push_back(problem(r.line, "model", "format", "型号须为 1-64 个字符",
                          "the model must be 1-64 characters of text"));
    if (!r.merchant.empty()) {
      std::int64_t id = 0;
      const bool digits = r.merchant.size() <= 18 &&
                          r.merchant.find_first_not_of("0123456789") == std::string::npos;
      if (digits) id = std::stoll(r.merchant);
      auto known = merchants.find(id);
      if (known == merchants.end()) {
        auto o = id > 0 ? organisation_in(ctx, scope, id)
                        : Expected<store::OrganisationRecord>(make_error(Code::kNotFound, ""));
        known = merchants.emplace(id, o && o->kind == "merchant" ? o->id : 0).first;
      }
      if (known->second == 0)
        p.push_back(problem(r.line, "merchant", "unknown",
                            "没有这个商户：请填写组织列表中商户的编号",
                            "no such merchant: give a merchant's id from the organisation list"));
      else
        org_of[i] = known->second;
    }
    if (!text::check_field("group", r.group, limits::kGroupChars))
      p.push_back(problem(r.line, "group", "format", "分组名须为 64 个字符以内的文字",
                          "the group must be at most 64 characters of text"));
    if (!check_zone_or_empty(r.time_zone))
      p.push_back(problem(r.line, "time_zone", "unknown", "不认识的时区，例如 Asia/Shanghai",
                          "an unknown time zone; e.g. Asia/Shanghai"));
  }
  if (dry_run || !out.problems.empty()) return out;
  auto s = commit_change(ctx, [&](store::Tx& tx) -> Status {
    out.tokens.clear();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      auto reg = register_terminal(tx, ctx.tenant, r.serial, r.model);
      if (!reg) return reg.error().with_context("line " + std::to_string(r.line));
      const auto id = reg->record.id;
      const std::int64_t org = org_of[i] ? org_of[i] : scope.org_id;
      if (org != reg->record.org_id)
        if (auto st = tx.set_terminal_organisation(id, org); !st) return st;
      if (!r.group.empty())
        if (auto st = tx.set_terminal_group(id, r.group); !st) return st;
      if (!r.time_zone.empty())
        if (auto st = tx.set_terminal_time_zone(id, r.time_zone); !st) return st;
      if (auto st = record_audit(tx, who, "terminal.register", "terminal:" + r.serial,
                                 reg->reregistered ? "retired" : "", r.model + " (import)", "");
          !st)
        return st;
      out.tokens.emplace_back(r.serial, reg->token);
    }
    return record_audit(tx, who, "terminal.import", "terminals", "",
                        std::to_string(rows.size()) + " terminals imported", "");
  });
  if (!s) return s.error();
  out.applied = true;
  return out;
}

}  // namespace posfleet::domain
