// posfleet server: importing terminals in bulk (docs/import-export.md): rows of serial, model,
// merchant (an organisation of the caller's subtree, by id), group and time zone, each checked
// field by field — every bad row reported by line and field, in Chinese and English — and then
// all registered in one change, or none. A dry run checks without writing.
// Thread-safety: stateless functions over the store.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/organisations.h"

namespace posfleet::domain {

inline constexpr std::size_t kMaxImportRows = 10000;

struct ImportRow {
  int line = 0;  // where the row stands in the file (the header is line 1)
  std::string serial, model, merchant, group, time_zone;
};

struct ImportProblem {
  int line = 0;
  std::string field;  // serial | model | merchant | group | time_zone
  std::string code;   // required | format | duplicate | exists | unknown
  std::string message_zh, message_en;
};

struct ImportResult {
  bool applied = false;
  std::size_t rows = 0;
  std::vector<ImportProblem> problems;
  std::vector<std::pair<std::string, std::string>> tokens;  // (serial, DDI token): shown once
};

// Checks every row; unless `dry_run` or a row has a problem, registers them all in one change
// (audited: each terminal's registration and the import). kTooLarge beyond kMaxImportRows.
Expected<ImportResult> import_terminals(Context& ctx, const Scope& scope,
                                        const std::vector<ImportRow>& rows, bool dry_run,
                                        const Actor& who);

}  // namespace posfleet::domain
