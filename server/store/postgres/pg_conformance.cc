// The PostgreSQL backend in the store conformance suite (server/store/conformance): each test
// gets a fresh schema in the test cluster (testing_cluster.h).
#include "server/store/conformance/fixture.h"
#include "server/store/postgres/pg_store.h"
#include "server/store/postgres/testing_cluster.h"

namespace posfleet::store::conformance {
namespace {

class PgHarness final : public Harness {
 public:
  PgHarness(testing::TestSchema schema, std::unique_ptr<PgStore> store)
      : schema_(std::move(schema)), store_(std::move(store)) {}
  ~PgHarness() override { store_.reset(); }  // its connections close before the schema goes
  Store& store() override { return *store_; }
  // A deferred constraint trigger on `table` raises at COMMIT, after the write succeeded.
  Status fail_commits_writing(const std::string& table) override {
    return schema_.run(
        "CREATE OR REPLACE FUNCTION posfleet_fail_commit() RETURNS trigger LANGUAGE plpgsql AS "
        "$$BEGIN RAISE EXCEPTION 'injected failure'; END$$;"
        "CREATE CONSTRAINT TRIGGER fail_commit_" +
        table + " AFTER INSERT OR UPDATE OR DELETE ON " + table +
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
        "posfleet_fail_commit()");
  }

 private:
  testing::TestSchema schema_;
  std::unique_ptr<PgStore> store_;
};

Backend postgres_backend() {
  return {"postgres", [](const std::string&) -> Expected<std::unique_ptr<Harness>> {
            auto schema = testing::TestSchema::create();
            if (!schema) return schema.error();
            auto s = PgStore::open(schema->url());
            if (!s) return s.error();
            return std::unique_ptr<Harness>(
                std::make_unique<PgHarness>(std::move(*schema), std::move(*s)));
          }};
}

}  // namespace

POSFLEET_STORE_CONFORMANCE(Postgres, postgres_backend());

}  // namespace posfleet::store::conformance
