// posfleet core: the audit log's hash chain (docs/formats/audit.md).
//
// Each entry's hash is SHA-256 over the previous entry's hash, a newline, and
// the canonical JSON of the entry's fields. Editing, deleting or reordering
// any entry breaks every hash after it; the server also keeps the newest
// (id, hash) outside the database, so cutting entries off the end shows too.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/result.h"

namespace posfleet {

struct AuditEntry {
  std::int64_t id = 0;
  std::int64_t time = 0;
  std::string actor;       // user name, terminal serial, or support agent
  std::string actor_kind;  // user | terminal | support | system
  std::string path;        // console | api | terminal | support | cli
  std::string action;      // e.g. policy.change, policy.lock, support.verify
  std::string target;      // e.g. terminal:PF0001, group:north, fleet
  std::string before, after, reason;
  std::string prev_hash, hash;

  boost::json::object to_json() const;
  static Expected<AuditEntry> from_json(const boost::json::object& o);
};

inline constexpr const char* kAuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

std::string audit_hash(const AuditEntry& e, const std::string& prev_hash);

struct ChainCheck {
  bool ok = true;
  std::int64_t entries = 0;
  std::int64_t first_bad_id = 0;  // 0 when ok
  std::string problem;
};
// Checks the chain from the genesis hash; `head_id`/`head_hash` (the anchor
// kept outside the database) must match the last entry when given.
ChainCheck verify_chain(const std::vector<AuditEntry>& entries, std::int64_t head_id = 0,
                        const std::string& head_hash = "");

}  // namespace posfleet
