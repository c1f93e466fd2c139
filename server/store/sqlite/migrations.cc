#include "server/store/sqlite/migrations.h"

#include "server/store/sql/policy_mode_sql.h"

// Migration 25: whether the terminal row `row` (t, NEW or OLD) counts as pending its newest
// release: in service, its newest deployment not canceled, not running the release's version
// (no release: not pending).
#define POSFLEET_PENDING_ROW(row)                                                \
  "(" row ".update_state != 'canceled' AND " row ".retired = 0 AND " row         \
  ".installed_version != COALESCE((SELECT version FROM releases WHERE id = " row \
  ".newest_release_id), " row ".installed_version))"
// What an update of a terminal adds to the release_pending row it reads: +1 to the release it is
// now pending, -1 to the one it was pending, 0 when both are the same or neither is.
#define POSFLEET_PENDING_MOVE \
  "((CASE WHEN release_id = NEW.newest_release_id AND " POSFLEET_PENDING_ROW("NEW")             \
  " THEN 1 ELSE 0 END) - (CASE WHEN release_id = OLD.newest_release_id AND " POSFLEET_PENDING_ROW( \
      "OLD") " THEN 1 ELSE 0 END))"

namespace posfleet::store {

namespace {
const char* const kMigrations[] = {
    // 1: terminals, releases and their components, artifacts, deployments with
    //    their DDI status history, management API tokens.
    R"sql(
CREATE TABLE terminals (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  serial TEXT NOT NULL,
  model TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  installed_version TEXT NOT NULL DEFAULT '',
  attributes TEXT NOT NULL DEFAULT '{}',
  created INTEGER NOT NULL,
  last_seen INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tenant, serial)
);
CREATE TABLE artifacts (
  sha256 TEXT PRIMARY KEY,
  sha1 TEXT NOT NULL,
  md5 TEXT NOT NULL,
  size INTEGER NOT NULL
);
CREATE TABLE releases (
  id INTEGER PRIMARY KEY,
  version TEXT NOT NULL UNIQUE,
  manifest TEXT NOT NULL,
  models TEXT NOT NULL,
  key_ids TEXT NOT NULL,
  expires INTEGER NOT NULL,
  security INTEGER NOT NULL,
  created INTEGER NOT NULL
);
CREATE TABLE components (
  id INTEGER PRIMARY KEY,
  release_id INTEGER NOT NULL REFERENCES releases(id),
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  filename TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES artifacts(sha256),
  length INTEGER NOT NULL
);
CREATE INDEX components_release ON components(release_id);
CREATE TABLE deployments (
  id INTEGER PRIMARY KEY,
  terminal_id INTEGER NOT NULL REFERENCES terminals(id),
  release_id INTEGER NOT NULL REFERENCES releases(id),
  status TEXT NOT NULL,
  result TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
CREATE INDEX deployments_terminal ON deployments(terminal_id, status);
CREATE TABLE action_status (
  id INTEGER PRIMARY KEY,
  deployment_id INTEGER NOT NULL REFERENCES deployments(id),
  time INTEGER NOT NULL,
  execution TEXT NOT NULL,
  result TEXT NOT NULL,
  code INTEGER NOT NULL DEFAULT 0,
  details TEXT NOT NULL
);
CREATE INDEX action_status_deployment ON action_status(deployment_id);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created INTEGER NOT NULL
);
)sql",
    // 2: the poll asks for a terminal's newest deployment on every request;
    //    an index in that order answers it without a sort.
    R"sql(
DROP INDEX deployments_terminal;
CREATE INDEX deployments_terminal_newest ON deployments(terminal_id, id);
)sql",
    // 3: update policy (fleet, group, terminal) with its history, groups and
    //    merchants of terminals, notifications, support tickets, identity
    //    verifications, the hash-chained audit log, roles for API tokens and
    //    security deadlines of releases.
    R"sql(
ALTER TABLE terminals ADD COLUMN group_name TEXT NOT NULL DEFAULT '';
ALTER TABLE terminals ADD COLUMN merchant_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN security_deadline INTEGER NOT NULL DEFAULT 0;
CREATE TABLE policies (
  scope TEXT NOT NULL,
  scope_key TEXT NOT NULL,
  patch TEXT NOT NULL,
  revision INTEGER NOT NULL,
  mode_revision INTEGER NOT NULL,
  PRIMARY KEY (scope, scope_key)
);
CREATE TABLE policy_changes (
  id INTEGER PRIMARY KEY,
  scope TEXT NOT NULL,
  scope_key TEXT NOT NULL,
  before TEXT NOT NULL,
  after TEXT NOT NULL,
  actor TEXT NOT NULL,
  path TEXT NOT NULL,
  reason TEXT NOT NULL,
  outcome TEXT NOT NULL,
  time INTEGER NOT NULL
);
CREATE INDEX policy_changes_scope ON policy_changes(scope, scope_key, id);
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  terminal_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  text_zh TEXT NOT NULL,
  text_en TEXT NOT NULL,
  time INTEGER NOT NULL,
  UNIQUE (terminal_id, kind, ref)
);
CREATE TABLE merchants (
  id INTEGER PRIMARY KEY,
  legal_name TEXT NOT NULL,
  phone TEXT NOT NULL,
  resident_id_enc TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY,
  terminal_id INTEGER NOT NULL,
  serial TEXT NOT NULL,
  version TEXT NOT NULL,
  policy TEXT NOT NULL,
  message TEXT NOT NULL,
  status TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
CREATE TABLE verifications (
  id INTEGER PRIMARY KEY,
  merchant_id INTEGER NOT NULL,
  agent TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  verified_until INTEGER NOT NULL
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  path TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  before TEXT NOT NULL,
  after TEXT NOT NULL,
  reason TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
    // 4: people who log in to the back office, and their sessions.
    R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf TEXT NOT NULL,
  created INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
)sql",
    // 5: indexes for the console's terminal list (filters and paging at 100,000 terminals).
    R"sql(
CREATE INDEX terminals_serial ON terminals(serial);
CREATE INDEX terminals_model_version ON terminals(model, installed_version);
CREATE INDEX terminals_group ON terminals(group_name);
CREATE INDEX terminals_merchant ON terminals(merchant_id);
CREATE INDEX terminals_last_seen ON terminals(last_seen);
)sql",
    // 6: applications for terminals, applicants' phone codes, activation codes.
    //    One live application per resident ID (a rejected one does not count).
    R"sql(
CREATE TABLE applications (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  legal_name TEXT NOT NULL,
  resident_id_enc TEXT NOT NULL,
  resident_id_index TEXT NOT NULL,
  resident_id_masked TEXT NOT NULL,
  business_name TEXT NOT NULL,
  credit_code TEXT NOT NULL,
  phone TEXT NOT NULL,
  card_enc TEXT NOT NULL,
  card_masked TEXT NOT NULL,
  bank TEXT NOT NULL,
  address TEXT NOT NULL,
  model TEXT NOT NULL,
  status TEXT NOT NULL,
  checks TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  reviewer TEXT NOT NULL DEFAULT '',
  carrier TEXT NOT NULL DEFAULT '',
  tracking TEXT NOT NULL DEFAULT '',
  serials TEXT NOT NULL DEFAULT '',
  merchant_id INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
CREATE UNIQUE INDEX applications_live_resident ON applications(resident_id_index) WHERE status != 'rejected';
CREATE INDEX applications_status ON applications(status, id);
CREATE TABLE phone_codes (
  id INTEGER PRIMARY KEY,
  phone TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  verified INTEGER NOT NULL DEFAULT 0,
  used INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL
);
CREATE INDEX phone_codes_phone ON phone_codes(phone, created);
CREATE TABLE activations (
  id INTEGER PRIMARY KEY,
  code_hash TEXT NOT NULL UNIQUE,
  serial TEXT NOT NULL,
  model TEXT NOT NULL,
  application_id INTEGER NOT NULL,
  merchant_id INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  used INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL
);
CREATE INDEX activations_application ON activations(application_id);
)sql",
    // 7: the support desk's ticket notes, the ticket queue (open first, by
    //    terminal) and the audit log's filters (actor, terminal, time).
    R"sql(
CREATE TABLE ticket_notes (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  time INTEGER NOT NULL
);
CREATE INDEX ticket_notes_ticket ON ticket_notes(ticket_id, id);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_serial ON tickets(serial, id);
CREATE INDEX audit_log_actor ON audit_log(actor, id);
CREATE INDEX audit_log_target ON audit_log(target, id);
CREATE INDEX audit_log_time ON audit_log(time);
CREATE INDEX merchants_phone ON merchants(phone);
)sql",
    // 8: what the server checked of a release's signatures at publish, and
    //    deployments by release (roll-out progress in the console).
    R"sql(
CREATE TABLE release_checks (
  release_id INTEGER PRIMARY KEY REFERENCES releases(id),
  verified INTEGER NOT NULL,
  threshold INTEGER NOT NULL,
  key_ids TEXT NOT NULL
);
CREATE INDEX deployments_release ON deployments(release_id, id);
)sql",
    // 9: the console's overview and terminal page: download progress as the
    //    terminal reports it, ended deployments by day with their result and
    //    whether they rolled back (status codes by deployment), terminals
    //    assigned a (security) release, and a terminal's tickets.
    R"sql(
ALTER TABLE action_status ADD COLUMN progress_cnt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE action_status ADD COLUMN progress_of INTEGER NOT NULL DEFAULT 0;
DROP INDEX action_status_deployment;
CREATE INDEX action_status_deployment_code ON action_status(deployment_id, code);
CREATE INDEX deployments_ended ON deployments(status, updated, result);
CREATE INDEX deployments_release_terminal ON deployments(release_id, terminal_id);
CREATE INDEX tickets_terminal ON tickets(terminal_id, id);
)sql",
    // 10: at most one open deployment per terminal, also when two assignments
    //     race (an older duplicate from before is canceled, the newest kept).
    R"sql(
UPDATE deployments SET status = 'canceled', message = 'replaced by a newer deployment of the same terminal'
WHERE status IN ('scheduled', 'running', 'canceling')
  AND id NOT IN (SELECT MAX(id) FROM deployments WHERE status IN ('scheduled', 'running', 'canceling') GROUP BY terminal_id);
CREATE UNIQUE INDEX deployments_one_open ON deployments(terminal_id) WHERE status IN ('scheduled', 'running', 'canceling');
)sql",
    // 11: credentials end: an API token is revoked (kept, refused, listed
    //     with when it was last used); a terminal is retired (its DDI token
    //     refused, left out of deployments, roll-outs and active counts).
    R"sql(
ALTER TABLE api_tokens ADD COLUMN last_used INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE terminals ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE terminals ADD COLUMN retired_reason TEXT NOT NULL DEFAULT '';
)sql",
    // 12: certificates the device CA issued to terminals, and the
    //    fleet's device authentication setting (one row; the DDI token is
    //    required until an administrator says otherwise).
    R"sql(
CREATE TABLE device_certs (
  id INTEGER PRIMARY KEY,
  terminal_id INTEGER NOT NULL REFERENCES terminals(id),
  fingerprint TEXT NOT NULL UNIQUE,
  cert_serial TEXT NOT NULL,
  issued INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  revoked_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX device_certs_terminal ON device_certs(terminal_id, id);
CREATE TABLE device_auth (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  token_required INTEGER NOT NULL
);
INSERT INTO device_auth (id, token_required) VALUES (1, 1);
)sql",
    // 13: the root of trust: every root document published, by version
    //     (docs/formats/root.md); terminals fetch them one version at a time.
    R"sql(
CREATE TABLE roots (
  version INTEGER PRIMARY KEY,
  text TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  published_by TEXT NOT NULL
);
)sql",
    // 14: accounts an auditor accepts: the client address of each audit
    //     entry ('' for older entries, whose hashes do not cover it); a user's
    //     TOTP secret (sealed), the one waiting for its first code, and the
    //     last time step used (each code works once); back-office settings
    //     such as TOTP required for administrators.
    R"sql(
ALTER TABLE audit_log ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
CREATE TABLE account_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
    // 15: staged rollouts' shared columns: a terminal's IANA time zone ('' = its merchant's
    //     region or the fleet's); the rollout that made a deployment, and the phase the terminal
    //     is in with it and since when (store/deployment_status.h DeploymentPhase).
    R"sql(
ALTER TABLE terminals ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN rollout_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN phase TEXT NOT NULL DEFAULT 'scheduled';
ALTER TABLE deployments ADD COLUMN phase_since INTEGER NOT NULL DEFAULT 0;
UPDATE deployments SET phase_since = updated, phase = CASE
  WHEN status = 'canceled' THEN 'canceled'
  WHEN status = 'finished' AND result = 'success' THEN 'success'
  WHEN status = 'finished' THEN 'failed'
  WHEN status = 'scheduled' THEN 'scheduled'
  ELSE 'downloading' END;
CREATE INDEX deployments_rollout_phase ON deployments(rollout_id, phase);
)sql",
    // 16: leases on background work (store/leases_store.h): who runs it, until when (unix ms).
    R"sql(
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  until INTEGER NOT NULL
);
)sql",
    // 17: how long a deployment may stay in each open phase (domain/timeouts.h; one row, 0 =
    //     never), and the index the sweep for stuck deployments reads: a range of phase_since per
    //     open status and phase.
    R"sql(
CREATE TABLE deployment_timeouts (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  waiting_seconds INTEGER NOT NULL,
  downloading_seconds INTEGER NOT NULL,
  installing_seconds INTEGER NOT NULL
);
INSERT INTO deployment_timeouts (id, waiting_seconds, downloading_seconds, installing_seconds)
  VALUES (1, 604800, 86400, 7200);
CREATE INDEX deployments_open_phase ON deployments(status, phase, phase_since);
)sql",
    // 18: webhooks (store/webhooks_store.h): where rollout events go and in which format, the
    //     signing secret sealed; the outbox of events waiting for delivery, each row written in
    //     the transaction of the change that caused it.
    R"sql(
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  format TEXT NOT NULL,
  events TEXT NOT NULL,
  secret_sealed TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  last_time INTEGER NOT NULL DEFAULT 0,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE webhook_outbox (
  id INTEGER PRIMARY KEY,
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  created INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  finished INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_outbox_due ON webhook_outbox(state, next_try);
CREATE INDEX webhook_outbox_of ON webhook_outbox(webhook_id, state, id);
)sql",
    // 19: staged rollouts (store/rollouts_store.h): rollouts, their waves, the members each wave
    //     was given at the start, the history samples of the chart, and the kill switch.
    R"sql(
CREATE TABLE rollouts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  release_id INTEGER NOT NULL REFERENCES releases(id),
  target TEXT NOT NULL,
  waves TEXT NOT NULL,
  state TEXT NOT NULL,
  state_reason TEXT NOT NULL DEFAULT '',
  current_wave INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created INTEGER NOT NULL,
  start_at INTEGER NOT NULL DEFAULT 0,
  started INTEGER NOT NULL DEFAULT 0,
  ended INTEGER NOT NULL DEFAULT 0,
  offline_days INTEGER NOT NULL DEFAULT 7,
  last_sample INTEGER NOT NULL DEFAULT 0,
  last_counts TEXT NOT NULL DEFAULT ''
);
CREATE INDEX rollouts_state ON rollouts(state, id);
CREATE INDEX rollouts_release ON rollouts(release_id, id);
CREATE TABLE rollout_waves (
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id),
  idx INTEGER NOT NULL,
  spec TEXT NOT NULL,
  state TEXT NOT NULL,
  terminals INTEGER NOT NULL DEFAULT 0,
  started INTEGER NOT NULL DEFAULT 0,
  soak_until INTEGER NOT NULL DEFAULT 0,
  approved_by TEXT NOT NULL DEFAULT '',
  approved_at INTEGER NOT NULL DEFAULT 0,
  finished INTEGER NOT NULL DEFAULT 0,
  failed_base INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (rollout_id, idx)
);
CREATE TABLE rollout_members (
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id),
  terminal_id INTEGER NOT NULL REFERENCES terminals(id),
  wave INTEGER NOT NULL,
  deployment_id INTEGER NOT NULL DEFAULT 0,
  skipped TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (rollout_id, terminal_id)
) WITHOUT ROWID;
CREATE INDEX rollout_members_wave ON rollout_members(rollout_id, wave, deployment_id);
CREATE TABLE rollout_samples (
  id INTEGER PRIMARY KEY,
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id),
  time INTEGER NOT NULL,
  wave INTEGER NOT NULL,
  counts TEXT NOT NULL
);
CREATE INDEX rollout_samples_rollout ON rollout_samples(rollout_id, id);
CREATE TABLE release_stops (
  release_id INTEGER PRIMARY KEY REFERENCES releases(id),
  reason TEXT NOT NULL,
  by TEXT NOT NULL,
  at INTEGER NOT NULL
);
)sql",
    // 20: the calendar (store/calendar_store.h): freeze periods (封网期) of the fleet or a group,
    //     local dates YYYY-MM-DD read in each terminal's zone; a merchant's IANA time zone ('' =
    //     none), the default of its terminals that have none of their own.
    R"sql(
CREATE TABLE freezes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scope TEXT NOT NULL,
  group_name TEXT NOT NULL DEFAULT '',
  date_from TEXT NOT NULL,
  date_to TEXT NOT NULL,
  reason TEXT NOT NULL,
  security TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE INDEX freezes_to ON freezes(date_to);
ALTER TABLE merchants ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
)sql",
    // 21: events counted against a limit (store/limits_store.h): failed log-ins per user name and
    //     address, public requests per address; a key's events in a window are one index range,
    //     and old ones are pruned by time.
    R"sql(
CREATE TABLE limit_events (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  time INTEGER NOT NULL
);
CREATE INDEX limit_events_key ON limit_events(key, time);
CREATE INDEX limit_events_time ON limit_events(time);
)sql",
    // 22: the console at a million terminals. Each terminal keeps its effective mode (the store
    //     writes it: sql/policy_mode_sql.h) and its update state (the state of its newest
    //     deployment, deployment_status.h update_state_of; the triggers below write it) in its
    //     row, so the mode and state filters are index ranges. terminal_tally keeps how many
    //     terminals there are of each model, version, mode and retirement, so the list's counts
    //     and the overview's mixes read a few rows, not every terminal; the triggers keep it
    //     exact in the same transaction as the change. Each terminal keeps the release of its
    //     newest deployment too, so "assigned a release and not running it yet" (the pending
    //     filter, the security deadlines) is an index range. deployment_days keeps, per UTC day,
    //     how many deployments ended there in success, in failure and rolled back (a failure
    //     with a status line coded health check or boot failed, core/result.h 31 and 32), as the
    //     overview's outcome chart counts them; its triggers keep it exact whatever changes: a
    //     deployment ending, a later change to an ended one, a rollback line after the end.
    //     serial_key is the serial in lower case, compared byte by byte on both databases (COLLATE
    //     BINARY, PostgreSQL's "C"), so a serial prefix in any case is an index range. Indexes
    //     give each filter its page in serial order, and the online count its in-service
    //     terminals without reading the rows.
    R"sql(
ALTER TABLE terminals ADD COLUMN effective_mode TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE terminals ADD COLUMN update_state TEXT NOT NULL DEFAULT 'idle';
ALTER TABLE terminals ADD COLUMN newest_release_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE terminals ADD COLUMN serial_key TEXT NOT NULL DEFAULT '' COLLATE BINARY;
UPDATE terminals SET serial_key = lower(serial);
CREATE TRIGGER terminals_serial_key AFTER INSERT ON terminals
BEGIN
  UPDATE terminals SET serial_key = lower(NEW.serial) WHERE id = NEW.id;
END;
UPDATE terminals SET effective_mode = )sql" POSFLEET_EFFECTIVE_MODE_OF_ROW_22 R"sql(
WHERE effective_mode != )sql" POSFLEET_EFFECTIVE_MODE_OF_ROW_22 R"sql(;
UPDATE terminals SET update_state = (
  SELECT CASE d.status WHEN 'finished' THEN (CASE WHEN d.result = 'success' THEN 'success' ELSE 'failed' END)
    WHEN 'scheduled' THEN 'scheduled' WHEN 'running' THEN 'running' WHEN 'canceling' THEN 'running'
    WHEN 'canceled' THEN 'canceled' END
  FROM deployments d WHERE d.terminal_id = terminals.id ORDER BY d.id DESC LIMIT 1),
  newest_release_id = (SELECT d.release_id FROM deployments d WHERE d.terminal_id = terminals.id ORDER BY d.id DESC LIMIT 1)
WHERE id IN (SELECT terminal_id FROM deployments);
CREATE TABLE terminal_tally (
  model TEXT NOT NULL,
  installed_version TEXT NOT NULL,
  effective_mode TEXT NOT NULL,
  retired INTEGER NOT NULL,  -- 1 for any retired terminal (terminals.retired holds when)
  n INTEGER NOT NULL,
  PRIMARY KEY (model, installed_version, effective_mode, retired)
) WITHOUT ROWID;
INSERT INTO terminal_tally (model, installed_version, effective_mode, retired, n)
SELECT model, installed_version, effective_mode, CASE WHEN retired = 0 THEN 0 ELSE 1 END, COUNT(*)
FROM terminals GROUP BY 1, 2, 3, 4;
-- A row here, written and removed inside one transaction, pauses the tally's triggers for it:
-- a change to many terminals counts the tally again in one pass instead (sql_store.h
-- refresh_effective_modes). PostgreSQL keeps every version of a row until commit, so a tally
-- row updated once per terminal would cost the square of the terminals.
CREATE TABLE tally_paused (
  id INTEGER NOT NULL,
  PRIMARY KEY (id)
) WITHOUT ROWID;
CREATE TRIGGER terminals_tally_insert AFTER INSERT ON terminals
BEGIN
  INSERT INTO terminal_tally (model, installed_version, effective_mode, retired, n)
  SELECT NEW.model, NEW.installed_version, NEW.effective_mode, CASE WHEN NEW.retired = 0 THEN 0 ELSE 1 END, 1
  WHERE NOT EXISTS (SELECT 1 FROM tally_paused)
  ON CONFLICT (model, installed_version, effective_mode, retired) DO UPDATE SET n = terminal_tally.n + 1;
END;
CREATE TRIGGER terminals_tally_update AFTER UPDATE OF model, installed_version, effective_mode, retired ON terminals
BEGIN
  UPDATE terminal_tally SET n = n - 1 WHERE model = OLD.model AND installed_version = OLD.installed_version
    AND effective_mode = OLD.effective_mode AND retired = (CASE WHEN OLD.retired = 0 THEN 0 ELSE 1 END)
    AND NOT EXISTS (SELECT 1 FROM tally_paused);
  INSERT INTO terminal_tally (model, installed_version, effective_mode, retired, n)
  SELECT NEW.model, NEW.installed_version, NEW.effective_mode, CASE WHEN NEW.retired = 0 THEN 0 ELSE 1 END, 1
  WHERE NOT EXISTS (SELECT 1 FROM tally_paused)
  ON CONFLICT (model, installed_version, effective_mode, retired) DO UPDATE SET n = terminal_tally.n + 1;
END;
CREATE TRIGGER terminals_tally_delete AFTER DELETE ON terminals
BEGIN
  UPDATE terminal_tally SET n = n - 1 WHERE model = OLD.model AND installed_version = OLD.installed_version
    AND effective_mode = OLD.effective_mode AND retired = (CASE WHEN OLD.retired = 0 THEN 0 ELSE 1 END)
    AND NOT EXISTS (SELECT 1 FROM tally_paused);
END;
CREATE TRIGGER deployments_state_insert AFTER INSERT ON deployments
BEGIN
  UPDATE terminals SET update_state = CASE NEW.status
    WHEN 'finished' THEN (CASE WHEN NEW.result = 'success' THEN 'success' ELSE 'failed' END)
    WHEN 'scheduled' THEN 'scheduled' WHEN 'running' THEN 'running' WHEN 'canceling' THEN 'running'
    WHEN 'canceled' THEN 'canceled' END,
    newest_release_id = NEW.release_id
  WHERE id = NEW.terminal_id
    AND NOT EXISTS (SELECT 1 FROM deployments n WHERE n.terminal_id = NEW.terminal_id AND n.id > NEW.id);
END;
CREATE TRIGGER deployments_state_update AFTER UPDATE OF status, result ON deployments
BEGIN
  UPDATE terminals SET update_state = CASE NEW.status
    WHEN 'finished' THEN (CASE WHEN NEW.result = 'success' THEN 'success' ELSE 'failed' END)
    WHEN 'scheduled' THEN 'scheduled' WHEN 'running' THEN 'running' WHEN 'canceling' THEN 'running'
    WHEN 'canceled' THEN 'canceled' END,
    newest_release_id = NEW.release_id
  WHERE id = NEW.terminal_id AND (OLD.status != NEW.status OR OLD.result != NEW.result)
    AND NOT EXISTS (SELECT 1 FROM deployments n WHERE n.terminal_id = NEW.terminal_id AND n.id > NEW.id);
END;
CREATE TABLE deployment_days (
  day INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  rolled INTEGER NOT NULL,
  PRIMARY KEY (day)
) WITHOUT ROWID;
INSERT INTO deployment_days (day, ok, failed, rolled)
SELECT day, SUM(ok), SUM(1 - ok - rolled), SUM(rolled) FROM (
  SELECT d.updated / 86400 AS day, CASE WHEN d.result = 'success' THEN 1 ELSE 0 END AS ok,
    CASE WHEN d.result != 'success' AND EXISTS (SELECT 1 FROM action_status a WHERE a.deployment_id = d.id AND a.code IN (31, 32)) THEN 1 ELSE 0 END AS rolled
  FROM deployments d WHERE d.status = 'finished') ended
GROUP BY day;
CREATE TRIGGER deployments_days_insert AFTER INSERT ON deployments
BEGIN
  INSERT INTO deployment_days (day, ok, failed, rolled)
  SELECT NEW.updated / 86400, x.ok, 1 - x.ok, 0 FROM (SELECT CASE WHEN NEW.result = 'success' THEN 1 ELSE 0 END AS ok) x WHERE NEW.status = 'finished'
  ON CONFLICT (day) DO UPDATE SET ok = deployment_days.ok + excluded.ok, failed = deployment_days.failed + excluded.failed;
END;
CREATE TRIGGER deployments_days_update AFTER UPDATE OF status, result, updated ON deployments
BEGIN
  UPDATE deployment_days SET ok = ok - x.d_ok, failed = failed - (1 - x.d_ok - x.d_rolled), rolled = rolled - x.d_rolled
  FROM (SELECT CASE WHEN OLD.result = 'success' THEN 1 ELSE 0 END AS d_ok, CASE WHEN OLD.result != 'success' AND EXISTS (SELECT 1 FROM action_status a WHERE a.deployment_id = OLD.id AND a.code IN (31, 32)) THEN 1 ELSE 0 END AS d_rolled) x
  WHERE day = OLD.updated / 86400 AND OLD.status = 'finished';
  INSERT INTO deployment_days (day, ok, failed, rolled)
  SELECT NEW.updated / 86400, x.ok, 1 - x.ok - x.rolled, x.rolled FROM (SELECT CASE WHEN NEW.result = 'success' THEN 1 ELSE 0 END AS ok, CASE WHEN NEW.result != 'success' AND EXISTS (SELECT 1 FROM action_status a WHERE a.deployment_id = NEW.id AND a.code IN (31, 32)) THEN 1 ELSE 0 END AS rolled) x
  WHERE NEW.status = 'finished'
  ON CONFLICT (day) DO UPDATE SET ok = deployment_days.ok + excluded.ok, failed = deployment_days.failed + excluded.failed,
    rolled = deployment_days.rolled + excluded.rolled;
END;
CREATE TRIGGER action_status_days_insert AFTER INSERT ON action_status
BEGIN
  UPDATE deployment_days SET failed = failed - 1, rolled = rolled + 1
  WHERE NEW.code IN (31, 32)
    AND day = (SELECT d.updated / 86400 FROM deployments d WHERE d.id = NEW.deployment_id AND d.status = 'finished' AND d.result != 'success')
    AND NOT EXISTS (SELECT 1 FROM action_status a WHERE a.deployment_id = NEW.deployment_id AND a.code IN (31, 32) AND a.id != NEW.id);
END;
CREATE INDEX terminals_newest_release ON terminals(newest_release_id, update_state, installed_version, retired);
CREATE INDEX terminals_newest_release_serial ON terminals(newest_release_id, serial);
CREATE INDEX terminals_mode ON terminals(effective_mode, serial);
CREATE INDEX terminals_state ON terminals(update_state, serial);
CREATE INDEX terminals_model ON terminals(model, serial);
CREATE INDEX terminals_serial_key ON terminals(serial_key);
DROP INDEX terminals_merchant;
CREATE INDEX terminals_merchant ON terminals(merchant_id, serial);
DROP INDEX terminals_last_seen;
CREATE INDEX terminals_last_seen ON terminals(last_seen, retired);
)sql",
    // 23: PostgreSQL keeps how many terminals were last seen in each second (terminals_seen,
    //     store/postgres/pg_schema.cc), so that counting the online ones reads the seconds of
    //     the online window. SQLite counts them from the index of migration 22 quickly enough
    //     (8 ms of a million terminals, half of them online), and a tally would cost each
    //     poll's last_seen write a second one: nothing changes here.
    R"sql(
-- PostgreSQL only (pg_schema.cc postgres_migration_after(23)).
)sql",
    // 24: each merchant keeps how many terminals it has (in service or retired), so that a
    //     search by merchant name counts its matches from the merchants it reads anyway (50,000
    //     at a million terminals) instead of from each matching terminal's index entry
    //     (125,000 for a common word). Kept by triggers: a terminal added, removed or moved to
    //     another merchant; both merchants of a move are written by one statement, in the
    //     order of their ids (two moves the opposite way never wait on each other's row).
    //     PostgreSQL also gathers statistics on the names' lower case (pg_schema.cc).
    R"sql(
ALTER TABLE merchants ADD COLUMN terminal_count INTEGER NOT NULL DEFAULT 0;
UPDATE merchants SET terminal_count = (SELECT COUNT(*) FROM terminals t WHERE t.merchant_id = merchants.id);
CREATE TRIGGER merchants_count_insert AFTER INSERT ON terminals
BEGIN
  UPDATE merchants SET terminal_count = terminal_count + 1 WHERE id = NEW.merchant_id;
END;
CREATE TRIGGER merchants_count_delete AFTER DELETE ON terminals
BEGIN
  UPDATE merchants SET terminal_count = terminal_count - 1 WHERE id = OLD.merchant_id;
END;
CREATE TRIGGER merchants_count_update AFTER UPDATE OF merchant_id ON terminals
BEGIN
  UPDATE merchants SET terminal_count = terminal_count + (CASE WHEN id = NEW.merchant_id THEN 1 ELSE -1 END)
  WHERE id IN (OLD.merchant_id, NEW.merchant_id) AND OLD.merchant_id != NEW.merchant_id;
END;
)sql",
    // 25: each release keeps how many terminals in service are pending it (release_pending):
    //     their newest deployment is of it and not canceled, and they do not run its version
    //     yet: the overview's security rows, and the count of the list's pending filter in
    //     service. Counting them from the index took 30-50 ms at a million terminals, a third
    //     of a million of them assigned one release. Every release has its row from the start
    //     (a trigger on releases), so the terminals' triggers only ever update: a terminal
    //     moving from one release to another writes both rows in one statement, in the order
    //     of their ids (two moves the opposite way never wait on each other's row), and a
    //     change that leaves its count as it was (a deployment scheduled, then running) writes
    //     nothing. Releases are never deleted and keep their version. The group filter's page
    //     becomes an index range in serial order, as the other filters' are (migration 22).
    R"sql(
CREATE TABLE release_pending (
  release_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (release_id)
) WITHOUT ROWID;
INSERT INTO release_pending (release_id, n)
SELECT r.id, (SELECT COUNT(*) FROM terminals t WHERE t.newest_release_id = r.id AND )sql" POSFLEET_PENDING_ROW("t") R"sql()
FROM releases r;
CREATE TRIGGER releases_pending_insert AFTER INSERT ON releases
BEGIN
  INSERT INTO release_pending (release_id, n) VALUES (NEW.id, 0);
END;
CREATE TRIGGER terminals_pending_insert AFTER INSERT ON terminals
BEGIN
  UPDATE release_pending SET n = n + 1 WHERE release_id = NEW.newest_release_id AND )sql" POSFLEET_PENDING_ROW("NEW") R"sql(;
END;
CREATE TRIGGER terminals_pending_delete AFTER DELETE ON terminals
BEGIN
  UPDATE release_pending SET n = n - 1 WHERE release_id = OLD.newest_release_id AND )sql" POSFLEET_PENDING_ROW(
        "OLD") R"sql(;
END;
CREATE TRIGGER terminals_pending_update AFTER UPDATE OF newest_release_id, update_state, installed_version, retired ON terminals
BEGIN
  UPDATE release_pending SET n = n + )sql" POSFLEET_PENDING_MOVE R"sql(
  WHERE release_id IN (OLD.newest_release_id, NEW.newest_release_id) AND )sql" POSFLEET_PENDING_MOVE
               R"sql( != 0;
END;
DROP INDEX terminals_group;
CREATE INDEX terminals_group ON terminals(group_name, serial);
)sql",
    // 26: what each release's downloads sent (artifacts and delta patches), and what full
    //     downloads would have sent in their place (docs/formats/delta.md): the release's
    //     progress shows what its patches saved.
    R"sql(
CREATE TABLE release_bytes (
  release_id INTEGER NOT NULL,
  sent_bytes INTEGER NOT NULL,
  full_bytes INTEGER NOT NULL,
  PRIMARY KEY (release_id)
) WITHOUT ROWID;
)sql",
    // 27: the zchunk files of published releases (docs/formats/zchunk.md), which posfleetd
    //     serves to any client by their hash: only files a release's manifest lists.
    R"sql(
CREATE TABLE zchunk_files (
  sha256 TEXT NOT NULL,
  release_id INTEGER NOT NULL REFERENCES releases(id),
  PRIMARY KEY (sha256, release_id)
) WITHOUT ROWID;
)sql",
    // 28: organisations (docs/organisations.md): the acquirer at the root (made here, id 1),
    //     resellers below it at any depth, merchants below them. Each keeps its path of ids
    //     from the root ("/1/7/12/"), so a subtree is one range of the path index; terminals,
    //     users and API tokens (their maker's) belong to one, the root until given another.
    R"sql(
CREATE TABLE organisations (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES organisations(id),
  kind TEXT NOT NULL CHECK (kind IN ('acquirer', 'reseller', 'merchant')),
  name TEXT NOT NULL,
  path TEXT COLLATE BINARY NOT NULL UNIQUE,
  created_by TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX organisations_sibling_name ON organisations(parent_id, name);
INSERT INTO organisations (parent_id, kind, name, path) VALUES (NULL, 'acquirer', '', '/1/');
ALTER TABLE terminals ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE api_tokens ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX terminals_org ON terminals(org_id);
)sql",
    // 29: parameters (参数下发, docs/parameters.md): an app's template with its typed schema,
    //     values set at an organisation, at a group within one, or at a terminal (sealed when
    //     the field is sensitive; a row may hold only a lock), and the version of its set each
    //     terminal applied.
    R"sql(
CREATE TABLE parameter_templates (
  id INTEGER PRIMARY KEY,
  app TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  schema TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE parameter_values (
  template_id INTEGER NOT NULL REFERENCES parameter_templates(id),
  level TEXT NOT NULL CHECK (level IN ('org', 'group', 'terminal')),
  org_id INTEGER NOT NULL,
  target TEXT NOT NULL,
  key TEXT NOT NULL,
  has_value INTEGER NOT NULL,
  value TEXT NOT NULL,
  sealed INTEGER NOT NULL DEFAULT 0,
  locked INTEGER NOT NULL DEFAULT 0,
  updated_by TEXT NOT NULL DEFAULT '',
  updated INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (template_id, level, org_id, target, key)
) WITHOUT ROWID;
CREATE TABLE parameter_acks (
  terminal_id INTEGER NOT NULL REFERENCES terminals(id),
  template_id INTEGER NOT NULL REFERENCES parameter_templates(id),
  version TEXT NOT NULL,
  applied INTEGER NOT NULL,
  PRIMARY KEY (terminal_id, template_id)
) WITHOUT ROWID;
)sql",
    // 30: terminal locks (docs/terminal_lock.md): a lost or stolen terminal locked remotely, the
    //     sealed code that unlocks it and the check the terminal verifies it with offline.
    R"sql(
CREATE TABLE terminal_locks (
  id INTEGER PRIMARY KEY,
  terminal_id INTEGER NOT NULL REFERENCES terminals(id),
  reason TEXT NOT NULL,
  locked_by TEXT NOT NULL,
  locked_at INTEGER NOT NULL,
  code_sealed TEXT NOT NULL,
  check_json TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('locked', 'released', 'unlocked')),
  ended_at INTEGER NOT NULL DEFAULT 0,
  ended_by TEXT NOT NULL DEFAULT '',
  ended_how TEXT NOT NULL DEFAULT '',
  code_issued_at INTEGER NOT NULL DEFAULT 0,
  code_issued_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX terminal_locks_terminal ON terminal_locks(terminal_id, id);
)sql",
    // 31: actions staff ask of a terminal (docs/diagnostics.md): collect its logs, reboot; the
    //     outcome it reports, and the log bundle it uploads, scrubbed.
    R"sql(
CREATE TABLE terminal_actions (
  id INTEGER PRIMARY KEY,
  terminal_id INTEGER NOT NULL REFERENCES terminals(id),
  kind TEXT NOT NULL CHECK (kind IN ('logs', 'reboot')),
  reason TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
  done_at INTEGER NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '',
  bundle_size INTEGER NOT NULL DEFAULT 0,
  bundle TEXT
);
CREATE INDEX terminal_actions_terminal ON terminal_actions(terminal_id, state, id);
)sql",
    // 32: terminals' health (docs/health.md): each one's latest report with the conditions the
    //     fleet's filters find (partial indexes: few terminals have any), and a history of
    //     reports pruned after the retention.
    R"sql(
CREATE TABLE terminal_health (
  terminal_id INTEGER NOT NULL PRIMARY KEY REFERENCES terminals(id),
  time INTEGER NOT NULL,
  history_at INTEGER NOT NULL DEFAULT 0,
  low_storage INTEGER NOT NULL DEFAULT 0,
  weak_signal INTEGER NOT NULL DEFAULT 0,
  low_battery INTEGER NOT NULL DEFAULT 0,
  sample TEXT NOT NULL
);
CREATE INDEX terminal_health_low_storage ON terminal_health(terminal_id) WHERE low_storage = 1;
CREATE INDEX terminal_health_weak_signal ON terminal_health(terminal_id) WHERE weak_signal = 1;
CREATE INDEX terminal_health_low_battery ON terminal_health(terminal_id) WHERE low_battery = 1;
CREATE TABLE terminal_health_history (
  id INTEGER PRIMARY KEY,
  terminal_id INTEGER NOT NULL REFERENCES terminals(id),
  time INTEGER NOT NULL,
  sample TEXT NOT NULL
);
CREATE INDEX terminal_health_history_terminal ON terminal_health_history(terminal_id, time);
CREATE INDEX terminal_health_history_time ON terminal_health_history(time);
)sql",
    // 33: each audit entry belongs to an organisation (docs/organisations.md): the terminal's for
    //     an entry about a terminal, else the actor's; the acquirer's for every older entry. A
    //     reseller's log is its organisations' entries, newest first, along this index.
    R"sql(
ALTER TABLE audit_log ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX audit_log_org ON audit_log(org_id, id);
)sql",
    // 34: a policy per organisation, inherited down the tree (docs/organisations.md): kept in
    //     policies under the organisation's path, and folded per organisation for the terminals'
    //     effective modes (sql/policy_mode_sql.h). No organisation had a policy before, so no
    //     terminal's mode changes.
    R"sql(
CREATE TABLE organisation_modes (
  org_id INTEGER NOT NULL PRIMARY KEY REFERENCES organisations(id),
  locked INTEGER NOT NULL,
  mode TEXT
);
)sql",
    // 35: a release belongs to the organisation whose subtree sees and receives it, a rollout to
    //     the organisation that made it, and a scope's lock to the organisation that set it
    //     (docs/organisations.md); before, every one the acquirer's.
    R"sql(
ALTER TABLE releases ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE rollouts ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE policies ADD COLUMN lock_org INTEGER NOT NULL DEFAULT 1;
CREATE INDEX rollouts_org ON rollouts(org_id, id);
)sql",
    // 36: a merchant and an application belong to an organisation (docs/organisations.md): an
    //     application to the one whose staff review it, the acquirer's until it is given to
    //     another; a merchant to the organisation its application was, or that made it. A merchant
    //     made before whose terminals all belong to one organisation belongs to that one; any
    //     other, the acquirer.
    R"sql(
ALTER TABLE merchants ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE applications ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;
UPDATE merchants SET org_id = (SELECT MIN(t.org_id) FROM terminals t WHERE t.merchant_id = merchants.id)
  WHERE (SELECT COUNT(DISTINCT t.org_id) FROM terminals t WHERE t.merchant_id = merchants.id) = 1;
CREATE INDEX merchants_org ON merchants(org_id, id);
CREATE INDEX applications_org ON applications(org_id, id);
)sql",
};
#undef POSFLEET_PENDING_MOVE
#undef POSFLEET_PENDING_ROW
}  // namespace

std::span<const char* const> sqlite_migrations() { return kMigrations; }

}  // namespace posfleet::store
