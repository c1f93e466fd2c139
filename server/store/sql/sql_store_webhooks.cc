// posfleet server: the SQLite backend's webhooks area (store/webhooks_store.h).
// Thread-safety: as SqliteStore.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {
constexpr const char* kWebhookCols =
    "SELECT id, name, url, format, events, secret_sealed, created, created_by, last_time, "
    "last_status, last_error FROM webhooks ";
WebhookRecord read_webhook(Stmt& s) {
  return WebhookRecord{s.i64(0), s.str(1), s.str(2), s.str(3), s.str(4), s.str(5),
                       s.i64(6), s.str(7), s.i64(8), s.i64(9), s.str(10)};
}
constexpr const char* kRowCols =
    "SELECT id, webhook_id, kind, body, created, attempts, next_try, state, last_status, "
    "last_error, finished FROM webhook_outbox ";
WebhookOutboxRecord read_row(Stmt& s) {
  return WebhookOutboxRecord{s.i64(0), s.i64(1), s.str(2), s.str(3),
                             s.i64(4), s.i64(5), s.i64(6), outbox_state_named(s.str(7)),
                             s.i64(8), s.str(9), s.i64(10)};
}
Expected<std::vector<WebhookOutboxRecord>> read_rows(Connection& c, Stmt& s, const char* what) {
  std::vector<WebhookOutboxRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_row(s));
  if (rc != kDone) return c.error(what);
  return out;
}
}  // namespace

Expected<std::int64_t> SqlStore::insert_webhook(const WebhookRecord& w) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO webhooks (name, url, format, events, secret_sealed, created, created_by) "
      "VALUES (?,?,?,?,?,?,?)");
  s.bind_all(w.name, w.url, w.format, w.events, w.secret_sealed, w.created, w.created_by);
  if (s.step() != kDone) return c.error("webhook " + w.name);
  return c.last_insert_id();
}

Expected<std::vector<WebhookRecord>> SqlStore::list_webhooks() {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kWebhookCols) + "ORDER BY id";
  auto s = c.prepare(sql.c_str());
  std::vector<WebhookRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_webhook(s));
  if (rc != kDone) return c.error("webhooks");
  return out;
}

Expected<WebhookRecord> SqlStore::webhook(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kWebhookCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "no webhook " + std::to_string(id));
  if (rc != kRow) return c.error("webhook");
  return read_webhook(s);
}

Expected<bool> SqlStore::delete_webhook(std::int64_t id) {
  POSFLEET_CONN(c);
  auto rows = c.prepare("DELETE FROM webhook_outbox WHERE webhook_id = ?");
  rows.bind(id);
  if (rows.step() != kDone) return c.error("webhook outbox");
  auto s = c.prepare("DELETE FROM webhooks WHERE id = ?");
  s.bind(id);
  if (s.step() != kDone) return c.error("webhook");
  return c.changes() == 1;
}

Status SqlStore::set_webhook_secret(std::int64_t id, const std::string& secret_sealed) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE webhooks SET secret_sealed = ? WHERE id = ?");
  s.bind_all(secret_sealed, id);
  if (s.step() != kDone) return c.error("webhook secret");
  if (c.changes() != 1) return make_error(Code::kNotFound, "no webhook " + std::to_string(id));
  return ok_status();
}

Expected<std::int64_t> SqlStore::enqueue_webhook_row(const WebhookOutboxRecord& row,
                                                     std::int64_t max_pending) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO webhook_outbox (webhook_id, kind, body, created, attempts, next_try, state) "
      "VALUES (?,?,?,?,0,?,'pending')");
  s.bind_all(row.webhook_id, row.kind, row.body, row.created, row.next_try);
  if (s.step() != kDone) return c.error("webhook outbox row");
  // The newest max_pending stay; older pending rows are given up, said so on each.
  auto drop = c.prepare(
      "UPDATE webhook_outbox SET state = 'abandoned', finished = ?, last_error = 'dropped: "
      "more than ' || ? || ' events were waiting for this webhook' WHERE webhook_id = ? AND "
      "state = 'pending' AND id NOT IN (SELECT id FROM webhook_outbox WHERE webhook_id = ? AND "
      "state = 'pending' ORDER BY id DESC LIMIT ?)");
  drop.bind_all(row.created, max_pending, row.webhook_id, row.webhook_id, max_pending);
  if (drop.step() != kDone) return c.error("webhook outbox cap");
  return static_cast<std::int64_t>(c.changes());
}

Expected<std::vector<WebhookOutboxRecord>> SqlStore::due_webhook_rows(std::int64_t now,
                                                                      std::int64_t limit) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kRowCols) +
                                 "WHERE state = 'pending' AND next_try <= ? ORDER BY next_try, id "
                                 "LIMIT ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(now, limit);
  return read_rows(c, s, "due webhook rows");
}

Expected<bool> SqlStore::claim_webhook_row(std::int64_t id, std::int64_t attempts,
                                           std::int64_t until) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE webhook_outbox SET attempts = attempts + 1, next_try = ? WHERE id = ? AND state = "
      "'pending' AND attempts = ?");
  s.bind_all(until, id, attempts);
  if (s.step() != kDone) return c.error("webhook row claim");
  return c.changes() == 1;
}

Status SqlStore::finish_webhook_attempt(std::int64_t id, OutboxState state, std::int64_t next_try,
                                        std::int64_t status, const std::string& error,
                                        std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE webhook_outbox SET state = ?, next_try = ?, last_status = ?, last_error = ?, "
      "finished = ? WHERE id = ?");
  s.bind_all(to_string(state), next_try, status, error,
             state == OutboxState::kPending ? std::int64_t{0} : now, id);
  if (auto st = done(c, s, "webhook row"); !st) return st;
  auto w = c.prepare(
      "UPDATE webhooks SET last_time = ?, last_status = ?, last_error = ? WHERE id = (SELECT "
      "webhook_id FROM webhook_outbox WHERE id = ?)");
  w.bind_all(now, status, error, id);
  return done(c, w, "webhook last delivery");
}

Expected<std::vector<WebhookOutboxRecord>> SqlStore::webhook_rows(std::int64_t webhook_id,
                                                                  std::int64_t limit) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string(kRowCols) + "WHERE webhook_id = ? ORDER BY id DESC LIMIT ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(webhook_id, limit);
  return read_rows(c, s, "webhook rows");
}

Expected<std::int64_t> SqlStore::prune_webhook_rows(std::int64_t before) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "DELETE FROM webhook_outbox WHERE state IN ('delivered', 'abandoned') AND finished < ?");
  s.bind(before);
  if (s.step() != kDone) return c.error("webhook outbox prune");
  return static_cast<std::int64_t>(c.changes());
}

}  // namespace posfleet::store
