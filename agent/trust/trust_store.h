// posfleet agent: the terminal's trust store, the root it trusts now and the
// highest release sequence it accepted (docs/formats/root.md, manifest.md).
//
// Both live in one file, <device_dir>/trust.json, written with Fs::write_atomic
// so a power cut leaves the old pair or the new pair, never a new root with an
// old sequence. Without a saved file the store starts from the root pinned in
// the config ("root"), or, when the config has none, from its "trusted_keys" +
// "threshold" (no root: releases are checked against those keys and roots are
// never fetched; the sequence is still kept).
// A root change never touches the boot slots; it changes only what is trusted
// from then on (a pending release is checked again before it is installed).
// Thread-safety: every method locks; the daemon's poll and a running update
// may share one store.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/fs.h"
#include "core/manifest.h"
#include "core/result.h"
#include "core/root.h"

namespace posfleet::agent {

class TrustStore {
 public:
  // Reads <dir>/trust.json if present, else starts from `pinned` (checked
  // self-signed) or from `keys` + `threshold` when `pinned` is empty. A saved
  // root older than a newly pinned one gives way to the pinned one (a device
  // re-provisioned with a newer root); the saved sequence is kept.
  static Expected<std::unique_ptr<TrustStore>> open(Fs& fs, const std::string& dir,
                                                    const std::optional<SignedRoot>& pinned,
                                                    std::vector<PublicKey> keys, int threshold);

  bool has_root() const;
  std::int64_t root_version() const;  // 0 without a root
  std::string root_text() const;      // the trusted root's envelope, "" without
  std::int64_t highest_sequence() const;

  // One step of the walk (check_next_root); saved before it returns. A refused
  // root changes nothing.
  Status accept_root(const SignedRoot& next);

  // A release may be acted on: signed by a threshold of the current release
  // keys, the trusted root not expired, its sequence not below the highest
  // accepted. Does not record anything.
  Status check_release(const SignedManifest& m, std::int64_t now) const;

  // The same check for a release accepted earlier and not yet installed: a
  // release that no longer verifies is kKeyRevoked (its key left the root).
  Status recheck_pending(const SignedManifest& m, std::int64_t now) const;

  // Remembers the sequence of a release the terminal accepted, when higher; saved.
  Status record_sequence(std::int64_t sequence);

 private:
  TrustStore(Fs& fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  Status save_locked(const std::optional<SignedRoot>& root, std::int64_t sequence);
  Status check_locked(const SignedManifest& m, std::int64_t now) const;

  Fs& fs_;
  const std::string path_;
  mutable std::mutex mu_;
  std::optional<SignedRoot> root_;
  std::vector<PublicKey> keys_;  // without a root
  int threshold_ = 1;
  std::int64_t sequence_ = 0;
};

}  // namespace posfleet::agent
