// posfleet server: the SQLite store's tables for running a fleet: groups and
// merchants of terminals, update policy and its history, notifications,
// support tickets, identity verifications and the audit log.
#include "server/store/sql/sql_store.h"

#include <fcntl.h>

namespace posfleet::store {

Status SqlStore::set_terminal_group(std::int64_t id, const std::string& group) {
  POSFLEET_CONN(c);
  if (auto b = c.begin(); !b) return b.error();
  auto s = c.prepare("UPDATE terminals SET group_name = ? WHERE id = ?");
  s.bind_all(group, id);
  auto st = done(c, s, "terminal group");
  if (st) st = refresh_effective_modes(c, false, "id = ?", id);
  if (!st) {
    c.rollback();
    return st;
  }
  return c.commit();
}

Status SqlStore::set_terminal_merchant(std::int64_t id, std::int64_t merchant_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE terminals SET merchant_id = ? WHERE id = ?");
  s.bind_all(merchant_id, id);
  return done(c, s, "terminal merchant");
}

Expected<std::vector<TerminalRecord>> SqlStore::terminals_of_merchant(std::int64_t merchant_id) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string(terminal_columns()) + "WHERE merchant_id = ? ORDER BY id";
  auto s = c.prepare(sql.c_str());
  s.bind(merchant_id);
  std::vector<TerminalRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_terminal(s));
  if (rc != kDone) return c.error("terminals of merchant");
  return out;
}

Status SqlStore::set_release_deadline(std::int64_t release_id, std::int64_t deadline) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE releases SET security_deadline = ? WHERE id = ?");
  s.bind_all(deadline, release_id);
  return done(c, s, "release deadline");
}

Status SqlStore::set_release_organisation(std::int64_t release_id, std::int64_t org_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE releases SET org_id = ? WHERE id = ?");
  s.bind_all(org_id, release_id);
  return done(c, s, "release organisation");
}

Expected<std::optional<PolicyRecord>> SqlStore::policy(const std::string& scope,
                                                       const std::string& key) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT scope, scope_key, patch, revision, mode_revision, lock_org FROM policies WHERE "
      "scope = ? AND scope_key = ?");
  s.bind_all(scope, key);
  if (s.step() != kRow) return std::optional<PolicyRecord>();
  return std::optional<PolicyRecord>(
      PolicyRecord{s.str(0), s.str(1), s.str(2), s.i64(3), s.i64(4), s.i64(5)});
}

Expected<std::int64_t> SqlStore::change_policy(const PolicyChangeRecord& ch,
                                               const std::string& new_patch_json, bool touches_mode,
                                               std::int64_t lock_org) {
  POSFLEET_CONN(c);
  if (auto b = c.begin(); !b) return b.error();
  auto fail = [&](Error e) -> Expected<std::int64_t> {
    c.rollback();
    return e;
  };
  {
    auto s = c.prepare(
        "INSERT INTO policy_changes (scope, scope_key, before, after, actor, path, reason, "
        "outcome, time) "
        "VALUES (?,?,?,?,?,?,?,?,?)");
    s.bind_all(ch.scope, ch.scope_key, ch.before_json, ch.after_json, ch.actor, ch.path, ch.reason,
               ch.outcome, ch.time);
    if (s.step() != kDone) return fail(c.error("policy change"));
  }
  const std::int64_t revision = c.last_insert_id();
  if (ch.outcome == "applied") {
    auto s = c.prepare(
        "INSERT INTO policies (scope, scope_key, patch, revision, mode_revision, lock_org) VALUES "
        "(?,?,?,?,?,?) "
        "ON CONFLICT (scope, scope_key) DO UPDATE SET patch = excluded.patch, revision = "
        "excluded.revision, "
        "mode_revision = CASE WHEN ? THEN excluded.revision ELSE policies.mode_revision END, "
        "lock_org = CASE WHEN ? THEN excluded.lock_org ELSE policies.lock_org END");
    s.bind_all(ch.scope, ch.scope_key, new_patch_json, revision,
               touches_mode ? revision : std::int64_t{0}, lock_org ? lock_org : std::int64_t{1},
               touches_mode, lock_org != 0);
    if (s.step() != kDone) return fail(c.error("policy"));
    // The terminals in the scope take their new effective mode (a fleet-wide change writes every
    // terminal whose mode changes: seconds at a million).
    Status modes = ok_status();
    if (ch.scope == "terminal")
      modes = refresh_effective_modes(c, false, "serial = ?", ch.scope_key);
    else if (ch.scope == "group")
      modes = refresh_effective_modes(c, true, "group_name = ? AND group_name != ''", ch.scope_key);
    else if (ch.scope == "organisation")  // its key is its path
      modes = refresh_subtree_modes(c, ch.scope_key);
    else
      modes = refresh_effective_modes(c, true, "1 = 1");
    if (!modes) return fail(modes.error());
  }
  if (auto e = c.commit(); !e) return e.error();
  return revision;
}

Expected<std::vector<PolicyChangeRecord>> SqlStore::policy_history(const std::string& scope,
                                                                   const std::string& key,
                                                                   std::int64_t limit) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, scope, scope_key, before, after, actor, path, reason, outcome, time FROM "
      "policy_changes "
      "WHERE scope = ? AND scope_key = ? ORDER BY id DESC LIMIT ?");
  s.bind_all(scope, key, limit);
  std::vector<PolicyChangeRecord> out;
  int rc;
  while ((rc = s.step()) == kRow)
    out.push_back({s.i64(0), s.str(1), s.str(2), s.str(3), s.str(4), s.str(5), s.str(6), s.str(7),
                   s.str(8), s.i64(9)});
  if (rc != kDone) return c.error("policy history");
  return out;
}

Status SqlStore::add_notification(const NotificationRecord& n) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO notifications (terminal_id, kind, ref, text_zh, text_en, time) VALUES "
      "(?,?,?,?,?,?) ON CONFLICT DO NOTHING");
  s.bind_all(n.terminal_id, n.kind, n.ref, n.text_zh, n.text_en, n.time);
  return done(c, s, "notification");
}

Expected<std::vector<NotificationRecord>> SqlStore::notifications(std::int64_t terminal_id,
                                                                  std::int64_t after_id,
                                                                  std::int64_t limit) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, terminal_id, kind, ref, text_zh, text_en, time FROM notifications "
      "WHERE terminal_id = ? AND id > ? ORDER BY id DESC LIMIT ?");
  s.bind_all(terminal_id, after_id, limit);
  std::vector<NotificationRecord> out;
  int rc;
  while ((rc = s.step()) == kRow)
    out.push_back({s.i64(0), s.i64(1), s.str(2), s.str(3), s.str(4), s.str(5), s.i64(6)});
  if (rc != kDone) return c.error("notifications");
  return out;
}

Expected<std::int64_t> SqlStore::insert_merchant(const MerchantRecord& m) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO merchants (legal_name, phone, resident_id_enc, created, org_id) VALUES "
      "(?,?,?,?,?)");
  s.bind_all(m.legal_name, m.phone, m.resident_id_enc, m.created, m.org_id);
  if (s.step() != kDone) return c.error("merchant");
  return c.last_insert_id();
}

Status SqlStore::set_merchant_organisation(std::int64_t id, std::int64_t org_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE merchants SET org_id = ? WHERE id = ?");
  s.bind_all(org_id, id);
  return done(c, s, "merchant");
}

Expected<MerchantRecord> SqlStore::merchant(std::int64_t id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, legal_name, phone, resident_id_enc, created, org_id FROM merchants WHERE id = ?");
  s.bind(id);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no merchant " + std::to_string(id));
  return MerchantRecord{s.i64(0), s.str(1), s.str(2), s.str(3), s.i64(4), s.i64(5)};
}

namespace {
constexpr const char* kTicketCols =
    "SELECT id, terminal_id, serial, version, policy, message, status, note, created, updated FROM "
    "tickets ";
TicketRecord read_ticket(Stmt& s) {
  return {s.i64(0), s.i64(1), s.str(2), s.str(3), s.str(4),
          s.str(5), s.str(6), s.str(7), s.i64(8), s.i64(9)};
}
}  // namespace

Expected<std::int64_t> SqlStore::insert_ticket(const TicketRecord& t) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO tickets (terminal_id, serial, version, policy, message, status, note, created, "
      "updated) "
      "VALUES (?,?,?,?,?,?,?,?,?)");
  s.bind_all(t.terminal_id, t.serial, t.version, t.policy_json, t.message, t.status, t.note,
             t.created, t.updated);
  if (s.step() != kDone) return c.error("ticket");
  return c.last_insert_id();
}

Expected<TicketRecord> SqlStore::ticket(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kTicketCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no ticket " + std::to_string(id));
  return read_ticket(s);
}

Expected<std::vector<TicketRecord>> SqlStore::list_tickets(const std::string& status,
                                                           std::int64_t limit) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string(kTicketCols) + "WHERE ? = '' OR status = ? ORDER BY id DESC LIMIT ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(status, status, limit);
  std::vector<TicketRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_ticket(s));
  if (rc != kDone) return c.error("list tickets");
  return out;
}

Status SqlStore::update_ticket(const TicketRecord& t) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE tickets SET status = ?, note = ?, updated = ? WHERE id = ?");
  s.bind_all(t.status, t.note, t.updated, t.id);
  return done(c, s, "ticket");
}

Expected<std::int64_t> SqlStore::insert_verification(const VerificationRecord& v) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO verifications (merchant_id, agent, code_hash, status, attempts, created, "
      "expires, verified_until) "
      "VALUES (?,?,?,?,?,?,?,?)");
  s.bind_all(v.merchant_id, v.agent, v.code_hash, v.status, v.attempts, v.created, v.expires,
             v.verified_until);
  if (s.step() != kDone) return c.error("verification");
  return c.last_insert_id();
}

Expected<VerificationRecord> SqlStore::verification(std::int64_t id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, merchant_id, agent, code_hash, status, attempts, created, expires, "
      "verified_until "
      "FROM verifications WHERE id = ?");
  s.bind(id);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no verification " + std::to_string(id));
  return VerificationRecord{s.i64(0), s.i64(1), s.str(2),
                            s.str(3), s.str(4), static_cast<int>(s.i64(5)),
                            s.i64(6), s.i64(7), s.i64(8)};
}

Status SqlStore::update_verification(const VerificationRecord& v) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE verifications SET status = ?, attempts = ?, verified_until = ? WHERE id = ?");
  s.bind_all(v.status, v.attempts, v.verified_until, v.id);
  return done(c, s, "verification");
}

Expected<bool> SqlStore::take_code_try(std::int64_t id, int max_tries, std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE verifications SET attempts = attempts + 1 "
      "WHERE id = ? AND status = 'code_sent' AND attempts < ? AND expires > ?");
  s.bind_all(id, max_tries, now);
  if (s.step() != kDone) return c.error("verification");
  return c.changes() == 1;
}

Expected<bool> SqlStore::mark_verified(std::int64_t id, std::int64_t until) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE verifications SET status = 'verified', verified_until = ? WHERE id = ? AND status = "
      "'code_sent'");
  s.bind_all(until, id);
  if (s.step() != kDone) return c.error("verification");
  return c.changes() == 1;
}

Expected<std::int64_t> SqlStore::count_verifications_since(std::int64_t merchant_id,
                                                           std::int64_t since) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT COUNT(*) FROM verifications WHERE merchant_id = ? AND created >= ?");
  s.bind_all(merchant_id, since);
  if (s.step() != kRow) return c.error("count verifications since");
  return s.i64(0);
}

Expected<AuditEntry> SqlStore::append_audit(AuditEntry e) {
  POSFLEET_CONN(c);
  if (auto b = c.begin(); !b) return b.error();
  auto fail = [&](Error err) -> Expected<AuditEntry> {
    c.rollback();
    return err;
  };
  {
    auto s = c.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
    if (s.step() == kRow) {
      e.id = s.i64(0) + 1;
      e.prev_hash = s.str(1);
    } else {
      e.id = 1;
      e.prev_hash = kAuditGenesis;
    }
  }
  e.hash = audit_hash(e, e.prev_hash);
  {
    auto s = c.prepare(
        "INSERT INTO audit_log (id, time, actor, actor_kind, path, action, target, before, after, "
        "reason, prev_hash, hash, address, org_id) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind_all(e.id, e.time, e.actor, e.actor_kind, e.path, e.action, e.target, e.before, e.after,
               e.reason, e.prev_hash, e.hash, e.address, e.organisation);
    if (s.step() != kDone) return fail(c.error("audit"));
  }
  if (auto x = c.commit(); !x) return x.error();
  return e;
}

Expected<std::vector<AuditEntry>> SqlStore::audit_entries(std::int64_t after_id,
                                                          std::int64_t limit) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, time, actor, actor_kind, path, action, target, before, after, reason, prev_hash, "
      "hash, address, org_id "
      "FROM audit_log WHERE id > ? ORDER BY id LIMIT ?");
  s.bind_all(after_id, limit);
  std::vector<AuditEntry> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_audit_entry(s));
  if (rc != kDone) return c.error("audit entries");
  return out;
}

}  // namespace posfleet::store
