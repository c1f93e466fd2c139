// posfleet server: the policy lock rule in SQL — its one home in the SQL store
// (json_extract is SQLite's; the PostgreSQL schema defines the same, pg_schema.h).
//
// The rule is core/policy's (PolicyPatch::apply_to) over a terminal's chain of scopes: the
// fleet's, its group's (groups are the acquirer's), then each organisation's from below the
// acquirer down to the terminal's own (docs/organisations.md), then the terminal's. A terminal's
// mode is that of the lowest scope that sets one, and a lock at a scope holds against every scope
// below it. server/store/conformance/policy_mode_property_test.cc checks this SQL against
// core/policy on random fleets in random trees.
//
// An organisation's policy is kept under the organisation's path (scope 'organisation', key
// '/1/7/'), so the policies above an organisation are those whose key starts its path. Their part
// of the rule is folded once per organisation into organisation_modes (migration 34): whether a
// lock holds there and the mode they give. An organisation without either has no row. A subtree's
// rows are written again when a policy in it changes, and a new organisation's when it is made.
//
// Each terminal keeps its effective mode in its row (terminals.effective_mode, migration 22), so
// the console's mode filter and the overview's mode mix are index reads at a million terminals.
// The store writes it again wherever an input of the rule changes: a policy (change_policy), a
// terminal's group (set_terminal_group) or organisation (set_terminal_organisation), a new or
// re-registered terminal — each with kRefreshEffectiveModes. A rule that changes stored modes
// needs a migration that refreshes every row, as migration 22 filled them.
// Thread-safety: constants.
#pragma once

// clang-format off

// Whether the policy patch in column `patch` sets a lock.
#define POSFLEET_PATCH_LOCKED(patch) \
  "COALESCE(CAST(json_extract(" patch ", '$.locked') AS INTEGER), 0) = 1"

// The terminal t with its own policy (tp), its group's (gp) and the fleet's (fp).
#define POSFLEET_TERMINAL_POLICIES                                                 \
  " FROM terminals t"                                                              \
  " LEFT JOIN policies tp ON tp.scope = 'terminal' AND tp.scope_key = t.serial"    \
  " LEFT JOIN policies gp ON gp.scope = 'group' AND gp.scope_key = t.group_name"   \
  " AND t.group_name != ''"                                                        \
  " LEFT JOIN policies fp ON fp.scope = 'fleet' AND fp.scope_key = ''"

// The effective mode of the terminal in the row `terminals` being updated as migration 22 wrote
// it, before organisations had policies.
#define POSFLEET_EFFECTIVE_MODE_OF_ROW_22                                          \
  "(SELECT COALESCE("                                                              \
  "CASE WHEN " POSFLEET_PATCH_LOCKED("fp.patch")                                   \
  " OR " POSFLEET_PATCH_LOCKED("gp.patch")                                         \
  " THEN NULL ELSE json_extract(tp.patch, '$.mode') END,"                          \
  " CASE WHEN " POSFLEET_PATCH_LOCKED("fp.patch")                                  \
  " THEN NULL ELSE json_extract(gp.patch, '$.mode') END,"                          \
  " json_extract(fp.patch, '$.mode'), 'auto')"                                     \
  POSFLEET_TERMINAL_POLICIES                                                       \
  " WHERE t.id = terminals.id)"

// The same with its organisations' fold (om) between its group's and its own.
#define POSFLEET_EFFECTIVE_MODE_OF_ROW                                             \
  "(SELECT COALESCE("                                                              \
  "CASE WHEN " POSFLEET_PATCH_LOCKED("fp.patch")                                   \
  " OR " POSFLEET_PATCH_LOCKED("gp.patch") " OR om.locked = 1"                     \
  " THEN NULL ELSE json_extract(tp.patch, '$.mode') END,"                          \
  " CASE WHEN " POSFLEET_PATCH_LOCKED("fp.patch")                                  \
  " OR " POSFLEET_PATCH_LOCKED("gp.patch") " THEN NULL ELSE om.mode END,"          \
  " CASE WHEN " POSFLEET_PATCH_LOCKED("fp.patch")                                  \
  " THEN NULL ELSE json_extract(gp.patch, '$.mode') END,"                          \
  " json_extract(fp.patch, '$.mode'), 'auto')"                                     \
  POSFLEET_TERMINAL_POLICIES                                                       \
  " LEFT JOIN organisation_modes om ON om.org_id = t.org_id"                       \
  " WHERE t.id = terminals.id)"

// The policies of organisation `o`'s chain: its own and those of the organisations above it.
#define POSFLEET_ORGANISATION_CHAIN                                                \
  " FROM policies p WHERE p.scope = 'organisation'"                                \
  " AND substr(o.path, 1, length(p.scope_key)) = p.scope_key"

// clang-format on

namespace posfleet::store::sql {

// Writes the effective mode of the terminals the WHERE clause that follows picks (for example
// "id = ?", "group_name = ?", "1 = 1"); rows whose mode stays are not written.
inline constexpr const char* kRefreshEffectiveModes =
    "UPDATE terminals SET effective_mode = " POSFLEET_EFFECTIVE_MODE_OF_ROW
    " WHERE effective_mode != " POSFLEET_EFFECTIVE_MODE_OF_ROW " AND ";

// organisation_modes written again for the organisations whose path lies in [?, ?): whether a
// lock holds in their chain, and the mode of the lowest policy that sets one at or above the
// highest lock.
inline constexpr const char* kForgetOrganisationModes =
    "DELETE FROM organisation_modes WHERE org_id IN "
    "(SELECT id FROM organisations WHERE path >= ? AND path < ?)";
inline constexpr const char* kFoldOrganisationModes =
    "INSERT INTO organisation_modes (org_id, locked, mode) "
    "SELECT id, locked, mode FROM (SELECT o.id AS id, "
    "CASE WHEN EXISTS (SELECT 1" POSFLEET_ORGANISATION_CHAIN " AND " POSFLEET_PATCH_LOCKED(
        "p.patch") ") THEN 1 ELSE 0 END AS locked, "
    "(SELECT json_extract(p.patch, '$.mode')" POSFLEET_ORGANISATION_CHAIN
    " AND json_extract(p.patch, '$.mode') IS NOT NULL"
    " AND length(p.scope_key) <= COALESCE((SELECT MIN(length(p.scope_key))" POSFLEET_ORGANISATION_CHAIN
    " AND " POSFLEET_PATCH_LOCKED("p.patch") "), 1000000)"
    " ORDER BY length(p.scope_key) DESC LIMIT 1) AS mode "
    "FROM organisations o WHERE o.path >= ? AND o.path < ?) folded "
    "WHERE locked = 1 OR mode IS NOT NULL";

}  // namespace posfleet::store::sql
