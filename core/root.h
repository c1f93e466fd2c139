// posfleet core: the root of trust, a signed root document (docs/formats/root.md).
//
// A root lists the root keys with their threshold (who may sign the next root)
// and the release keys with theirs (who may sign releases). It travels in the
// manifest's envelope {"signed": {...}, "signatures": [...]}, ed25519 over the
// canonical JSON of "signed". A terminal trusts one root at a time and moves to
// root N+1 only when N+1 is signed by a threshold of root N's root keys AND a
// threshold of its own root keys (TUF's rule, "update the root role"); it walks
// 2, 3, ... one version at a time, so a skipped or older version is refused.
// Intermediate roots may have expired; the root the walk ends on may not.
// Parsing is strict (unknown fields refused) and bounded (kMaxRootBytes, kMaxKeys,
// kMaxSignatures), since the bytes come from the network.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/manifest.h"
#include "core/result.h"
#include "core/signing.h"

namespace posfleet {

// Keys allowed to sign for one role, and how many distinct ones must.
struct RoleKeys {
  std::vector<PublicKey> keys;
  int threshold = 1;
};

struct Root {
  static constexpr int kSchema = 1;
  static constexpr std::size_t kMaxRootBytes = 64 * 1024;  // a whole envelope, as text
  static constexpr std::size_t kMaxKeys = 16;              // per role
  static constexpr std::size_t kMaxSignatures = 32;        // per envelope
  static constexpr std::int64_t kMaxVersion = (std::int64_t{1} << 53) - 1;

  std::int64_t version = 1;  // 1, 2, 3, ...
  std::int64_t expires = 0;  // unix seconds
  RoleKeys root;             // sign the next root
  RoleKeys release;          // sign releases (manifests)

  boost::json::object to_json() const;
  // Strict: every field present and of its type, no unknown field, key ids match
  // their keys, no key twice in a role, 1 <= threshold <= number of keys.
  static Expected<Root> from_json(const boost::json::value& v);
};

struct SignedRoot {
  Root root;
  std::vector<Signature> signatures;
  // Canonical bytes of "signed" exactly as received ("" when built locally).
  std::string received_bytes;

  std::string signed_bytes() const;
  // Adds (or replaces) this key's signature.
  void sign(const SigningKey& key);
  std::string to_json_text() const;
  // Parses an envelope (at most kMaxRootBytes); checks structure only, not signatures.
  static Expected<SignedRoot> parse(std::string_view text);
};

// kRootUntrusted unless at least `role.threshold` DISTINCT keys of `role` made a
// valid signature over the root's signed bytes. `whose` names the role in the
// message ("root 3's root keys").
Status check_root_threshold(const SignedRoot& r, const RoleKeys& role, const std::string& whose);

// A root a terminal is given to pin (provisioning, "posfleet root init"): signed
// by a threshold of its own root keys. kRootUntrusted otherwise.
Status check_self_signed(const SignedRoot& r);

// One step of the walk: `next` may replace `trusted` only if its version is
// exactly trusted+1 (kRootNotNext: older, equal or skipped) and it is signed by
// a threshold of trusted's root keys and of its own (kRootUntrusted). Expiry is
// not checked here: an expired root may still be a step of the walk.
Status check_next_root(const Root& trusted, const SignedRoot& next);

// The root the walk ended on must not have expired (a freeze); kExpired.
Status check_root_fresh(const Root& r, std::int64_t now);

// The most roots one walk accepts (TUF's bound on fast-forward abuse of the walk).
inline constexpr int kMaxRootWalk = 32;

// Walks from `trusted` over `newer` (roots trusted+1, trusted+2, ... in order):
// returns the last root reached. Stops at the first refused step with its error;
// roots accepted before it are lost to the caller, who persists step by step
// when it needs them (the agent does, through its trust store).
Expected<Root> walk_roots(Root trusted, const std::vector<SignedRoot>& newer);

// A release is trusted under a root when a threshold of its release keys signed
// it (verify_signatures' codes: kUnknownKey, kBadSignature, kTooFewSignatures).
Status verify_release(const SignedManifest& m, const Root& root);

}  // namespace posfleet
