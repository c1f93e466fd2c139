#include "core/audit_chain.h"

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/hashing.h"
#include "core/json.h"

namespace posfleet {

namespace bj = boost::json;

namespace {
bj::object hashed_fields(const AuditEntry& e) {
  return bj::object{{"id", e.id},         {"time", e.time},     {"actor", e.actor},   {"actor_kind", e.actor_kind},
                    {"path", e.path},     {"action", e.action}, {"target", e.target}, {"before", e.before},
                    {"after", e.after},   {"reason", e.reason}};
}
}  // namespace

boost::json::object AuditEntry::to_json() const {
  auto o = hashed_fields(*this);
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
  for (auto [k, out] : {std::pair{"actor", &e.actor}, {"actor_kind", &e.actor_kind}, {"path", &e.path},
                        {"action", &e.action}, {"target", &e.target}, {"before", &e.before}, {"after", &e.after},
                        {"reason", &e.reason}, {"prev_hash", &e.prev_hash}, {"hash", &e.hash}})
    *out = json::string_or(o, k, "");
  return e;
}

std::string audit_hash(const AuditEntry& e, const std::string& prev_hash) {
  return sha256_hex(prev_hash + "\n" + json::canonical(hashed_fields(e)));
}

ChainCheck verify_chain(const std::vector<AuditEntry>& entries, std::int64_t head_id, const std::string& head_hash) {
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
    if (e.id != prev_id + 1) return bad("entry " + std::to_string(prev_id + 1) + " is missing (deleted?)");
    if (e.prev_hash != prev) return bad("entry " + std::to_string(e.id) + " does not follow its predecessor");
    if (audit_hash(e, prev) != e.hash) return bad("entry " + std::to_string(e.id) + " was altered after it was written");
    prev = e.hash;
    prev_id = e.id;
  }
  if (head_id > 0 && (head_id != prev_id || head_hash != prev)) {
    c.ok = false;
    c.first_bad_id = prev_id + 1;
    c.problem = "the log ends at entry " + std::to_string(prev_id) + " but the server's anchor says " +
                std::to_string(head_id) + " (entries removed from the end?)";
  }
  return c;
}

}  // namespace posfleet
