#include "core/audit_chain.h"

#include <boost/json.hpp>

#include <array>

#include "core/clock.h"
#include "core/hashing.h"
#include "core/json.h"
#include "core/text.h"

namespace posfleet {

namespace bj = boost::json;

namespace {
bj::object hashed_fields(const AuditEntry& e) {
  bj::object o{
      {"id", e.id},       {"time", e.time},     {"actor", e.actor},   {"actor_kind", e.actor_kind},
      {"path", e.path},   {"action", e.action}, {"target", e.target}, {"before", e.before},
      {"after", e.after}, {"reason", e.reason}};
  // Entries from before addresses were recorded have none and keep their hash.
  if (!e.address.empty()) o["address"] = e.address;
  if (e.organisation != 1) o["organisation"] = e.organisation;
  return o;
}
// The text fields, by name, in the order they are hashed.
template <typename Entry>
auto text_fields(Entry& e) {
  return std::array{std::pair{"actor", &e.actor},    std::pair{"actor_kind", &e.actor_kind},
                    std::pair{"path", &e.path},      std::pair{"action", &e.action},
                    std::pair{"target", &e.target},  std::pair{"before", &e.before},
                    std::pair{"after", &e.after},    std::pair{"reason", &e.reason},
                    std::pair{"address", &e.address}};
}

bool has_invalid_text(const AuditEntry& e) {
  for (auto [name, field] : text_fields(e))
    if (!text::is_valid_utf8(*field)) return true;
  return false;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Expected<std::string> from_hex(std::string_view hex) {
  auto nibble = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  if (hex.size() % 2) return make_error(Code::kParse, "raw_hex must have an even number of digits");
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return make_error(Code::kParse, "raw_hex must be lower-case hexadecimal");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

boost::json::object AuditEntry::to_json() const {
  auto o = hashed_fields(*this);
  bj::object raw;
  for (auto [name, field] : text_fields(*this)) {
    if (text::is_valid_utf8(*field)) continue;
    o[name] = text::to_valid_utf8(*field);
    raw[name] = to_hex(*field);
  }
  if (!raw.empty()) o["raw_hex"] = std::move(raw);
  if (!o.contains("address")) o["address"] = "";           // always shown; hashed only when set
  if (!o.contains("organisation")) o["organisation"] = 1;  // likewise
  o["time_utc"] = format_utc(time);
  o["prev_hash"] = prev_hash;
  o["hash"] = hash;
  return o;
}

Expected<AuditEntry> AuditEntry::from_json(const boost::json::object& o) {
  AuditEntry e;
  auto id = json::get_int(o, "id");
  auto time = json::get_int(o, "time");
  if (!id || !time) return make_error(Code::kParse, "audit entry needs integer id and time");
  e.id = *id;
  e.time = *time;
  if (o.contains("organisation")) {
    auto org = json::get_int(o, "organisation");
    if (!org || *org < 1)
      return make_error(Code::kParse, "audit entry's organisation must be a positive integer");
    e.organisation = *org;
  }
  for (auto [k, out] : text_fields(e)) *out = json::string_or(o, k, "");
  e.prev_hash = json::string_or(o, "prev_hash", "");
  e.hash = json::string_or(o, "hash", "");
  if (auto raw = json::get_object(o, "raw_hex"); raw) {
    for (auto [k, out] : text_fields(e)) {
      if (!(*raw)->contains(k)) continue;
      auto hex = json::get_string(**raw, k);
      if (!hex) return hex.error().with_context("audit entry " + std::to_string(e.id));
      auto bytes = from_hex(*hex);
      if (!bytes) return bytes.error().with_context("audit entry " + std::to_string(e.id));
      *out = std::move(*bytes);
    }
  }
  return e;
}

std::string audit_hash(const AuditEntry& e, const std::string& prev_hash) {
  return sha256_hex(prev_hash + "\n" + json::canonical(hashed_fields(e)));
}

ChainCheck verify_chain(const std::vector<AuditEntry>& entries, std::int64_t head_id,
                        const std::string& head_hash) {
  ChainCheck c;
  std::string prev = kAuditGenesis;
  std::int64_t prev_id = 0;
  for (const auto& e : entries) {
    ++c.entries;
    auto bad = [&](std::string why) {
      c.ok = false;
      c.first_bad_id = e.id;
      c.problem = std::move(why);
      return c;
    };
    if (e.id != prev_id + 1)
      return bad("entry " + std::to_string(prev_id + 1) + " is missing (deleted?)");
    if (e.prev_hash != prev)
      return bad("entry " + std::to_string(e.id) + " does not follow its predecessor");
    if (audit_hash(e, prev) != e.hash)
      return bad("entry " + std::to_string(e.id) + " was altered after it was written");
    if (has_invalid_text(e) && c.invalid_text_entries++ == 0) c.first_invalid_text_id = e.id;
    prev = e.hash;
    prev_id = e.id;
  }
  if (head_id > 0 && (head_id != prev_id || head_hash != prev)) {
    c.ok = false;
    c.first_bad_id = prev_id + 1;
    c.problem = "the log ends at entry " + std::to_string(prev_id) +
                " but the server's anchor says " + std::to_string(head_id) +
                " (entries removed from the end?)";
  }
  return c;
}

ChainCheck verify_log(const std::vector<AuditEntry>& entries, std::int64_t head_id,
                      const std::string& head_hash) {
  if (head_id <= 0) return verify_chain(entries);
  std::vector<AuditEntry> upto;
  for (const auto& e : entries)
    if (e.id <= head_id) upto.push_back(e);
  ChainCheck c = verify_chain(upto, head_id, head_hash);
  if (!c.ok) return c;
  // Entries written after the anchor was read are checked for their chain only.
  return verify_chain(entries);
}

std::string ChainCheck::notice() const {
  if (!invalid_text_entries) return "";
  const std::string count =
      std::to_string(invalid_text_entries) + (invalid_text_entries == 1 ? " entry" : " entries");
  return count + " (the first is " + std::to_string(first_invalid_text_id) +
         ") hold text that is not valid UTF-8, written before the server checked text; "
         "their hashes cover the exact bytes and hold. Shown with U+FFFD; the exact bytes "
         "are in raw_hex.";
}

}  // namespace posfleet
