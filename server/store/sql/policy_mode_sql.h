// posfleet server: the policy lock rule in SQL — its one home in the SQL store
// (json_extract is SQLite's; the PostgreSQL schema defines the same, pg_schema.h).
//
// The rule is core/policy's (PolicyPatch::apply_to): a terminal's mode is its
// own, over its group's, over the fleet's, over "auto"; a lock at a scope
// holds against every scope below it, so under a locked fleet only the fleet's
// mode counts and under a locked group only the group's (or, without one, the
// fleet's). server/store/conformance/policy_mode_property_test.cc checks this
// SQL against core/policy on random fleets.
//
// Each terminal keeps its effective mode in its row (terminals.effective_mode, migration 22), so
// the console's mode filter and the overview's mode mix are index reads at a million terminals.
// The store writes it again wherever an input of the rule changes: a policy (change_policy), a
// terminal's group (set_terminal_group), a new or re-registered terminal — each with
// kRefreshEffectiveModes. Migration 22 filled it with the same expression: a new rule needs a
// migration that refreshes every row.
// Thread-safety: constants.
#pragma once

// The effective mode of the terminal in the row `terminals` being updated: its own policy (tp),
// its group's (gp) and the fleet's (fp). A macro so that migration 22 is built from the same text.
#define POSFLEET_EFFECTIVE_MODE_OF_ROW                                              \
  "(SELECT COALESCE("                                                               \
  "CASE WHEN COALESCE(CAST(json_extract(fp.patch, '$.locked') AS INTEGER), 0) = 1"  \
  " OR COALESCE(CAST(json_extract(gp.patch, '$.locked') AS INTEGER), 0) = 1"        \
  " THEN NULL ELSE json_extract(tp.patch, '$.mode') END,"                           \
  " CASE WHEN COALESCE(CAST(json_extract(fp.patch, '$.locked') AS INTEGER), 0) = 1" \
  " THEN NULL ELSE json_extract(gp.patch, '$.mode') END,"                           \
  " json_extract(fp.patch, '$.mode'), 'auto')"                                      \
  " FROM terminals t"                                                               \
  " LEFT JOIN policies tp ON tp.scope = 'terminal' AND tp.scope_key = t.serial"     \
  " LEFT JOIN policies gp ON gp.scope = 'group' AND gp.scope_key = t.group_name"    \
  " AND t.group_name != ''"                                                         \
  " LEFT JOIN policies fp ON fp.scope = 'fleet' AND fp.scope_key = ''"              \
  " WHERE t.id = terminals.id)"

namespace posfleet::store::sql {

// Writes the effective mode of the terminals the WHERE clause that follows picks (for example
// "id = ?", "group_name = ?", "1 = 1"); rows whose mode stays are not written.
inline constexpr const char* kRefreshEffectiveModes =
    "UPDATE terminals SET effective_mode = " POSFLEET_EFFECTIVE_MODE_OF_ROW
    " WHERE effective_mode != " POSFLEET_EFFECTIVE_MODE_OF_ROW " AND ";

}  // namespace posfleet::store::sql
