// posfleet core: the signed release manifest (docs/formats/manifest.md).
//
// The manifest is everything a terminal acts on: version, expiry, hardware
// models, release notes and, per component, name, version, file name, SHA-256
// and length. It travels as an envelope {"signed": {...}, "signatures": [...]};
// each signature is ed25519 over canonical JSON of "signed" (core/json.h).
// Nothing outside "signed" is trusted (the lesson of Mender MEN-1412).
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/result.h"
#include "core/signing.h"

namespace posfleet {

// A patch (docs/formats/delta.md) from one earlier version of a component to this one. The
// result must be the component's own sha256 and length.
struct Delta {
  std::string from_version;
  std::string from_sha256;  // the source the patch was made from, lower-case hex
  std::string filename;     // the patch file, next to the artifacts
  std::string sha256;       // of the patch file
  std::uint64_t length = 0;
};

// A zchunk file (docs/formats/zchunk.md) of a component's file, or of the image a .swu
// component assembles from it with swupdate's delta handler. Served to any client by its
// hash, it gives every older version the chunks it lacks; the manifest pins its bytes.
struct ZchunkFile {
  std::string filename;  // next to the artifacts
  std::string sha256;    // of the .zck
  std::uint64_t length = 0;
};

struct Component {
  std::string name;  // e.g. "os", "payment-app"; a DDI chunk's "part"
  std::string version;
  std::string filename;  // artifact file name on the server
  std::string sha256;    // lower-case hex
  std::uint64_t length = 0;
  bool mandatory = false;                 // the merchant cannot leave it out
  std::vector<std::string> depends = {};  // components that must be installed with it
  std::vector<Delta> deltas = {};         // at most kMaxDeltas, each from another source
  static constexpr std::size_t kMaxDeltas = 16;
  std::optional<ZchunkFile> zchunk = {};
  // The patch from exactly these bytes, or null.
  const Delta* delta_from(std::string_view source_sha256) const;
};

struct Manifest {
  static constexpr int kSchema = 1;
  std::string version;
  std::int64_t expires = 0;  // unix seconds
  std::vector<std::string> models;
  std::string notes_zh, notes_en;
  bool security = false;  // security-critical release
  bool rollback = false;  // a deliberate, signed downgrade
  // Per-release monotonic counter (docs/formats/manifest.md): a terminal refuses
  // a release whose sequence is below the highest it accepted. 0: none written
  // (a manifest from before sequences), which only a terminal that never
  // accepted a sequenced release takes.
  std::int64_t sequence = 0;
  static constexpr std::int64_t kMaxSequence = (std::int64_t{1} << 53) - 1;
  std::vector<Component> components;

  boost::json::object to_json() const;
  static Expected<Manifest> from_json(const boost::json::value& v);
};

struct Signature {
  std::string key_id;
  std::string sig;  // 64 raw bytes
};

struct SignedManifest {
  Manifest manifest;
  std::vector<Signature> signatures;
  // Canonical bytes of "signed" exactly as received; signatures are checked
  // against these, so fields a newer signer added are covered too.
  std::string received_bytes;

  // Bytes that signatures cover: received_bytes if parsed, else the manifest's canonical form.
  std::string signed_bytes() const;
  // Adds (or replaces) this key's signature.
  void sign(const SigningKey& key);
  std::string to_json_text() const;
  // Parses an envelope; checks structure only, not signatures.
  static Expected<SignedManifest> parse(std::string_view text);
};

// Checks that at least `threshold` distinct trusted keys signed the manifest.
// Errors: kUnknownKey (no signature from a trusted key), kBadSignature (a trusted
// key's signature does not verify), kTooFewSignatures (valid but below threshold).
Status verify_signatures(const SignedManifest& m, const std::vector<PublicKey>& trusted,
                         int threshold);

// kSequenceReplayed when the manifest's sequence is below `highest_accepted`
// (a valid but older release replayed after a newer one); equal is accepted
// (the same release offered again).
Status check_sequence(const Manifest& m, std::int64_t highest_accepted);

// Checks that a verified manifest applies to this terminal now.
// Errors: kExpired, kWrongModel, kDowngrade.
Status check_applicable(const Manifest& m, const std::string& model,
                        const std::string& installed_version, std::int64_t now);

// Names a manifest may carry, checked when it is parsed (so before a byte is
// downloaded) and when the CLI creates or signs a release. A component name is
// 1-64 bytes, a file name 1-100 bytes, both of A-Z a-z 0-9 . _ + - only, not
// starting with '.' (so never "." or ".."); a file name is not "slot.json" nor
// begins with "slot.json." (a slot's own record and its temporary files).
// kParse, naming the field and showing the name escaped (no raw bytes).
Status check_component_name(std::string_view name);
Status check_file_name(std::string_view name);

// What a terminal's committed slot holds, from its slot.json.
struct InstalledRelease {
  std::string version;
  std::string manifest_sha256;  // of the signed bytes it came from; "" if unknown (factory image)
  std::vector<Component> components;
};

// SHA-256 (hex) of the manifest's signed bytes: the identity of a release's content.
std::string manifest_sha256(const SignedManifest& m);

enum class Applies { kInstall, kAlreadyInstalled };
// Compares a verified release with what is installed, for the components in
// `wanted`. The same release version installs only if it is the very manifest
// installed (then kAlreadyInstalled when every wanted component is there with
// the same bytes; kInstall when the merchant now wants more of it). Per
// component: a version going down is kDowngrade, other bytes under the same
// version kVersionReused. A release signed as a rollback may do both.
Expected<Applies> check_against_installed(const SignedManifest& m,
                                          const std::vector<std::string>& wanted,
                                          const InstalledRelease& installed);

// The components to install when the merchant chose `chosen` (empty: all):
// the choice plus every mandatory component plus, transitively, what they
// depend on, in manifest order. kInvalidArgument for an unknown name.
Expected<std::vector<std::string>> resolve_selection(const Manifest& m,
                                                     const std::vector<std::string>& chosen);
// Why a component cannot be left out of `chosen`, in plain words, or "" if it can:
// "mandatory" or "needed by <name>".
std::string required_because(const Manifest& m, const std::vector<std::string>& chosen,
                             const std::string& name);

}  // namespace posfleet
