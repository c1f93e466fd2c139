// posfleet server: the store's parameters area (store/parameters_store.h), written once in SQL
// for both backends.
// Thread-safety: as SqlStore.
#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {

constexpr const char* kTemplateCols =
    "SELECT id, app, name, schema, revision, created_by, created, updated FROM "
    "parameter_templates ";
ParameterTemplateRecord read_template(Stmt& s) {
  return ParameterTemplateRecord{s.i64(0), s.str(1), s.str(2), s.str(3),
                                 s.i64(4), s.str(5), s.i64(6), s.i64(7)};
}

constexpr const char* kValueCols =
    "SELECT template_id, level, org_id, target, key, has_value, value, sealed, locked, "
    "updated_by, updated FROM parameter_values ";
ParameterValueRecord read_value(Stmt& s) {
  return ParameterValueRecord{s.i64(0),      s.str(1),      s.i64(2), s.str(3),
                              s.str(4),      s.i64(5) != 0, s.str(6), s.i64(7) != 0,
                              s.i64(8) != 0, s.str(9),      s.i64(10)};
}

Expected<std::vector<ParameterValueRecord>> read_values(Connection& c, Stmt& s, const char* what) {
  std::vector<ParameterValueRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_value(s));
  if (rc != kDone) return c.error(what);
  return out;
}

}  // namespace

Expected<ParameterTemplateRecord> SqlStore::insert_parameter_template(
    const ParameterTemplateRecord& t) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO parameter_templates (app, name, schema, revision, created_by, created, "
      "updated) VALUES (?,?,?,?,?,?,?)");
  s.bind_all(t.app, t.name, t.schema_json, t.revision, t.created_by, t.created, t.updated);
  if (s.step() != kDone) return c.error("parameter template " + t.app);
  ParameterTemplateRecord out = t;
  out.id = c.last_insert_id();
  return out;
}

Status SqlStore::update_parameter_template(const ParameterTemplateRecord& t) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE parameter_templates SET name = ?, schema = ?, revision = ?, updated = ? "
      "WHERE id = ?");
  s.bind_all(t.name, t.schema_json, t.revision, t.updated, t.id);
  if (s.step() != kDone) return c.error("parameter template");
  if (c.changes() != 1) return make_error(Code::kNotFound, "no parameter template " + t.app);
  return ok_status();
}

Expected<ParameterTemplateRecord> SqlStore::parameter_template(const std::string& app) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kTemplateCols) + "WHERE app = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(app);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "no parameter template for this app");
  if (rc != kRow) return c.error("parameter template");
  return read_template(s);
}

Expected<std::vector<ParameterTemplateRecord>> SqlStore::parameter_templates() {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kTemplateCols) + "ORDER BY app";
  auto s = c.prepare(sql.c_str());
  std::vector<ParameterTemplateRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_template(s));
  if (rc != kDone) return c.error("parameter templates");
  return out;
}

Expected<std::vector<ParameterValueRecord>> SqlStore::parameter_values_at(
    std::int64_t template_id, const std::string& level, std::int64_t org_id,
    const std::string& target) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kValueCols) +
                                 "WHERE template_id = ? AND level = ? AND org_id = ? AND "
                                 "target = ? ORDER BY key";
  auto s = c.prepare(sql.c_str());
  s.bind_all(template_id, level, org_id, target);
  return read_values(c, s, "parameter values");
}

Expected<std::vector<ParameterValueRecord>> SqlStore::parameter_values_for(
    std::int64_t template_id, const std::vector<std::int64_t>& orgs, const std::string& group,
    const std::string& serial) {
  POSFLEET_CONN(c);
  // The chain is as long as the tree is deep (a handful): one placeholder per organisation, so
  // one prepared statement per depth.
  std::string in;
  for (size_t i = 0; i < orgs.size(); ++i) in += i ? ",?" : "?";
  if (in.empty()) in = "NULL";
  const std::string sql = std::string(kValueCols) +
                          "WHERE template_id = ? AND ((level = 'org' AND org_id IN (" + in +
                          ")) OR (level = 'group' AND target = ? AND org_id IN (" + in +
                          ")) OR (level = 'terminal' AND org_id = 0 AND target = ?))";
  auto s = c.prepare(sql.c_str());
  s.bind(template_id);
  for (auto o : orgs) s.bind(o);
  s.bind(group);
  for (auto o : orgs) s.bind(o);
  s.bind(serial);
  return read_values(c, s, "parameter values");
}

Status SqlStore::put_parameter_value(const ParameterValueRecord& v) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO parameter_values (template_id, level, org_id, target, key, has_value, value, "
      "sealed, locked, updated_by, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT (template_id, level, org_id, target, key) DO UPDATE SET "
      "has_value = excluded.has_value, value = excluded.value, sealed = excluded.sealed, "
      "locked = excluded.locked, updated_by = excluded.updated_by, updated = excluded.updated");
  s.bind_all(v.template_id, v.level, v.org_id, v.target, v.key,
             static_cast<std::int64_t>(v.has_value), v.value, static_cast<std::int64_t>(v.sealed),
             static_cast<std::int64_t>(v.locked), v.updated_by, v.updated);
  if (s.step() != kDone) return c.error("parameter value " + v.key);
  return ok_status();
}

Expected<bool> SqlStore::delete_parameter_value(const ParameterValueRecord& v) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "DELETE FROM parameter_values WHERE template_id = ? AND level = ? AND org_id = ? AND "
      "target = ? AND key = ?");
  s.bind_all(v.template_id, v.level, v.org_id, v.target, v.key);
  if (s.step() != kDone) return c.error("parameter value " + v.key);
  return c.changes() > 0;
}

Expected<std::vector<ParameterValueRecord>> SqlStore::sealed_parameter_values() {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kValueCols) + "WHERE sealed = 1";
  auto s = c.prepare(sql.c_str());
  return read_values(c, s, "sealed parameter values");
}

Status SqlStore::put_parameter_ack(const ParameterAckRecord& a) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO parameter_acks (terminal_id, template_id, version, applied) VALUES (?,?,?,?) "
      "ON CONFLICT (terminal_id, template_id) DO UPDATE SET version = excluded.version, "
      "applied = excluded.applied");
  s.bind_all(a.terminal_id, a.template_id, a.version, a.applied);
  if (s.step() != kDone) return c.error("parameter acknowledgement");
  return ok_status();
}

Expected<std::vector<ParameterAckRecord>> SqlStore::parameter_acks(std::int64_t terminal_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT terminal_id, template_id, version, applied FROM parameter_acks WHERE "
      "terminal_id = ? ORDER BY template_id");
  s.bind(terminal_id);
  std::vector<ParameterAckRecord> out;
  int rc;
  while ((rc = s.step()) == kRow)
    out.push_back(ParameterAckRecord{s.i64(0), s.i64(1), s.str(2), s.i64(3)});
  if (rc != kDone) return c.error("parameter acknowledgements");
  return out;
}

}  // namespace posfleet::store
