#include "server/domain/policy.h"

#include <boost/json.hpp>

#include <map>

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/text.h"
#include "server/domain/audit.h"
#include "server/domain/freezes.h"
#include "server/domain/notifications.h"
#include "server/domain/organisations.h"
#include "server/domain/time_zones.h"

namespace posfleet::domain {

namespace bj = boost::json;

namespace {

// A scope's stored patch, as read.
Expected<PolicyPatch> patch_of(const store::PolicyRecord& rec) {
  auto v = json::parse(rec.patch_json);
  if (!v || !v->is_object())
    return make_error(Code::kInternal,
                      "stored policy of " + rec.scope + " " + rec.scope_key + " is damaged");
  return PolicyPatch::from_json(v->get_object());
}

Expected<PolicyPatch> stored_patch(store::Tx& tx, const std::string& scope, const std::string& key,
                                   std::int64_t* revision, std::int64_t* mode_revision) {
  auto rec = tx.policy(scope, key);
  if (!rec) return rec.error();
  if (!*rec) return PolicyPatch{};
  if (revision) *revision = std::max(*revision, (*rec)->revision);
  if (mode_revision) *mode_revision = std::max(*mode_revision, (*rec)->mode_revision);
  return patch_of(**rec);
}

// Mode names as the terminal's menu shows them.
struct ModeWords {
  const char* zh;
  const char* en;
};
ModeWords mode_words(PolicyMode m) {
  switch (m) {
    case PolicyMode::kAuto:
      return {"开启", "on"};
    case PolicyMode::kManual:
      return {"手动", "manual"};
    case PolicyMode::kNever:
      break;
  }
  return {"永不", "never"};
}
std::string mode_zh(PolicyMode m) { return mode_words(m).zh; }
std::string mode_en(PolicyMode m) { return mode_words(m).en; }

using Chain = std::vector<std::pair<std::string, std::string>>;

// The organisations' scopes from below the acquirer down to the one at `path` ("/1/7/9/" gives
// "/1/7/" and "/1/7/9/"): an organisation's policy is kept under its path.
void add_organisations(Chain& chain, const std::string& path) {
  for (auto end = path.find('/', 1); end != std::string::npos && end + 1 < path.size();) {
    end = path.find('/', end + 1);
    if (end == std::string::npos) break;
    chain.emplace_back("organisation", path.substr(0, end + 1));
  }
}

// The terminal's chain of scopes, from the top: the fleet, its group (groups are the
// acquirer's), the organisations down to its own, itself. The acquirer's terminals skip the
// organisations (and a terminal in no group its group) without reading anything.
Expected<Chain> chain_of(store::Tx& tx, const store::TerminalRecord& t) {
  Chain chain{{"fleet", ""}};
  if (!t.group.empty()) chain.emplace_back("group", t.group);
  if (t.org_id != store::kRootOrganisation) {
    auto o = tx.organisation(t.org_id);
    if (!o) return o.error();
    add_organisations(chain, o->path);
  }
  chain.emplace_back("terminal", t.serial);
  return chain;
}

// The chain of a scope, down to it: a terminal's as above, an organisation's below the fleet.
Expected<Chain> chain_to(store::Tx& tx, const std::string& tenant, const std::string& scope,
                         const std::string& key) {
  if (scope == "terminal") {
    auto t = tx.terminal_by_serial(tenant, key);
    if (!t) return t.error();
    return chain_of(tx, *t);
  }
  Chain chain{{"fleet", ""}};
  if (scope == "group") chain.emplace_back("group", key);
  if (scope == "organisation") add_organisations(chain, key);
  return chain;
}

// core/policy's fold of the chain's stored patches.
Expected<Policy> fold(store::Tx& tx, const Chain& chain, std::int64_t* mode_revision = nullptr) {
  Policy p;
  std::int64_t revision = 0;
  for (const auto& link : chain) {
    auto patch = stored_patch(tx, link.first, link.second, &revision, mode_revision);
    if (!patch) return patch.error();
    patch->apply_to(p);
  }
  p.revision = revision;
  return p;
}

}  // namespace

std::string scope_target(const std::string& scope, const std::string& key) {
  if (scope == "fleet") return "fleet";
  if (scope == "organisation" && key.size() > 2) {  // its id, the path's last part
    const auto from = key.rfind('/', key.size() - 2) + 1;
    return "organisation:" + key.substr(from, key.size() - 1 - from);
  }
  return scope + ":" + key;
}

Status check_scope_change(const std::string& scope, const PolicyPatch& change) {
  if (scope != "fleet" && scope != "group" && scope != "organisation" && scope != "terminal")
    return make_error(Code::kInvalidArgument,
                      "scope must be fleet, group, organisation or terminal");
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

Expected<Policy> effective_policy(store::Tx& tx, const store::TerminalRecord& t) {
  auto chain = chain_of(tx, t);
  if (!chain) return chain.error();
  auto p = fold(tx, *chain);
  if (!p) return p.error();
  // Its window is read in the terminal's zone, and the freezes of its calendar travel with it
  // (time_zones.h, freezes.h): the server's offer and the agent's decide() agree.
  auto zone = effective_zone(tx, t, p->window.tz);
  if (!zone) return zone.error();
  p->window.tz = zone->tz;
  auto freezes = freezes_of_group(tx, t.group, unix_now());
  if (!freezes) return freezes.error();
  p->freezes = std::move(*freezes);
  return p;
}

Expected<Policy> effective_policy(Context& ctx, const store::TerminalRecord& t) {
  return effective_policy(ctx.store, t);
}

Expected<Policy> scope_policy(store::Tx& tx, const std::string& scope, const std::string& key) {
  Policy p;
  std::int64_t revision = 0;
  auto patch = stored_patch(tx, scope, key, &revision, nullptr);
  if (!patch) return patch.error();
  patch->apply_to(p);
  p.revision = revision;
  return p;
}

Expected<Policy> scope_policy(Context& ctx, const std::string& scope, const std::string& key) {
  return scope_policy(ctx.store, scope, key);
}

Expected<Policy> layered_policy(store::Tx& tx, const std::string& tenant, const std::string& scope,
                                const std::string& key) {
  if (scope == "terminal") {
    auto t = tx.terminal_by_serial(tenant, key);
    if (!t) return t.error();
    return effective_policy(tx, *t);
  }
  auto chain = chain_to(tx, tenant, scope, key);
  if (!chain) return chain.error();
  return fold(tx, *chain);
}

Expected<std::optional<std::string>> lock_from_outside(store::Tx& tx, const std::string& tenant,
                                                       const std::string& scope,
                                                       const std::string& key,
                                                       const std::string& subtree) {
  auto chain = chain_to(tx, tenant, scope, key);
  if (!chain) return chain.error();
  std::map<std::int64_t, bool> outside;  // by the organisation that set a lock
  for (const auto& [s, k] : *chain) {
    auto rec = tx.policy(s, k);
    if (!rec) return rec.error();
    if (!*rec) continue;
    auto patch = patch_of(**rec);
    if (!patch) return patch.error();
    if (!patch->locked.value_or(false)) continue;
    const std::int64_t by = (*rec)->lock_org;
    if (!outside.contains(by)) {
      auto path = organisation_path(tx, by);
      if (!path && path.error().code != Code::kNotFound) return path.error();
      outside[by] = !path || !path->starts_with(subtree);
    }
    if (outside[by]) return std::optional<std::string>(patch->lock_reason.value_or(""));
  }
  return std::optional<std::string>();
}

Expected<PolicyView> policy_view(Context& ctx, const std::string& scope, const std::string& key,
                                 std::int64_t history_limit) {
  PolicyView out;
  auto own = ctx.store.policy(scope, key);
  if (!own) return own.error();
  if (*own) out.patch_json = (*own)->patch_json;
  if (scope == "terminal") {
    auto t = ctx.store.terminal_by_serial(ctx.tenant, key);
    if (!t) return t.error();
    auto eff = effective_policy(ctx, *t);
    if (!eff) return eff.error();
    out.effective = *eff;
    out.group = t->group;
  } else {
    // An organisation's: what applies there from the fleet down (a lock above it shows).
    auto p = scope == "organisation" ? layered_policy(ctx.store, ctx.tenant, scope, key)
                                     : scope_policy(ctx, scope, key);
    if (!p) return p.error();
    out.effective = *p;
  }
  auto history = ctx.store.policy_history(scope, key, history_limit);
  if (!history) return history.error();
  out.history = std::move(*history);
  return out;
}

Status check_patch_text(const std::string& scope, const std::string& key,
                        const PolicyPatch& patch) {
  if (scope == "group")
    if (auto s = text::check_field("group", key, limits::kGroupChars); !s) return s;
  if (scope == "organisation" &&
      (key.size() < 4 || !key.starts_with("/1/") || key.back() != '/' ||
       key.find_first_not_of("0123456789/") != std::string::npos || key.find("//") != key.npos))
    return make_error(Code::kInvalidArgument, "an organisation's policy is kept under its path");
  if (patch.locked && *patch.locked && patch.lock_reason.value_or("").empty())
    return make_error(Code::kInvalidArgument,
                      "a lock needs lock_reason: the terminal shows it to the merchant");
  if (patch.lock_reason)
    return text::check_field("lock_reason", *patch.lock_reason, limits::kReasonChars);
  return ok_status();
}

Expected<Policy> change_policy_in(Context& ctx, store::Tx& tx, const std::string& scope,
                                  const std::string& key, const PolicyPatch& patch,
                                  const Actor& who, const std::string& reason,
                                  bool keep_locked_mode, const std::string& held_from) {
  if (keep_locked_mode && patch.mode && !patch.locked) {
    auto now = layered_policy(tx, ctx.tenant, scope, key);
    if (!now) return now.error();
    if (now->locked)
      return make_error(Code::kLocked, "the update mode here is locked by an administrator (" +
                                           now->lock_reason +
                                           "); only an administrator may change it");
  }
  if (!held_from.empty() && patch.touches_mode()) {
    auto lock = lock_from_outside(tx, ctx.tenant, scope, key, held_from);
    if (!lock) return lock.error();
    if (*lock)
      return make_error(Code::kLocked, "the update mode here is locked above your organisation (" +
                                           **lock + "); only that organisation may change it");
  }
  std::optional<store::TerminalRecord> terminal;
  if (scope == "terminal") {
    auto t = tx.terminal_by_serial(ctx.tenant, key);
    if (!t) return t.error();
    terminal = *t;
  }
  auto before = stored_patch(tx, scope, key, nullptr, nullptr);
  if (!before) return before.error();
  auto merged = merged_patch(*before, patch);
  if (!merged) return merged.error();
  const PolicyPatch& after = *merged;
  const std::string before_text = json::serialize(before->to_json()),
                    after_text = json::serialize(after.to_json());
  store::PolicyChangeRecord ch{0,        scope,    key,    before_text, after_text,
                               who.name, who.path, reason, "applied",   unix_now()};
  auto revision = tx.change_policy(ch, after_text, patch.touches_mode(),
                                   patch.locked.value_or(false) ? who.organisation : 0);
  if (!revision) return revision.error();
  if (auto s = record_audit(tx, who, patch.locked ? "policy.lock" : "policy.change",
                            scope_target(scope, key), before_text, after_text, reason);
      !s)
    return s.error();
  if (!terminal) return scope_policy(tx, scope, key);
  auto eff = effective_policy(tx, *terminal);
  if (!eff) return eff.error();
  const std::string by_zh = who.path == "support" ? "客服" : "后台管理员";
  const std::string by_en = who.path == "support" ? "customer service" : "the back office";
  if (auto s =
          notify(tx, terminal->id, "policy_changed", std::to_string(*revision),
                 by_zh + "已将更新设置改为：" + mode_zh(eff->mode) + "（原因：" + reason + "）",
                 "Your update setting was changed by " + by_en + " to: " + mode_en(eff->mode) +
                     " (reason: " + reason + ")");
      !s)
    return s.error();
  return eff;
}

Expected<Policy> change_policy(Context& ctx, const std::string& scope, const std::string& key,
                               const PolicyPatch& patch, const Actor& who,
                               const std::string& reason, bool keep_locked_mode,
                               const std::string& held_from) {
  if (auto s = check_scope_change(scope, patch); !s) return s.error();
  if (auto s = check_reason(reason, "say why: a reason is required for every policy change"); !s)
    return s.error();
  if (auto s = check_patch_text(scope, key, patch); !s) return s.error();
  Policy out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    auto p = change_policy_in(ctx, tx, scope, key, patch, who, reason, keep_locked_mode, held_from);
    if (!p) return p.error();
    out = *p;
    return ok_status();
  });
  if (!st) return st.error();
  return out;
}

Expected<TerminalChange> terminal_policy_change(Context& ctx, const store::TerminalRecord& t,
                                                const std::string& mode,
                                                std::int64_t base_revision) {
  auto m = parse_policy_mode(mode);
  if (!m) return m.error();
  return terminal_policy_change(ctx, t, *m, base_revision);
}

Expected<TerminalChange> terminal_policy_change(Context& ctx, const store::TerminalRecord& t,
                                                PolicyMode mode, std::int64_t base_revision) {
  PolicyPatch patch;
  patch.mode = mode;
  const Actor who{t.serial, "terminal", "terminal"};
  TerminalChange out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    out = TerminalChange{};
    auto eff = effective_policy(tx, t);
    if (!eff) return eff.error();
    // The newest back-office change to mode or lock anywhere in the terminal's chain.
    std::int64_t mode_revision = 0;
    auto chain = chain_of(tx, t);
    if (!chain) return chain.error();
    if (auto p = fold(tx, *chain, &mode_revision); !p) return p.error();
    const std::string before_text = json::serialize(eff->to_json());
    const std::string after_text = json::serialize(patch.to_json());
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
      auto current = stored_patch(tx, "terminal", t.serial, nullptr, nullptr);
      if (!current) return current.error();
      current->mode = mode;
      new_patch = json::serialize(current->to_json());
      out.message_zh = "自动更新已设为：" + mode_zh(mode);
      out.message_en = "Automatic update set to: " + mode_en(mode);
    }
    // The terminal's own change does not count as a back-office one: a later
    // offline change from the same terminal must not be superseded by it.
    auto revision = tx.change_policy(ch, new_patch, /*touches_mode=*/false);
    if (!revision) return revision.error();
    if (auto s =
            record_audit(tx, who, "policy.change." + ch.outcome, scope_target("terminal", t.serial),
                         before_text, after_text, ch.reason);
        !s)
      return s;
    if (ch.outcome == "superseded")
      if (auto s = notify(tx, t.id, "policy_conflict", std::to_string(*revision), out.message_zh,
                          out.message_en);
          !s)
        return s;
    auto after = effective_policy(tx, t);
    if (!after) return after.error();
    out.policy = *after;
    return ok_status();
  });
  if (!st) return st.error();
  return out;
}

Expected<TerminalChange> terminal_policy_reset(Context& ctx, const store::TerminalRecord& t) {
  const Actor who{t.serial, "terminal", "terminal"};
  TerminalChange out;
  auto st = commit_change(ctx, [&](store::Tx& tx) -> Status {
    out = TerminalChange{};
    auto eff = effective_policy(tx, t);
    if (!eff) return eff.error();
    auto current = stored_patch(tx, "terminal", t.serial, nullptr, nullptr);
    if (!current) return current.error();
    PolicyPatch after = *current;
    out.outcome = eff->locked ? "refused" : "applied";
    if (!eff->locked) after.mode.reset();
    const std::string before_text = json::serialize(current->to_json());
    const std::string after_text = json::serialize(after.to_json());
    store::PolicyChangeRecord ch{
        0,           "terminal", t.serial,   before_text,
        after_text,  t.serial,   "terminal", "reset to defaults on the terminal",
        out.outcome, unix_now()};
    auto revision = tx.change_policy(ch, after_text, /*touches_mode=*/false);
    if (!revision) return revision.error();
    if (auto s =
            record_audit(tx, who, "policy.reset." + out.outcome, scope_target("terminal", t.serial),
                         before_text, after_text, ch.reason);
        !s)
      return s;
    auto now = effective_policy(tx, t);
    if (!now) return now.error();
    out.policy = *now;
    if (eff->locked) {
      out.message_zh =
          "已由管理员锁定：" + eff->lock_reason + "；自动更新设置保持不变，其他设置已恢复默认";
      out.message_en = "Locked by your administrator: " + eff->lock_reason +
                       "; the update setting stays, everything else is back to its defaults";
    } else {
      out.message_zh = "已恢复默认设置：自动更新为" + mode_zh(now->mode) + "（运营方为本机设定）";
      out.message_en = "Settings reset: automatic update is " + mode_en(now->mode) +
                       " (as your operator set it)";
    }
    return ok_status();
  });
  if (!st) return st.error();
  return out;
}

}  // namespace posfleet::domain
