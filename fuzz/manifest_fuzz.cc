// Fuzz target: the signed release manifest as a terminal receives it (core/manifest.h) —
// envelope parse, signature check, the applicability and installed-release rules, the
// component selection — and two invariants: a manifest that parsed comes out of its own
// serialization the same, and one signed here verifies after a trip through its text (what
// `posfleet release sign` writes and the agent reads).
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/manifest.h"
#include "fuzz/fuzz_support.h"

using namespace posfleet;

namespace {
const SigningKey& key() {
  static const SigningKey k = fuzz::fixed_signing_key(1);
  return k;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::init_quietly();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  auto parsed = SignedManifest::parse(fuzz::as_text(data, size));
  if (!parsed) return 0;
  SignedManifest& sm = *parsed;
  const std::int64_t now = 1790000000;  // 2026-09

  (void)verify_signatures(sm, {key().pub}, 1);
  (void)verify_signatures(sm, {key().pub, fuzz::fixed_signing_key(2).pub}, 2);
  (void)check_applicable(sm.manifest, "A920", "1.0.0", now);
  (void)manifest_sha256(sm);

  std::vector<std::string> first;
  if (!sm.manifest.components.empty()) first.push_back(sm.manifest.components.front().name);
  (void)resolve_selection(sm.manifest, {});
  (void)resolve_selection(sm.manifest, first);
  for (const auto& c : sm.manifest.components) (void)required_because(sm.manifest, first, c.name);
  InstalledRelease same{sm.manifest.version, manifest_sha256(sm), sm.manifest.components};
  (void)check_against_installed(sm, first, same);
  InstalledRelease older{"1.0.0", "", {{"os", "1.0.0", "os.img", std::string(64, 'a'), 3}}};
  (void)check_against_installed(sm, {}, older);

  // What parsed serializes to text that parses to the same manifest.
  const std::string canonical = json::canonical(sm.manifest.to_json());
  auto again = SignedManifest::parse(sm.to_json_text());
  FUZZ_CHECK(again, "a parsed manifest's own text no longer parses");
  FUZZ_CHECK(json::canonical(again->manifest.to_json()) == canonical,
             "a parsed manifest changed on a trip through its text");

  // Signed here, it verifies after a trip through its text.
  SignedManifest signed_here = sm;
  signed_here.signatures.clear();
  signed_here.sign(key());
  auto received = SignedManifest::parse(signed_here.to_json_text());
  FUZZ_CHECK(received, "a manifest signed here does not parse");
  FUZZ_CHECK(verify_signatures(*received, {key().pub}, 1),
             "a manifest signed here does not verify after a trip through its text");
  return 0;
}
