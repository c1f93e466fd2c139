// posfleet server: the SQLite backend's applications, applicants' phone codes
// and activation codes (migration 6). Sealed columns are stored as given;
// this layer never sees a plain resident ID or card number.
// Thread-safety: as SqliteStore.
#include <string>

#include "server/store/sql/sql_store.h"

namespace posfleet::store {

namespace {

constexpr const char* kApplicationCols =
    "SELECT id, number, kind, legal_name, resident_id_enc, resident_id_index, resident_id_masked, "
    "business_name, "
    "credit_code, phone, card_enc, card_masked, bank, address, model, status, checks, reason, "
    "reviewer, carrier, "
    "tracking, serials, merchant_id, created, updated, org_id FROM applications ";

ApplicationRecord read_application(Stmt& s) {
  ApplicationRecord a;
  a.id = s.i64(0);
  a.number = s.str(1);
  a.kind = s.str(2);
  a.legal_name = s.str(3);
  a.resident_id_enc = s.str(4);
  a.resident_id_index = s.str(5);
  a.resident_id_masked = s.str(6);
  a.business_name = s.str(7);
  a.credit_code = s.str(8);
  a.phone = s.str(9);
  a.card_enc = s.str(10);
  a.card_masked = s.str(11);
  a.bank = s.str(12);
  a.address = s.str(13);
  a.model = s.str(14);
  a.status = s.str(15);
  a.checks_json = s.str(16);
  a.reason = s.str(17);
  a.reviewer = s.str(18);
  a.carrier = s.str(19);
  a.tracking = s.str(20);
  a.serials_csv = s.str(21);
  a.merchant_id = s.i64(22);
  a.created = s.i64(23);
  a.updated = s.i64(24);
  a.org_id = s.i64(25);
  return a;
}

constexpr const char* kActivationCols =
    "SELECT id, code_hash, serial, model, application_id, merchant_id, expires, used, created FROM "
    "activations ";

ActivationRecord read_activation(Stmt& s) {
  return ActivationRecord{s.i64(0), s.str(1), s.str(2), s.str(3), s.i64(4),
                          s.i64(5), s.i64(6), s.i64(7), s.i64(8)};
}

}  // namespace

Expected<std::int64_t> SqlStore::insert_application(const ApplicationRecord& a) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO applications (number, kind, legal_name, resident_id_enc, resident_id_index, "
      "resident_id_masked, "
      "business_name, credit_code, phone, card_enc, card_masked, bank, address, model, status, "
      "checks, created, "
      "updated, org_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind_all(a.number, a.kind, a.legal_name, a.resident_id_enc, a.resident_id_index,
             a.resident_id_masked, a.business_name, a.credit_code, a.phone, a.card_enc,
             a.card_masked, a.bank, a.address, a.model, a.status, a.checks_json, a.created,
             a.updated, a.org_id);
  if (s.step() != kDone) return c.error("application");
  return c.last_insert_id();
}

Expected<ApplicationRecord> SqlStore::application(std::int64_t id) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kApplicationCols) + "WHERE id = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(id);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no application " + std::to_string(id));
  return read_application(s);
}

Expected<ApplicationRecord> SqlStore::application_by_number(const std::string& number) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kApplicationCols) + "WHERE number = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(number);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no application " + number);
  return read_application(s);
}

Expected<std::vector<ApplicationRecord>> SqlStore::list_applications(const std::string& status,
                                                                     std::int64_t offset,
                                                                     std::int64_t limit,
                                                                     const std::string& org_path) {
  POSFLEET_CONN(c);
  // A subtree's reads its organisations' along applications_org (migration 36).
  static const std::string all =
      std::string(kApplicationCols) +
      "WHERE (?1 = '' OR status = ?1) ORDER BY id DESC LIMIT ?2 OFFSET ?3";
  static const std::string subtree =
      std::string(kApplicationCols) +
      "WHERE (?1 = '' OR status = ?1) AND org_id IN (SELECT id FROM organisations WHERE path >= "
      "?4 AND path < ?5) ORDER BY id DESC LIMIT ?2 OFFSET ?3";
  auto s = c.prepare(org_path.empty() ? all.c_str() : subtree.c_str());
  s.bind_all(status, limit, offset);
  if (!org_path.empty()) s.bind_all(org_path, subtree_end(org_path));
  std::vector<ApplicationRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_application(s));
  if (rc != kDone) return c.error("list applications");
  return out;
}

Expected<bool> SqlStore::update_application(const ApplicationRecord& a,
                                            const std::string& expected_status) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE applications SET status = ?, checks = ?, reason = ?, reviewer = ?, carrier = ?, "
      "tracking = ?, "
      "serials = ?, merchant_id = ?, updated = ?, resident_id_enc = ?, card_enc = ?, "
      "resident_id_index = ?, org_id = ? "
      "WHERE id = ? AND status = ?");
  s.bind_all(a.status, a.checks_json, a.reason, a.reviewer, a.carrier, a.tracking, a.serials_csv,
             a.merchant_id, a.updated, a.resident_id_enc, a.card_enc, a.resident_id_index, a.org_id,
             a.id, expected_status);
  if (s.step() != kDone) return c.error("application");
  return c.changes() == 1;
}

Expected<std::int64_t> SqlStore::insert_phone_code(const PhoneCodeRecord& p) {
  POSFLEET_CONN(c);
  auto s =
      c.prepare("INSERT INTO phone_codes (phone, code_hash, created, expires) VALUES (?,?,?,?)");
  s.bind_all(p.phone, p.code_hash, p.created, p.expires);
  if (s.step() != kDone) return c.error("phone code");
  return c.last_insert_id();
}

Expected<PhoneCodeRecord> SqlStore::phone_code(std::int64_t id) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, phone, code_hash, attempts, verified, used, created, expires FROM phone_codes "
      "WHERE id = ?");
  s.bind(id);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no phone code " + std::to_string(id));
  return PhoneCodeRecord{s.i64(0),      s.str(1),      s.str(2), static_cast<int>(s.i64(3)),
                         s.i64(4) != 0, s.i64(5) != 0, s.i64(6), s.i64(7)};
}

Expected<std::int64_t> SqlStore::count_phone_codes_since(const std::string& phone,
                                                         std::int64_t since) {
  POSFLEET_CONN(c);
  auto s = c.prepare("SELECT COUNT(*) FROM phone_codes WHERE phone = ? AND created >= ?");
  s.bind_all(phone, since);
  if (s.step() != kRow) return c.error("phone codes");
  return s.i64(0);
}

Expected<bool> SqlStore::take_phone_code_try(std::int64_t id, int max_tries, std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE phone_codes SET attempts = attempts + 1 WHERE id = ? AND verified = 0 AND attempts < "
      "? AND expires > ?");
  s.bind_all(id, max_tries, now);
  if (s.step() != kDone) return c.error("phone code");
  return c.changes() == 1;
}

Status SqlStore::mark_phone_code_verified(std::int64_t id) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE phone_codes SET verified = 1 WHERE id = ?");
  s.bind(id);
  return done(c, s, "phone code");
}

Expected<bool> SqlStore::use_phone_code(std::int64_t id, const std::string& phone) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE phone_codes SET used = 1 WHERE id = ? AND phone = ? AND verified = 1 AND used = 0");
  s.bind_all(id, phone);
  if (s.step() != kDone) return c.error("phone code");
  return c.changes() == 1;
}

Expected<std::int64_t> SqlStore::insert_activation(const ActivationRecord& a) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "INSERT INTO activations (code_hash, serial, model, application_id, merchant_id, expires, "
      "created) "
      "VALUES (?,?,?,?,?,?,?)");
  s.bind_all(a.code_hash, a.serial, a.model, a.application_id, a.merchant_id, a.expires, a.created);
  if (s.step() != kDone) return c.error("activation");
  return c.last_insert_id();
}

Expected<std::vector<ActivationRecord>> SqlStore::activations_of(std::int64_t application_id) {
  POSFLEET_CONN(c);
  static const std::string sql =
      std::string(kActivationCols) + "WHERE application_id = ? ORDER BY id";
  auto s = c.prepare(sql.c_str());
  s.bind(application_id);
  std::vector<ActivationRecord> out;
  int rc;
  while ((rc = s.step()) == kRow) out.push_back(read_activation(s));
  if (rc != kDone) return c.error("activations of");
  return out;
}

Expected<ActivationRecord> SqlStore::activation_by_hash(const std::string& code_hash) {
  POSFLEET_CONN(c);
  static const std::string sql = std::string(kActivationCols) + "WHERE code_hash = ?";
  auto s = c.prepare(sql.c_str());
  s.bind(code_hash);
  if (s.step() != kRow) return make_error(Code::kNotFound, "no such activation code");
  return read_activation(s);
}

Expected<bool> SqlStore::use_activation(std::int64_t id, std::int64_t now) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE activations SET used = ? WHERE id = ? AND used = 0 AND expires > ?");
  s.bind_all(now, id, now);
  if (s.step() != kDone) return c.error("activation");
  return c.changes() == 1;
}

Status SqlStore::replace_activations(std::int64_t application_id, const std::string& serial) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "UPDATE activations SET used = -1 WHERE application_id = ? AND serial = ? AND used = 0");
  s.bind_all(application_id, serial);
  return done(c, s, "activation");
}

Status SqlStore::set_terminal_token(std::int64_t id, const std::string& token_hash) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE terminals SET token_hash = ? WHERE id = ?");
  s.bind_all(token_hash, id);
  return done(c, s, "terminal token");
}

Expected<std::vector<MerchantRecord>> SqlStore::merchants_after(std::int64_t after_id,
                                                                std::int64_t limit) {
  POSFLEET_CONN(c);
  auto s = c.prepare(
      "SELECT id, legal_name, phone, resident_id_enc, created, org_id FROM merchants WHERE id > ? "
      "ORDER BY id LIMIT ?");
  s.bind_all(after_id, limit);
  std::vector<MerchantRecord> out;
  int rc;
  while ((rc = s.step()) == kRow)
    out.push_back(MerchantRecord{s.i64(0), s.str(1), s.str(2), s.str(3), s.i64(4), s.i64(5)});
  if (rc != kDone) return c.error("merchants after");
  return out;
}

Status SqlStore::set_merchant_resident_id(std::int64_t id, const std::string& resident_id_enc) {
  POSFLEET_CONN(c);
  auto s = c.prepare("UPDATE merchants SET resident_id_enc = ? WHERE id = ?");
  s.bind_all(resident_id_enc, id);
  return done(c, s, "merchant");
}

}  // namespace posfleet::store
