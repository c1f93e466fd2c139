// posfleet server tests: the store conformance suite's fixture. Every test
// gets a fresh store of the backend under test (backend.h) and small helpers
// that build rows through store::Store alone, so the suite holds for every
// backend. One fixture name per area, so test names say what they cover:
//   Sqlite/TransactConformance.ThrowRollsBack/0
// Thread-safety: helpers are for the test's own thread; the store is not.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/testing/temp_dir.h"
#include "server/store/conformance/backend.h"
#include "server/store/store.h"

namespace posfleet::store::conformance {

class StoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  Store& store() { return harness_->store(); }
  Harness& harness() { return *harness_; }

  // A terminal of tenant DEFAULT with a token of its own; in `group` if one is given.
  std::int64_t terminal(const std::string& serial, const std::string& group = "",
                        const std::string& model = "A920");
  // A release with one component (its artifact stored first).
  ReleaseRecord release(const std::string& version, bool security = false);
  std::int64_t deployment(std::int64_t terminal_id, std::int64_t release_id,
                          const std::string& status, const std::string& result = "none",
                          std::int64_t updated = 1);
  // Applies `patch_json` to the scope as the back office would (outcome applied).
  void policy(const std::string& scope, const std::string& key, const std::string& patch_json);
  std::int64_t merchant(const std::string& legal_name, const std::string& phone = "13800000000");
  AuditEntry audit(const std::string& actor, const std::string& path, const std::string& target,
                   std::int64_t time, const std::string& actor_kind = "user");

 private:
  std::unique_ptr<posfleet::testing::TempDir> dir_;
  std::unique_ptr<Harness> harness_;
};

// Each area's tests use their own name for the fixture.
class TerminalsConformance : public StoreConformance {};
// The terminal filter and the overview (query_test.cc): a small fleet with one release.
class TerminalQueryConformance : public StoreConformance {
 protected:
  void SetUp() override;
  // A terminal with `version` installed, seen at `last_seen`, in `group`, with a new
  // merchant named `merchant` (none if empty).
  std::int64_t add(const std::string& serial, const std::string& model = "A920",
                   const std::string& version = "1.0.0", const std::string& group = "",
                   const std::string& merchant_name = "", std::int64_t last_seen = 0);
  void set_policy(const std::string& scope, const std::string& key, const std::string& patch) {
    policy(scope, key, patch);
  }
  std::int64_t deploy(std::int64_t terminal_id, const std::string& status,
                      const std::string& result = "none", std::int64_t updated = 1) {
    return deployment(terminal_id, release_, status, result, updated);
  }
  // The serials `q` lists (every page), checked against count_terminals.
  std::vector<std::string> serials(TerminalQuery q);
  std::int64_t release_ = 0;
};
class ReleasesConformance : public StoreConformance {};
class PolicyConformance : public StoreConformance {};
class PolicyModeProperty : public StoreConformance {};
class AccountsConformance : public StoreConformance {};
class SupportConformance : public StoreConformance {};
class OnboardingConformance : public StoreConformance {};
class AuditConformance : public StoreConformance {};
class DevicesConformance : public StoreConformance {};
class TransactConformance : public StoreConformance {};
class RaceConformance : public StoreConformance {};
class TimeoutsConformance : public StoreConformance {};
class RootsConformance : public StoreConformance {};
class WebhooksConformance : public StoreConformance {};
class RolloutsConformance : public StoreConformance {};
class CalendarConformance : public StoreConformance {};
class LimitsConformance : public StoreConformance {};
class OrganisationsConformance : public StoreConformance {};
class ParametersConformance : public StoreConformance {};
class HealthConformance : public StoreConformance {};

// Runs the whole suite against `backend` (a Backend value); `name` prefixes the test names.
#define POSFLEET_STORE_CONFORMANCE(name, backend)                                       \
  INSTANTIATE_TEST_SUITE_P(name, TerminalsConformance, ::testing::Values(backend));     \
  INSTANTIATE_TEST_SUITE_P(name, TerminalQueryConformance, ::testing::Values(backend)); \
  INSTANTIATE_TEST_SUITE_P(name, ReleasesConformance, ::testing::Values(backend));      \
  INSTANTIATE_TEST_SUITE_P(name, PolicyConformance, ::testing::Values(backend));        \
  INSTANTIATE_TEST_SUITE_P(name, PolicyModeProperty, ::testing::Values(backend));       \
  INSTANTIATE_TEST_SUITE_P(name, AccountsConformance, ::testing::Values(backend));      \
  INSTANTIATE_TEST_SUITE_P(name, SupportConformance, ::testing::Values(backend));       \
  INSTANTIATE_TEST_SUITE_P(name, RootsConformance, ::testing::Values(backend));         \
  INSTANTIATE_TEST_SUITE_P(name, WebhooksConformance, ::testing::Values(backend));      \
  INSTANTIATE_TEST_SUITE_P(name, OnboardingConformance, ::testing::Values(backend));    \
  INSTANTIATE_TEST_SUITE_P(name, AuditConformance, ::testing::Values(backend));         \
  INSTANTIATE_TEST_SUITE_P(name, DevicesConformance, ::testing::Values(backend));       \
  INSTANTIATE_TEST_SUITE_P(name, TransactConformance, ::testing::Values(backend));      \
  INSTANTIATE_TEST_SUITE_P(name, TimeoutsConformance, ::testing::Values(backend));      \
  INSTANTIATE_TEST_SUITE_P(name, RaceConformance, ::testing::Values(backend));          \
  INSTANTIATE_TEST_SUITE_P(name, RolloutsConformance, ::testing::Values(backend));      \
  INSTANTIATE_TEST_SUITE_P(name, CalendarConformance, ::testing::Values(backend));      \
  INSTANTIATE_TEST_SUITE_P(name, LimitsConformance, ::testing::Values(backend));        \
  INSTANTIATE_TEST_SUITE_P(name, OrganisationsConformance, ::testing::Values(backend)); \
  INSTANTIATE_TEST_SUITE_P(name, ParametersConformance, ::testing::Values(backend));    \
  INSTANTIATE_TEST_SUITE_P(name, HealthConformance, ::testing::Values(backend))

}  // namespace posfleet::store::conformance
