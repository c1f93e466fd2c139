// Fuzz target: the root document a terminal fetches (core/root.h) — strict, bounded parse, the
// threshold checks, one step of the walk from a pinned root 1, the walk itself, expiry, and a
// release checked under the fuzzed root. Invariants: a root that parsed comes out of its own
// text the same; the same root made into version 2 and signed here by root 1's key and by its
// own new root key passes the walk's rule (so the rule accepts what it must, not only refuses).
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/manifest.h"
#include "core/root.h"
#include "fuzz/fuzz_support.h"

using namespace posfleet;

namespace {

const SigningKey& old_root_key() {
  static const SigningKey k = fuzz::fixed_signing_key(1);
  return k;
}
const SigningKey& new_root_key() {
  static const SigningKey k = fuzz::fixed_signing_key(2);
  return k;
}

// Root 1 as the terminal pinned it: root key 1, release key 3.
const Root& pinned() {
  static const Root r = [] {
    Root root;
    root.version = 1;
    root.expires = 1900000000;
    root.root = {{old_root_key().pub}, 1};
    root.release = {{fuzz::fixed_signing_key(3).pub}, 1};
    return root;
  }();
  return r;
}

const SignedManifest& release() {
  static const SignedManifest m = [] {
    SignedManifest sm;
    sm.manifest.version = "2.0.0";
    sm.manifest.expires = 1900000000;
    sm.manifest.models = {"A920"};
    sm.manifest.components = {{"os", "2.0.0", "os.img", std::string(64, 'a'), 3}};
    sm.sign(fuzz::fixed_signing_key(3));
    return sm;
  }();
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::init_quietly();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  auto parsed = SignedRoot::parse(fuzz::as_text(data, size));
  if (!parsed) return 0;
  const SignedRoot& sr = *parsed;
  (void)check_self_signed(sr);
  (void)check_root_threshold(sr, sr.root.release, "its release keys");
  (void)check_next_root(pinned(), sr);
  (void)walk_roots(pinned(), {sr, sr});
  (void)check_root_fresh(sr.root, 1790000000);
  (void)verify_release(release(), sr.root);

  // What parsed serializes to text that parses to the same root.
  auto again = SignedRoot::parse(sr.to_json_text());
  FUZZ_CHECK(again, "a parsed root's own text no longer parses");
  FUZZ_CHECK(json::canonical(again->root.to_json()) == json::canonical(sr.root.to_json()),
             "a parsed root changed on a trip through its text");

  // The same root as root 2 under new root key 2, signed by the old and the new: accepted,
  // unless what it lists breaks the format's rules (then its own parse refuses it first).
  SignedRoot next;
  next.root = sr.root;
  next.root.version = 2;
  next.root.root = {{new_root_key().pub}, 1};
  next.sign(old_root_key());
  next.sign(new_root_key());
  auto received = SignedRoot::parse(next.to_json_text());
  if (!received) return 0;  // e.g. the fuzzed release keys now hold root key 2
  FUZZ_CHECK(check_next_root(pinned(), *received),
             "a root signed by the old and the new root keys is refused");
  auto walked = walk_roots(pinned(), {*received});
  FUZZ_CHECK(walked && walked->version == 2, "the walk did not reach root 2");
  return 0;
}
