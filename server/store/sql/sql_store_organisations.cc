// posfleet server: the store's organisations area (store/organisations_store.h), written once in
// SQL for both backends.
// Thread-safety: as SqlStore.
#include <algorithm>
#include <unordered_map>

#include "server/store/sql/sql_store.h"

namespace posfleet::store {

std::string subtree_end(const std::string& path) {
  if (path.empty()) return "0";
  return path.substr(0, path.size() - 1) + "0";  // '0' is the byte after '/'
}

namespace {
// organisation_modes folded again for the organisations under `path` (policy_mode_sql.h).
Status fold_organisation_modes(Connection& c, const std::string& path) {
  for (const char* sql : {sql::kForgetOrganisationModes, sql::kFoldOrganisationModes}) {
    auto s = c.prepare(sql);
    s.bind_all(path, subtree_end(path));
    if (auto st = done(c, s, "organisations' modes"); !st) return st;
  }
  return ok_status();
}
}  // namespace

Status refresh_subtree_modes(Connection& c, const std::string& path) {
  if (auto st = fold_organisation_modes(c, path); !st) return st;
  const std::string end = subtree_end(path);
  return refresh_effective_modes(c, true,
                                 "org_id IN (SELECT id FROM organisations WHERE path >= ? AND "
                                 "path < ?)",
                                 path, end);
}

namespace {
constexpr const char* kOrgCols =
    "SELECT id, COALESCE(parent_id, 0), kind, name, path, created_by, created FROM "
    "organisations ";
OrganisationRecord read_org(Stmt& s) {
  return OrganisationRecord{s.i64(0), s.i64(1), s.str(2), s.str(3), s.str(4), s.str(5), s.i64(6)};
}
}  // namespace

Expected<OrganisationRecord> SqlStore::insert_organisation(const OrganisationRecord& o) {
  POSFLEET_CONN(c);
  auto parent = organisation(o.parent_id);
  if (!parent) return parent.error();
  if (auto b = c.begin(); !b) return b.error();
  // The path names the row's own id, known once it is written: first a path no other row can
  // hold (its parent's and its name, which is unique among the parent's children), then its own.
  auto ins = c.prepare(
      "INSERT INTO organisations (parent_id, kind, name, path, created_by, created) "
      "VALUES (?,?,?,?,?,?)");
  ins.bind_all(o.parent_id, o.kind, o.name, parent->path + "~" + o.name, o.created_by, o.created);
  if (ins.step() != kDone) {
    auto e = c.error("organisation " + o.name);
    c.rollback();
    return e;
  }
  OrganisationRecord out = o;
  out.id = c.last_insert_id();
  out.path = parent->path + std::to_string(out.id) + "/";
  auto upd = c.prepare("UPDATE organisations SET path = ? WHERE id = ?");
  upd.bind_all(out.path, out.id);
  if (upd.step() != kDone) {
    auto e = c.error("organisation path");
    c.rollback();
    return e;
  }
  // It inherits its parent's policy (it has no terminals yet: only its own fold is written).
  if (auto st = fold_organisation_modes(c, out.path); !st) {
    c.rollback();
    return st.error();
  }
  if (auto s = c.commit(); !s) return s.error();
  return out;
}

Expected<OrganisationRecord> SqlStore::organisation(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kOrgCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "no organisation " + std::to_string(id));
  if (rc != kRow) return c.error("organisation");
  return read_org(s);
}

Expected<std::vector<OrganisationRecord>> SqlStore::organisations_under(const std::string& path,
                                                                        std::int64_t limit) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string(kOrgCols) + "WHERE path >= ? AND path < ? ORDER BY path LIMIT ?";
  auto s = c.prepare(sql.c_str());
  s.bind_all(path, subtree_end(path), limit);
  std::vector<OrganisationRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_org(s));
  if (rc != kDone) return c.error("organisations");
  return out;
}

Expected<std::vector<std::int64_t>> SqlStore::organisation_terminal_counts(
    const std::vector<std::int64_t>& ids) {
  POSFLEET_CONN(c);
  // One grouped count a chunk of 256 organisations (the last chunk padded with its last id, so
  // one statement text serves every chunk): 2,000 resellers are 8 statements, not 2,000.
  constexpr std::size_t kChunk = 256;
  static const std::string sql = [] {
    std::string t = "SELECT org_id, COUNT(*) FROM terminals WHERE org_id IN (?";
    for (std::size_t i = 1; i < kChunk; ++i) t += ",?";
    return t + ") GROUP BY org_id";
  }();
  std::unordered_map<std::int64_t, std::int64_t> counted;
  for (std::size_t at = 0; at < ids.size(); at += kChunk) {
    auto s = c.prepare(sql.c_str());
    for (std::size_t i = 0; i < kChunk; ++i) s.bind(ids[std::min(at + i, ids.size() - 1)]);
    int rc;
    while ((rc = s.step()) == kRow) counted[s.i64(0)] = s.i64(1);
    if (rc != kDone) return c.error("organisation terminals");
  }
  std::vector<std::int64_t> out;
  out.reserve(ids.size());
  for (auto id : ids) out.push_back(counted.contains(id) ? counted[id] : 0);
  return out;
}

Status SqlStore::set_terminal_organisation(std::int64_t terminal_id, std::int64_t org_id) {
  POSFLEET_CONN(c);
  if (auto b = c.begin(); !b) return b.error();
  auto s = c.prepare("UPDATE terminals SET org_id = ? WHERE id = ?");
  s.bind_all(org_id, terminal_id);
  Status st = ok_status();
  if (s.step() != kDone)
    st = c.error("terminal organisation");
  else if (c.changes() != 1)
    st = make_error(Code::kNotFound, "no terminal " + std::to_string(terminal_id));
  else
    st = refresh_effective_modes(c, false, "id = ?", terminal_id);  // its new organisation's
  if (!st) {
    c.rollback();
    return st;
  }
  return c.commit();
}

Status SqlStore::set_user_organisation(std::int64_t user_id, std::int64_t org_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE users SET org_id = ? WHERE id = ?");
  s.bind_all(org_id, user_id);
  if (s.step() != kDone) return c.error("user organisation");
  if (c.changes() != 1) return make_error(Code::kNotFound, "no user " + std::to_string(user_id));
  return ok_status();
}

Expected<std::int64_t> SqlStore::user_organisation(std::int64_t user_id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT org_id FROM users WHERE id = ?");
  s.bind(user_id);
  const int rc = s.step();
  if (rc == kDone) return make_error(Code::kNotFound, "no user " + std::to_string(user_id));
  if (rc != kRow) return c.error("user organisation");
  return s.i64(0);
}

}  // namespace posfleet::store
