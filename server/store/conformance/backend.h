// posfleet server tests: how the store conformance suite gets a backend.
//
// The suite (this folder) is written only against store::Store. A backend
// joins it with one line in its own folder, e.g. sqlite/sqlite_conformance.cc:
//   POSFLEET_STORE_CONFORMANCE(Sqlite, sqlite_backend());
// Each test opens a fresh, empty store in its own temp dir through the
// backend's `open`, so tests never see each other's rows.
// Thread-safety: a Harness is used by one test; its store by any thread.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "core/result.h"
#include "server/store/store.h"

namespace posfleet::store::conformance {

// One open store of the backend under test, and the faults the suite needs
// that only the backend itself can cause.
class Harness {
 public:
  virtual ~Harness() = default;
  virtual Store& store() = 0;
  // From now on, every commit of a transaction that wrote to `table` fails
  // (the write itself succeeds); the transaction's writes are then undone.
  virtual Status fail_commits_writing(const std::string& table) = 0;
};

struct Backend {
  std::string name;
  // A fresh, empty store whose files live under `dir` (an empty directory).
  std::function<Expected<std::unique_ptr<Harness>>(const std::string& dir)> open;
};

// Test names show the backend's name, not the bytes of the value.
inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

}  // namespace posfleet::store::conformance
