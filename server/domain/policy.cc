#include "server/domain/policy.h"

#include <boost/json.hpp>

#include <mutex>

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/notifications.h"

namespace posfleet::domain {

namespace bj = boost::json;

namespace {

// Every change reads the current patches, decides (conflict rule, locks) and
// writes; two at once could each read the old state and one undo the other
// (a lock lost to a terminal's change). posfleetd on SQLite is one process, so
// one lock makes each change whole; a multi-server backend needs the same
// under a serializable transaction.
std::mutex g_change_mu;

Expected<PolicyPatch> stored_patch(Context& ctx, const std::string& scope, const std::string& key,
                                   std::int64_t* revision, std::int64_t* mode_revision) {
  auto rec = ctx.store.policy(scope, key);
  if (!rec) return rec.error();
  if (!*rec) return PolicyPatch{};
  if (revision) *revision = std::max(*revision, (*rec)->revision);
  if (mode_revision) *mode_revision = std::max(*mode_revision, (*rec)->mode_revision);
  auto v = json::parse((*rec)->patch_json);
  if (!v || !v->is_object())
    return make_error(Code::kInternal, "stored policy of " + scope + " " + key + " is damaged");
  return PolicyPatch::from_json(v->get_object());
}

// Mode names as the terminal's menu shows them.
std::string mode_zh(const std::string& m) {
  return m == "auto" ? "开启" : m == "manual" ? "手动" : "永不";
}
std::string mode_en(const std::string& m) {
  return m == "auto" ? "on" : m == "manual" ? "manual" : "never";
}

}  // namespace

std::string scope_target(const std::string& scope, const std::string& key) {
  return scope == "fleet" ? "fleet" : scope + ":" + key;
}

Status check_scope_change(const std::string& scope, const PolicyPatch& change) {
  if (scope != "fleet" && scope != "group" && scope != "terminal")
    return make_error(Code::kInvalidArgument, "scope must be fleet, group or terminal");
  if (scope != "fleet" && (change.never_defers_security || change.security_deadline_days))
    return make_error(
        Code::kInvalidArgument,
        "never_defers_security and security_deadline_days are set for the whole fleet only");
  return ok_status();
}

Expected<PolicyPatch> merged_patch(const PolicyPatch& before, const PolicyPatch& change) {
  auto merged = before.to_json();
  for (const auto& kv : change.to_json()) merged[kv.key()] = kv.value();
  auto after = PolicyPatch::from_json(merged);
  if (!after) return after.error();
  if (change.locked && !*change.locked) {  // unlocking clears the reason too
    after->locked = false;
    after->lock_reason = std::string();
  }
  return after;
}

Expected<Policy> effective_policy(Context& ctx, const store::TerminalRecord& t) {
  Policy p;
  std::int64_t revision = 0, mode_revision = 0;
  const std::pair<const char*, std::string> chain[] = {
      {"fleet", ""}, {"group", t.group}, {"terminal", t.serial}};
  for (const auto& [scope, key] : chain) {
    if (std::string(scope) == "group" && key.empty()) continue;
    auto patch = stored_patch(ctx, scope, key, &revision, &mode_revision);
    if (!patch) return patch.error();
    patch->apply_to(p);
  }
  p.revision = revision;
  return p;
}

Expected<Policy> scope_policy(Context& ctx, const std::string& scope, const std::string& key) {
  Policy p;
  std::int64_t revision = 0;
  auto patch = stored_patch(ctx, scope, key, &revision, nullptr);
  if (!patch) return patch.error();
  patch->apply_to(p);
  p.revision = revision;
  return p;
}

Expected<Policy> layered_policy(Context& ctx, const std::string& scope, const std::string& key) {
  if (scope == "terminal") {
    auto t = ctx.store.terminal_by_serial(ctx.tenant, key);
    if (!t) return t.error();
    return effective_policy(ctx, *t);
  }
  Policy p;
  std::int64_t revision = 0;
  auto fleet = stored_patch(ctx, "fleet", "", &revision, nullptr);
  if (!fleet) return fleet.error();
  fleet->apply_to(p);
  if (scope == "group") {
    auto group = stored_patch(ctx, "group", key, &revision, nullptr);
    if (!group) return group.error();
    group->apply_to(p);
  }
  p.revision = revision;
  return p;
}

Status check_patch_text(const std::string& scope, const std::string& key,
                        const PolicyPatch& patch) {
  if (scope == "group")
    if (auto s = text::check_field("group", key, limits::kGroupChars); !s) return s;
  if (patch.lock_reason)
    return text::check_field("lock_reason", *patch.lock_reason, limits::kReasonChars);
  return ok_status();
}

Expected<Policy> change_policy(Context& ctx, const std::string& scope, const std::string& key,
                               const PolicyPatch& patch, const Actor& who,
                               const std::string& reason, bool keep_locked_mode) {
  std::lock_guard change_lock(g_change_mu);
  if (auto s = check_scope_change(scope, patch); !s) return s.error();
  if (auto s = check_reason(reason, "say why: a reason is required for every policy change"); !s)
    return s.error();
  if (auto s = check_patch_text(scope, key, patch); !s) return s.error();
  if (keep_locked_mode && patch.mode && !patch.locked) {
    auto now = layered_policy(ctx, scope, key);
    if (!now) return now.error();
    if (now->locked)
      return make_error(Code::kConflict, "the update mode here is locked by an administrator (" +
                                             now->lock_reason +
                                             "); only an administrator may change it");
  }
  std::optional<store::TerminalRecord> terminal;
  if (scope == "terminal") {
    auto t = ctx.store.terminal_by_serial(ctx.tenant, key);
    if (!t) return t.error();
    terminal = *t;
  }
  auto before = stored_patch(ctx, scope, key, nullptr, nullptr);
  if (!before) return before.error();
  auto merged = merged_patch(*before, patch);
  if (!merged) return merged.error();
  const PolicyPatch& after = *merged;
  const std::string before_text = json::serialize(before->to_json()),
                    after_text = json::serialize(after.to_json());
  store::PolicyChangeRecord ch{0,        scope,    key,    before_text, after_text,
                               who.name, who.path, reason, "applied",   unix_now()};
  auto revision = ctx.store.change_policy(ch, after_text, patch.touches_mode());
  if (!revision) return revision.error();
  record_audit(ctx, who, patch.locked ? "policy.lock" : "policy.change", scope_target(scope, key),
               before_text, after_text, reason);
  if (terminal) {
    auto eff = effective_policy(ctx, *terminal);
    if (!eff) return eff.error();
    const std::string by_zh = who.path == "support" ? "客服" : "后台管理员";
    const std::string by_en = who.path == "support" ? "customer service" : "the back office";
    notify(ctx, terminal->id, "policy_changed", std::to_string(*revision),
           by_zh + "已将更新设置改为：" + mode_zh(eff->mode) + "（原因：" + reason + "）",
           "Your update setting was changed by " + by_en + " to: " + mode_en(eff->mode) +
               " (reason: " + reason + ")");
    return eff;
  }
  return scope_policy(ctx, scope, key);
}

Expected<TerminalChange> terminal_policy_change(Context& ctx, const store::TerminalRecord& t,
                                                const std::string& mode,
                                                std::int64_t base_revision) {
  std::lock_guard change_lock(g_change_mu);
  PolicyPatch patch;
  patch.mode = mode;
  if (auto check = PolicyPatch::from_json(patch.to_json()); !check) return check.error();
  auto eff = effective_policy(ctx, t);
  if (!eff) return eff.error();
  // The newest back-office change to mode or lock anywhere in the terminal's chain.
  std::int64_t mode_revision = 0, ignored = 0;
  for (const auto& [scope, key] : {std::pair<std::string, std::string>{"fleet", ""},
                                   {"group", t.group},
                                   {"terminal", t.serial}}) {
    if (scope == "group" && key.empty()) continue;
    if (auto p = stored_patch(ctx, scope, key, &ignored, &mode_revision); !p) return p.error();
  }
  Actor who{t.serial, "terminal", "terminal"};
  const std::string before_text = json::serialize(eff->to_json());
  const std::string after_text = json::serialize(patch.to_json());
  TerminalChange out;
  store::PolicyChangeRecord ch{0,          "terminal", t.serial,   before_text,
                               after_text, t.serial,   "terminal", "changed on the terminal",
                               "applied",  unix_now()};
  if (eff->locked) {
    ch.outcome = "refused";
    out.message_zh = "已由管理员锁定：" + eff->lock_reason;
    out.message_en = "Locked by your administrator: " + eff->lock_reason;
  } else if (mode_revision > base_revision) {
    ch.outcome = "superseded";
    out.message_zh = "您在离线时的更改（" + mode_zh(mode) + "）未生效：后台已将更新设置改为" +
                     mode_zh(eff->mode);
    out.message_en = "Your offline change (" + mode_en(mode) +
                     ") was not applied: the back office has since set updates to " +
                     mode_en(eff->mode);
  }
  out.outcome = ch.outcome;
  std::string new_patch = after_text;
  if (ch.outcome == "applied") {
    auto current = stored_patch(ctx, "terminal", t.serial, nullptr, nullptr);
    if (!current) return current.error();
    current->mode = mode;
    new_patch = json::serialize(current->to_json());
    out.message_zh = "自动更新已设为：" + mode_zh(mode);
    out.message_en = "Automatic update set to: " + mode_en(mode);
  }
  // The terminal's own change does not count as a back-office one: a later
  // offline change from the same terminal must not be superseded by it.
  auto revision = ctx.store.change_policy(ch, new_patch, /*touches_mode=*/false);
  if (!revision) return revision.error();
  record_audit(ctx, who, "policy.change." + ch.outcome, scope_target("terminal", t.serial),
               before_text, after_text, ch.reason);
  if (ch.outcome == "superseded")
    notify(ctx, t.id, "policy_conflict", std::to_string(*revision), out.message_zh, out.message_en);
  auto after = effective_policy(ctx, t);
  if (!after) return after.error();
  out.policy = *after;
  return out;
}

Expected<TerminalChange> terminal_policy_reset(Context& ctx, const store::TerminalRecord& t) {
  std::lock_guard change_lock(g_change_mu);
  auto eff = effective_policy(ctx, t);
  if (!eff) return eff.error();
  auto current = stored_patch(ctx, "terminal", t.serial, nullptr, nullptr);
  if (!current) return current.error();
  PolicyPatch after = *current;
  TerminalChange out;
  out.outcome = eff->locked ? "refused" : "applied";
  if (!eff->locked) after.mode.reset();
  const std::string before_text = json::serialize(current->to_json());
  const std::string after_text = json::serialize(after.to_json());
  store::PolicyChangeRecord ch{
      0,           "terminal", t.serial,   before_text,
      after_text,  t.serial,   "terminal", "reset to defaults on the terminal",
      out.outcome, unix_now()};
  auto revision = ctx.store.change_policy(ch, after_text, /*touches_mode=*/false);
  if (!revision) return revision.error();
  const Actor who{t.serial, "terminal", "terminal"};
  if (auto s = record_audit(ctx, who, "policy.reset." + out.outcome,
                            scope_target("terminal", t.serial), before_text, after_text, ch.reason);
      !s)
    return s.error();
  auto now = effective_policy(ctx, t);
  if (!now) return now.error();
  out.policy = *now;
  if (eff->locked) {
    out.message_zh =
        "已由管理员锁定：" + eff->lock_reason + "；自动更新设置保持不变，其他设置已恢复默认";
    out.message_en = "Locked by your administrator: " + eff->lock_reason +
                     "; the update setting stays, everything else is back to its defaults";
  } else {
    out.message_zh = "已恢复默认设置：自动更新为" + mode_zh(now->mode) + "（运营方为本机设定）";
    out.message_en =
        "Settings reset: automatic update is " + mode_en(now->mode) + " (as your operator set it)";
  }
  return out;
}

}  // namespace posfleet::domain
