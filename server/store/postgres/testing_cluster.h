// posfleet server tests: the PostgreSQL database a test uses — the throwaway cluster
// scripts/pg-cluster started, named by POSFLEET_TEST_PG_DIR (the script's DIR: its conninfo
// file holds the connection string), and a fresh schema in it for each test, so tests never see
// each other's rows.
// Thread-safety: a TestSchema is used by one test.
#pragma once

#include <string>

#include "core/result.h"

namespace posfleet::store::testing {

// The cluster's connection string, or why there is none (with what to do).
Expected<std::string> test_cluster_url();

// A new, empty schema in the test cluster, dropped when this goes; url() connects to the
// cluster with the schema first on the search path.
class TestSchema {
 public:
  static Expected<TestSchema> create();
  TestSchema(TestSchema&& o) noexcept : base_(std::move(o.base_)), name_(std::move(o.name_)) {
    o.name_.clear();
  }
  ~TestSchema();
  const std::string& name() const { return name_; }
  std::string url() const;
  // Runs `sql` in the schema on a connection of its own.
  Status run(const std::string& sql) const;

 private:
  TestSchema(std::string base, std::string name) : base_(std::move(base)), name_(std::move(name)) {}
  std::string base_, name_;
};

}  // namespace posfleet::store::testing
