#include "server/domain/tokens.h"

#include <sodium.h>

#include "core/hashing.h"

namespace posfleet::domain {

std::string new_token() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

std::string hash_token(std::string_view token) { return sha256_hex(token); }

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace posfleet::domain
