#include "server/store/postgres/testing_cluster.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

#include "server/store/postgres/pg_db.h"

namespace posfleet::store::testing {

Expected<std::string> test_cluster_url() {
  const char* dir = std::getenv("POSFLEET_TEST_PG_DIR");
  if (!dir || !*dir)
    return make_error(Code::kUnavailable,
                      "no PostgreSQL test cluster: start one with `scripts/pg-cluster start DIR` "
                      "and set POSFLEET_TEST_PG_DIR=DIR (ctest does both)");
  std::ifstream in(std::string(dir) + "/conninfo");
  std::string url;
  if (!std::getline(in, url) || url.empty())
    return make_error(Code::kUnavailable, std::string("no conninfo in ") + dir +
                                              ": is the cluster started (scripts/pg-cluster)?");
  return url;
}

Expected<TestSchema> TestSchema::create() {
  auto base = test_cluster_url();
  if (!base) return base.error();
  static std::atomic<int> counter{0};
  const std::string name =
      "t" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
  auto c = PgConnection::open(*base);
  if (!c) return c.error();
  if (auto st = (*c)->exec(("CREATE SCHEMA " + name).c_str()); !st) return st.error();
  return TestSchema(*base, name);
}

TestSchema::~TestSchema() {
  if (name_.empty()) return;
  if (auto c = PgConnection::open(base_))
    (void)(*c)->exec(("DROP SCHEMA " + name_ + " CASCADE").c_str());
}

std::string TestSchema::url() const {
  return base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         name_;
}

Status TestSchema::run(const std::string& sql) const {
  auto c = PgConnection::open(url());
  if (!c) return c.error();
  return (*c)->exec(sql.c_str());
}

}  // namespace posfleet::store::testing
