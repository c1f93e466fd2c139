// posfleet server: the delta patches a terminal is offered (docs/formats/delta.md).
//
// A release's signed manifest lists, per component, patches from earlier versions of it. For
// a terminal's update the server offers, per component, the one made from what the terminal
// runs: the same component of the release it reported running, as the server has it. The
// terminal checks the patch against the signed manifest and its own slot before it uses it,
// and falls back to the full artifact, which the deployment always carries too, so a stock
// DDI client never sees a patch.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <string>
#include <vector>

#include "core/manifest.h"
#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/deployments.h"

namespace posfleet::domain {

struct OfferedDelta {
  store::ComponentRecord component;  // of the release being installed: its module id, its name
  Delta delta;
};

// The patches for t's update to r; none when the server does not know the release t runs or
// its manifest lists no patch from it.
Expected<std::vector<OfferedDelta>> deltas_for(Context& ctx, const store::TerminalRecord& t,
                                               const store::ReleaseRecord& r);

// The patch file `filename` of module `module_id`, for a download: only of a release assigned
// to t (artifact_for's rule) and only a patch its manifest lists. The record carries the
// patch's name, hash and length.
Expected<ModuleArtifact> delta_artifact_for(Context& ctx, const store::TerminalRecord& t,
                                            std::int64_t module_id, const std::string& filename);

// Counts `sent` bytes of a download of `file` (an artifact, or a patch standing in for a
// full file of full_length bytes) into its release's tally, with what a full download would
// have sent for them. A failure is logged, never the download's.
void count_download(Context& ctx, const ModuleArtifact& file, std::uint64_t sent);

}  // namespace posfleet::domain
