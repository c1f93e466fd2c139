// posfleet server: the storage interface every backend implements.
//
// Records are plain values (records.h); the domain layer (server/domain)
// decides what they mean. The interface is split by area, one header each, so
// a backend is written one area at a time. SQLite (store/sqlite) is the
// embedded default; other backends implement the same interface.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include "core/result.h"
#include "server/store/accounts_store.h"
#include "server/store/audit_store.h"
#include "server/store/onboarding_store.h"
#include "server/store/policy_store.h"
#include "server/store/records.h"
#include "server/store/releases_store.h"
#include "server/store/support_store.h"
#include "server/store/terminals_store.h"

namespace posfleet::store {

class Store : public TerminalStore,
              public ReleaseStore,
              public PolicyStore,
              public AccountStore,
              public SupportStore,
              public OnboardingStore,
              public AuditStore {
 public:
  ~Store() override = default;

  // Makes every committed write durable in the database file itself (SQLite:
  // a full WAL checkpoint), before a step that cannot be undone.
  virtual Status flush() = 0;
};

}  // namespace posfleet::store
