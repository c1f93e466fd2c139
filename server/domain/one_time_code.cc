#include "server/domain/one_time_code.h"

#include <sodium.h>

#include <cstdio>

#include "core/hashing.h"
#include "server/domain/tokens.h"

namespace posfleet::domain {

namespace {
std::string salted(const std::string& salt, const std::string& code) {
  return salt + ":" + sha256_hex(salt + ":" + code);
}
}  // namespace

std::string new_code() {
  char code[8];
  std::snprintf(code, sizeof code, "%06u", randombytes_uniform(1000000));
  return code;
}

std::string hash_code(const std::string& code) { return salted(new_token().substr(0, 16), code); }

bool code_matches(const std::string& stored_hash, const std::string& code) {
  auto colon = stored_hash.find(':');
  if (colon == std::string::npos) return false;
  return equal_constant_time(stored_hash, salted(stored_hash.substr(0, colon), code));
}

}  // namespace posfleet::domain
