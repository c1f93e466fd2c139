// posfleet server: six-digit codes sent by SMS (support verification, an
// applicant's phone). Only "salt:sha256(salt:code)" is stored; comparison is
// constant-time.
// Thread-safety: pure functions (libsodium's RNG is thread-safe).
#pragma once

#include <string>

namespace posfleet::domain {

std::string new_code();  // "000000"-"999999"
std::string hash_code(const std::string& code);
bool code_matches(const std::string& stored_hash, const std::string& code);

}  // namespace posfleet::domain
