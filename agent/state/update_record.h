// posfleet agent: the update's persisted record (docs/formats/update-record.md).
//
// Saved atomically (core/fs.h) at <device_dir>/state/update.json *before* each
// state acts, so a killed agent or a power cut resumes in the state it was in.
// schema_version lets a newer agent read an older record.
// Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::agent {

// A patch planned for a component (docs/formats/delta.md): what the signed manifest says of it,
// where the server offers it, and what became of it.
struct PlannedDelta {
  std::string filename, href, sha256;
  std::uint64_t length = 0;
  std::string from_sha256;  // the running slot's file it applies to
  std::string source_file;  // that file's name in the running slot
  // "" (not tried yet), kDeltaApplied, or why it was not used (the full file is downloaded).
  std::string outcome;
  bool planned() const { return !filename.empty(); }
  bool pending() const { return planned() && outcome.empty(); }
};
inline constexpr const char* kDeltaApplied = "applied";

struct PlannedArtifact {
  std::string name, version, filename, href, sha256;
  std::uint64_t length = 0;
  PlannedDelta delta = {};
  // What this component costs to download: the patch's length while one is used.
  std::uint64_t fetch_length() const {
    return delta.planned() && (delta.pending() || delta.outcome == kDeltaApplied) ? delta.length
                                                                                  : length;
  }
};

struct Outcome {
  std::int64_t action_id = 0;
  std::string version, result, message;  // result: success | failure | canceled
  int code = 0;
  std::int64_t time = 0;
  std::uint64_t resumed_from = 0;  // bytes a download resumed from (0: not resumed)
};

struct UpdateRecord {
  static constexpr int kSchemaVersion = 1;
  std::string state = "idle";
  std::int64_t action_id = 0;
  std::string manifest_text;  // as received; re-verified after a restart
  std::string version;        // release version, once the manifest is verified
  std::vector<PlannedArtifact> artifacts;
  // The patches the server offered with the deployment (name: the component; filename, href,
  // length), until check_manifest binds them to the manifest's.
  std::vector<PlannedArtifact> offered_deltas;
  std::string target_slot;
  int resumes = 0;  // restarts in this state; capped to break crash loops
  int retries =
      0;  // retries of this state's step in this run (backoff grows with it); not persisted
  int error_code = 0;
  std::string error;
  std::uint64_t resumed_from = 0;
  std::string
      waiting;  // why the update waits (a failed pre-check or network rule), "" if it does not
  // The download's bounds for this deployment, kept across restarts.
  int download_failures = 0;        // failed attempts so far (a busy server's 429/503 not counted)
  std::int64_t download_since = 0;  // unix seconds of the first attempt, 0 before it
  std::int64_t retry_at = 0;        // unix seconds before which the download is not tried again
  std::vector<std::string> selected;  // components the merchant chose; empty: all
  Outcome last;                       // the previous update's outcome

  static Expected<UpdateRecord> load(const std::string& path);  // a fresh record if none
  Status save(const std::string& path) const;
};

// Whether nothing on the slots has changed yet in this state, so an operator's
// cancel or a crash-loop give-up may simply report.
bool slots_untouched(const std::string& state);

}  // namespace posfleet::agent
