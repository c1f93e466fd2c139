// posfleet server: the store's roots area: every root document published
// (docs/formats/root.md), by version. The rule that root N+1 chains from root
// N lives in domain/roots; this area only keeps what it accepted. One part of
// store::Store (store.h).
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace posfleet::store {

struct RootRecord {
  std::int64_t version = 0;
  std::string text;  // the envelope as published (at most Root::kMaxRootBytes)
  std::int64_t published_at = 0;
  std::string published_by;
};

class RootStore {
 public:
  virtual ~RootStore() = default;
  // kConflict if this version is stored already.
  virtual Status insert_root(const RootRecord& r) = 0;
  // The highest version stored, or none.
  virtual Expected<std::optional<RootRecord>> latest_root() = 0;
  // kNotFound when that version is not stored.
  virtual Expected<RootRecord> root_by_version(std::int64_t version) = 0;
};

}  // namespace posfleet::store
