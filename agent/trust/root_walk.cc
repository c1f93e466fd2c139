#include "agent/trust/root_walk.h"

#include <algorithm>

#include "core/json.h"
#include "core/root.h"

namespace posfleet::agent {

Expected<int> follow_roots(DdiClient& ddi, TrustStore& trust, const boost::json::object& ext) {
  if (!trust.has_root() || !ext.contains("root_version")) return 0;
  auto latest = json::get_int(ext, "root_version");
  if (!latest) return latest.error().with_context("poll");
  const std::int64_t have = trust.root_version();
  if (*latest <= have) return 0;
  const std::int64_t until = std::min<std::int64_t>(*latest, have + kMaxRootWalk);
  int taken = 0;
  for (std::int64_t v = have + 1; v <= until; ++v) {
    auto text = ddi.root(v);
    if (!text) return text.error();
    auto next = SignedRoot::parse(*text);
    if (!next) return next.error().with_context("root " + std::to_string(v) + " from the server");
    if (auto s = trust.accept_root(*next); !s) return s.error();
    ++taken;
  }
  return taken;
}

}  // namespace posfleet::agent
