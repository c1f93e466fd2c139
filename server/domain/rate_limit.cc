#include "server/domain/rate_limit.h"

#include "core/hashing.h"

namespace posfleet::domain {

namespace {
constexpr std::size_t kMaxRawKeyValue = 64;
}  // namespace

std::string limit_key(const std::string& kind, const std::string& value) {
  bool plain = value.size() <= kMaxRawKeyValue;
  for (char ch : value)
    if (ch <= 0x20 || ch >= 0x7f) plain = false;  // also every byte of multi-byte UTF-8
  return kind + ":" + (plain ? value : "#" + sha256_hex(value));
}

Expected<bool> RateLimiter::allow(const std::string& address, std::int64_t now) {
  return store_.take_limit_event(limit_key("public", address), now - window_, now, max_);
}

Status prune_limit_events(store::Store& store, std::int64_t now) {
  constexpr std::int64_t kBatch = 10000;
  for (int i = 0; i < 10; ++i) {  // batches, so no one delete holds the table long
    auto n = store.prune_limit_events(now - kLongestLimitWindowSeconds, kBatch);
    if (!n) return n.error();
    if (*n < kBatch) break;
  }
  return ok_status();
}

}  // namespace posfleet::domain
