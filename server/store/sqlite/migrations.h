// posfleet server: SQLite schema, as an ordered list of migrations.
//
// Migration N moves the schema from version N-1 to N; the applied version is
// kept in PRAGMA user_version. Append new migrations; never edit applied ones.
#pragma once

#include <span>

namespace posfleet::store {

std::span<const char* const> sqlite_migrations();

}  // namespace posfleet::store
