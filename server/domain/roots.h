// posfleet server: the root of trust as posfleetd keeps it (docs/formats/root.md).
//
// posfleetd stores every root the release manager publishes and serves them to
// terminals one version at a time. It holds no root key: it only refuses a
// root that would not chain (root 1 self-signed; then exactly latest+1, signed
// by a threshold of the latest root's root keys and of its own), so a mistake
// is caught at publish rather than by every terminal. Once it has a root, a
// release is accepted at publish only if the latest root's release keys sign it.
// Thread-safety: as the store; every function may run on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/root.h"
#include "server/domain/context.h"
#include "server/store/roots_store.h"

namespace posfleet::domain {

// Checks and stores a root, audited as "root.publish". Errors: kParse /
// kTooLarge (the document), kRootNotNext (not root 1 first, or not latest+1),
// kRootUntrusted (signatures), kConflict (published concurrently).
Expected<store::RootRecord> publish_root(Context& ctx, const Actor& who, const std::string& text);

// The newest root posfleetd has, or none.
Expected<std::optional<Root>> current_root(Context& ctx);

// The latest version number (0: none), for the poll's posfleet extension.
Expected<std::int64_t> latest_root_version(Context& ctx);

// Root `version` as published; kNotFound if posfleetd does not have it.
Expected<store::RootRecord> root_by_version(Context& ctx, std::int64_t version);

}  // namespace posfleet::domain
