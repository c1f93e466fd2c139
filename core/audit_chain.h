// posfleet core: the audit log's hash chain (docs/formats/audit.md).
//
// Each entry's hash is SHA-256 over the previous entry's hash, a newline, and
// the canonical JSON of the entry's fields (`address` among them only when it
// is not empty). Editing, deleting or reordering
// any entry breaks every hash after it; the server also keeps the newest
// (id, hash) outside the database, so cutting entries off the end shows too.
//
// Text is validated as UTF-8 before it is written, but entries written before
// that check may hold invalid bytes. Their hash covers those exact bytes, so
// to_json() shows such a field with U+FFFD and carries the exact bytes in
// "raw_hex" {field: hex}; from_json() restores them, and the chain checks the
// same over the API as on the server. verify_log() reports such entries.
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
  // The client's network address (the request's peer, or what a trusted proxy
  // forwarded); "" for the server's own actions and for entries written before
  // addresses were recorded. Hashed only when present, so older entries keep
  // their hashes and a newer entry's address cannot be removed unseen.
  std::string address = {};
  // The organisation the entry belongs to (the server's organisations: 1 is the acquirer, the
  // root): the terminal's for an entry about a terminal, else the actor's. Hashed only when not
  // the root, so entries written before organisations keep their hashes.
  std::int64_t organisation = 1;

  boost::json::object to_json() const;
  static Expected<AuditEntry> from_json(const boost::json::object& o);
};

inline constexpr const char* kAuditGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string audit_hash(const AuditEntry& e, const std::string& prev_hash);

struct ChainCheck {
  bool ok = true;
  std::int64_t entries = 0;
  std::int64_t first_bad_id = 0;  // 0 when ok
  std::string problem;
  // Entries whose text is not valid UTF-8 (written before text was checked):
  // their hashes still hold, so they do not make the chain bad.
  std::int64_t invalid_text_entries = 0;
  std::int64_t first_invalid_text_id = 0;
  std::string notice() const;  // "" when there are none
};
// Checks the chain from the genesis hash; `head_id`/`head_hash` (the anchor
// kept outside the database) must match the last entry when given.
ChainCheck verify_chain(const std::vector<AuditEntry>& entries, std::int64_t head_id = 0,
                        const std::string& head_hash = "");

// The one check behind both `posfleet audit verify` and GET /api/v1/audit/verify.
// `entries` is the whole log read after the anchor (head_id, head_hash; 0 when
// there is none): entries up to the anchor must end at it, entries appended
// after it was read must chain on.
ChainCheck verify_log(const std::vector<AuditEntry>& entries, std::int64_t head_id,
                      const std::string& head_hash);

}  // namespace posfleet
