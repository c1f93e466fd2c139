// posfleet server: artifacts and signed releases.
//
// The server is not trusted with code: it stores the release manifest exactly
// as the release manager signed it and never re-signs or edits it. It checks
// the manifest's structure and that every component's artifact is stored with
// the length the manifest states, so that a terminal is never sent a release
// the server cannot serve. Terminals check signatures against their own keys;
// when posfleetd is given release keys (--release-key) it checks them too at
// publish and refuses a release that `release_threshold` of them did not
// sign (kUnknownKey, kBadSignature, kTooFewSignatures). What it checked is kept
// beside the release (store::ReleaseCheckRecord).
// Thread-safety: stateless functions over the Context.
#pragma once

#include <string>
#include <string_view>

#include "core/hashing.h"
#include "core/result.h"
#include "server/domain/context.h"

namespace posfleet::domain {

// Puts an upload that has been streamed into `upload` in place and records it.
Expected<FileDigests> store_artifact(Context& ctx, store::ArtifactWriter& upload);
// A release's version is immutable: publishing again a version that is already published
// (compared as numbers, so "02.1.0" is "2.1.0") is kConflict when the manifest is the same
// bytes, kVersionReused when it is not. The release, its components, its security deadline and
// its signature check are written in one transaction.
Expected<store::ReleaseRecord> publish_release(Context& ctx, const std::string& manifest_text);
// PUT /api/v1/releases/{version}/deadline: a security release's deadline moves to
// `deadline_utc` (e.g. 2026-12-24T00:00:00Z), audited as release.deadline in the same change.
// kNotFound for no such release; kInvalidArgument when it is not security-critical, the reason
// is missing or the time is not a UTC time. Returns the release with its new deadline.
Expected<store::ReleaseRecord> set_release_deadline(Context& ctx, const std::string& version,
                                                    const std::string& deadline_utc,
                                                    const Actor& who, const std::string& reason);
// The release notes in `lang` ("zh-CN" or "en") from the stored manifest.
std::string release_note(const store::ReleaseRecord& r, const char* lang);

}  // namespace posfleet::domain
