// posfleet server: the policy lock rule in SQL — its one home in the SQL store
// (json_extract is SQLite's; the PostgreSQL schema defines the same, pg_schema.h). The terminal
// filter's `mode` (sql_store_query.cc) and the overview's mode counts (sql_store_overview.cc) both
// use it.
//
// The rule is core/policy's (PolicyPatch::apply_to): a terminal's mode is its
// own, over its group's, over the fleet's, over "auto"; a lock at a scope
// holds against every scope below it, so under a locked fleet only the fleet's
// mode counts and under a locked group only the group's (or, without one, the
// fleet's). server/store/conformance/policy_mode_property_test.cc checks this
// SQL against core/policy on random fleets.
// Thread-safety: constants.
#pragma once

namespace posfleet::store::sql {

// LEFT JOINs that bring the policies of terminal `t` in: its own (tp), its
// group's (gp) and the fleet's (fp).
inline constexpr const char* kPolicyJoins =
    " LEFT JOIN policies tp ON tp.scope = 'terminal' AND tp.scope_key = t.serial"
    " LEFT JOIN policies gp ON gp.scope = 'group' AND gp.scope_key = t.group_name"
    " AND t.group_name != ''"
    " LEFT JOIN policies fp ON fp.scope = 'fleet' AND fp.scope_key = ''";

// The effective mode of terminal `t`, over kPolicyJoins.
inline constexpr const char* kEffectiveMode =
    "COALESCE("
    "CASE WHEN COALESCE(CAST(json_extract(fp.patch, '$.locked') AS INTEGER), 0) = 1"
    " OR COALESCE(CAST(json_extract(gp.patch, '$.locked') AS INTEGER), 0) = 1"
    " THEN NULL ELSE json_extract(tp.patch, '$.mode') END,"
    " CASE WHEN COALESCE(CAST(json_extract(fp.patch, '$.locked') AS INTEGER), 0) = 1"
    " THEN NULL ELSE json_extract(gp.patch, '$.mode') END,"
    " json_extract(fp.patch, '$.mode'), 'auto')";

}  // namespace posfleet::store::sql
