// posfleet server: organisations (docs/organisations.md). The acquirer is the root; resellers
// (代理商) sit below it or below other resellers, at any depth; merchants below the acquirer or
// a reseller. Terminals, users and API tokens belong to one organisation, and a user acts only
// within its organisation's subtree (its Scope): what lies outside does not exist for it, so
// another reseller's organisation or terminal is "not found", never "forbidden".
// Thread-safety: stateless functions over the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/store/organisations_store.h"
#include "server/store/records.h"

namespace posfleet::domain {

// Where a caller stands in the tree: its organisation and that organisation's path.
struct Scope {
  std::int64_t org_id = store::kRootOrganisation;
  std::string path = "/1/";
  // The acquirer's users see everything: their queries need no organisation condition.
  bool whole_tree() const { return org_id == store::kRootOrganisation; }
  bool holds(const std::string& org_path) const { return org_path.starts_with(path); }
  // The terminal query's organisation condition for this scope ("" for the whole tree).
  std::string query_path() const { return whole_tree() ? std::string() : path; }
};

// The scope of organisation `org_id` (kNotFound if it has gone).
Expected<Scope> scope_of(Context& ctx, std::int64_t org_id);

struct OrganisationInput {
  std::string name;
  std::string kind;         // reseller | merchant
  std::int64_t parent = 0;  // 0: the caller's own organisation
};

// A new organisation below `in.parent`, which must lie in `scope` (else kNotFound). A reseller
// goes below the acquirer or a reseller; a merchant too, and nothing goes below a merchant.
// The name is 1-100 characters of text, unique among its siblings (kConflict). Audited.
Expected<store::OrganisationRecord> create_organisation(Context& ctx, const Scope& scope,
                                                        const OrganisationInput& in,
                                                        const Actor& who);

struct OrganisationView {
  store::OrganisationRecord org;
  std::int64_t terminals = 0;  // that belong to it directly
};
// The scope's organisations, its own first, then in tree order; at most `limit`.
Expected<std::vector<OrganisationView>> list_organisations(Context& ctx, const Scope& scope,
                                                           std::int64_t limit);
// One organisation of the scope (kNotFound for any outside it, as for one that does not exist).
Expected<store::OrganisationRecord> organisation_in(Context& ctx, const Scope& scope,
                                                    std::int64_t id);

// The path of organisation `id` (the acquirer's without reading).
Expected<std::string> organisation_path(store::Tx& tx, std::int64_t id);
// The narrower of two subtrees when one holds the other; nullopt when they share nothing.
std::optional<std::string> narrower(const std::string& a, const std::string& b);

// Releases belong to an organisation (ReleaseRecord::org_id): its subtree sees and receives
// them, and so do the organisations above it. A scope sees a release of an organisation on its
// own chain (above it, or its own) or in its subtree.
Expected<bool> sees_release(Context& ctx, const Scope& scope, const store::ReleaseRecord& r);
// A release the scope sees, by version: kNotFound "no release V", with the words of one that does
// not exist, for any other.
Expected<store::ReleaseRecord> release_in(Context& ctx, const Scope& scope,
                                          const std::string& version);
// Gives the release to another organisation (the acquirer's for the whole fleet), with a reason;
// audited as release.organisation. Open deployments stay.
Expected<store::ReleaseRecord> set_release_organisation(Context& ctx, const std::string& version,
                                                        std::int64_t org_id, const Actor& who,
                                                        const std::string& reason);

// Whether terminal `t` lies in `scope`.
Expected<bool> holds_terminal(Context& ctx, const Scope& scope, const store::TerminalRecord& t);
// A terminal of the scope by serial: kNotFound, with the same words, for one that does not exist
// and for one outside the scope.
Expected<store::TerminalRecord> terminal_in(Context& ctx, const Scope& scope,
                                            const std::string& serial);

// A back-office user of the scope by name: kNotFound, with the same words, for one that does not
// exist and for one of an organisation outside the scope.
Expected<store::UserRecord> user_in(Context& ctx, const Scope& scope, const std::string& name);
// The scope's users (every user for the acquirer's), as list_users orders them.
Expected<std::vector<store::UserRecord>> users_in(Context& ctx, const Scope& scope);

// A deployment or a ticket of the scope: of a terminal of its subtree. kNotFound, in the words of
// one that does not exist, for any other.
Status deployment_in(Context& ctx, const Scope& scope, std::int64_t id);
Status ticket_in(Context& ctx, const Scope& scope, std::int64_t id);
// A rollout of the scope: one an organisation of its subtree made (RolloutRecord::org_id), of a
// release the scope sees. kNotFound "no rollout N" for any other.
Status rollout_in(Context& ctx, const Scope& scope, std::int64_t id);

// A merchant or an application of the scope: of an organisation of its subtree
// (MerchantRecord::org_id, ApplicationRecord::org_id). kNotFound "no merchant N" / "no application
// N", as for one that does not exist, for any other.
Expected<store::MerchantRecord> merchant_in(Context& ctx, const Scope& scope, std::int64_t id);
Expected<store::ApplicationRecord> application_in(Context& ctx, const Scope& scope,
                                                  std::int64_t id);
// Whether the scope sees merchant `id` (none, 0, is seen): a terminal of the subtree may be linked
// to a merchant outside it, whose name and id are then not shown.
Expected<bool> sees_merchant(Context& ctx, const Scope& scope, std::int64_t id);
// An identity verification of the scope: of a merchant of its subtree. kNotFound "no verification
// N" for any other.
Status verification_in(Context& ctx, const Scope& scope, std::int64_t id);

// Where a move between `from` and `to` is audited, naming both: the deeper of the two when one
// lies below the other (a reseller reads how its terminal came or went), else the nearest
// organisation above both (neither of two siblings reads the other's name).
std::int64_t shared_by(const store::OrganisationRecord& from, const store::OrganisationRecord& to);
// "reseller 7 华东代理": how an audit entry names an organisation.
std::string describe(const store::OrganisationRecord& o);

struct TerminalMove {
  store::TerminalRecord terminal;  // as it is now
  store::OrganisationRecord from, to;
};
// Gives a terminal of the scope to another organisation of the scope, with a reason. Audited
// with both organisations. Without `may_change_locks` (all but the acquirer's administrators),
// refused with kLocked when the terminal's mode or the new organisation's is locked: the move
// would change a lock (as a move between groups, policy.h move_to_group).
Expected<TerminalMove> move_terminal(Context& ctx, const Scope& scope, const std::string& serial,
                                     std::int64_t org_id, const Actor& who,
                                     const std::string& reason, bool may_change_locks = true);

}  // namespace posfleet::domain
