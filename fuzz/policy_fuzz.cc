// Fuzz target: the update policy JSON (core/policy.h) as the server's API and the agent's poll
// take it — a group's or terminal's patch, a whole policy, the "22:00-06:00" window text — and
// the decision made from it at several instants. Invariant: a policy that parsed comes back the
// same from its own JSON (what the server sends is what the terminal reads).
#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "core/json.h"
#include "core/policy.h"
#include "fuzz/fuzz_support.h"

using namespace posfleet;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::init_quietly();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  const auto text = fuzz::as_text(data, size);
  (void)parse_window(std::string(fuzz::split_first_line(text).first));
  (void)parse_policy_mode(text);
  (void)parse_decision_reason(text);

  auto v = json::parse_untrusted(text);
  if (!v || !v->is_object()) return 0;
  const auto& o = v->get_object();
  if (auto patch = PolicyPatch::from_json(o)) {
    (void)json::canonical(patch->to_json());
    Policy p;
    patch->apply_to(p);
  }
  auto policy = policy_from_json(o);
  if (!policy) return 0;

  auto again = policy_from_json(policy->to_json());
  FUZZ_CHECK(again, "a policy's own JSON does not parse");
  FUZZ_CHECK(json::canonical(again->to_json()) == json::canonical(policy->to_json()),
             "a policy changed on a trip through its JSON");
  FUZZ_CHECK(parse_window(window_text(policy->window)), "a policy's window text does not parse");

  const std::int64_t base = 1790000000;  // 2026-09
  for (std::int64_t now : {base, base + 6 * 3600, base + 13 * 3600, base + 5 * 86400}) {
    for (bool confirmed : {false, true}) {
      auto d = decide(*policy, UpdateOffer{false, 0}, now, confirmed);
      FUZZ_CHECK(parse_decision_reason(to_string(d.reason)), "a decision reason without a word");
      (void)decide(*policy, UpdateOffer{true, now - 1}, now, confirmed);
      (void)decide(*policy, UpdateOffer{true, now + 86400}, now, confirmed);
    }
    (void)in_window(policy->window, now);
  }
  return 0;
}
