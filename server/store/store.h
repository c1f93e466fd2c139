// posfleet server: the storage interface every backend implements.
//
// Records are plain values (records.h); the domain layer (server/domain)
// decides what they mean. The interface is split by area, one header each, so
// a backend is written one area at a time. SQLite (store/sqlite) is the
// embedded default; other backends implement the same interface.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <functional>

#include "core/result.h"
#include "server/store/accounts_store.h"
#include "server/store/audit_store.h"
#include "server/store/calendar_store.h"
#include "server/store/devices_store.h"
#include "server/store/health_store.h"
#include "server/store/leases_store.h"
#include "server/store/limits_store.h"
#include "server/store/onboarding_store.h"
#include "server/store/organisations_store.h"
#include "server/store/parameters_store.h"
#include "server/store/policy_store.h"
#include "server/store/records.h"
#include "server/store/releases_store.h"
#include "server/store/rollouts_store.h"
#include "server/store/roots_store.h"
#include "server/store/support_store.h"
#include "server/store/terminal_actions_store.h"
#include "server/store/terminal_locks_store.h"
#include "server/store/terminals_store.h"
#include "server/store/timeouts_store.h"
#include "server/store/webhooks_store.h"

namespace posfleet::store {

// Every area: what a domain operation reads and writes, inside a transaction
// or not.
class Tx : public TerminalStore,
           public ReleaseStore,
           public PolicyStore,
           public AccountStore,
           public SupportStore,
           public OnboardingStore,
           public AuditStore,
           public DeviceStore,
           public RootStore,
           public LeaseStore,
           public LimitStore,
           public TimeoutStore,
           public WebhookStore,
           public RolloutStore,
           public CalendarStore,
           public OrganisationStore,
           public ParameterStore,
           public TerminalLockStore,
           public TerminalActionStore,
           public HealthStore {
 public:
  ~Tx() override = default;
};

class Store : public Tx {
 public:
  ~Store() override = default;

  // The unit of work: runs `work` as one transaction. Every write it makes
  // through `tx` commits together when it returns ok, and none of them when it
  // returns an error, throws, or the commit fails (then that error is
  // returned). A transact inside `work` joins the outer one (its writes are
  // undone alone if it fails). `work` runs on the calling thread, makes all
  // its store calls through `tx`, and never waits on the network: other
  // writers wait for it. Without transact, each method is its own transaction.
  virtual Status transact(const std::function<Status(Tx& tx)>& work) = 0;

  // As transact, for a change of one terminal's own rows (its deployments, their history, its
  // installed version, and the tallies their triggers keep) that reads anything else: a
  // terminal's report. Such changes of different terminals may run at once (PostgreSQL: several
  // servers' DDI traffic is not queued behind one lock), so `work` writes nothing that is not
  // the terminal's: no audit entry, no whole-store change (both refused inside it). `work` may
  // run more than once, when the database undoes it for another's sake (a deadlock over a
  // shared tally row): it sets its results, never appends to them.
  virtual Status transact_terminal(std::int64_t terminal_id,
                                   const std::function<Status(Tx& tx)>& work) {
    (void)terminal_id;
    return transact(work);
  }

  // Makes every committed write durable in the database file itself (SQLite:
  // a full WAL checkpoint), before a step that cannot be undone.
  virtual Status flush() = 0;

  // The bytes a database server keeps for this store (PostgreSQL), for the metrics; a store
  // whose database is files in --data-dir (SQLite) answers kUnavailable: measure the files.
  virtual Expected<std::int64_t> database_server_bytes() {
    return make_error(Code::kUnavailable, "the database is files in the data directory");
  }
};

}  // namespace posfleet::store
