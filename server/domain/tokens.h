// posfleet server: bearer and terminal tokens.
//
// Tokens are 32 random bytes in hex, shown once; only their SHA-256 is stored,
// so a copied database does not hand out working credentials.
// Thread-safety: pure functions (libsodium's RNG is thread-safe).
#pragma once

#include <string>
#include <string_view>

namespace posfleet::domain {

std::string new_token();
std::string hash_token(std::string_view token);
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace posfleet::domain
