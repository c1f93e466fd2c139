// posfleet: the code that unlocks a locked terminal (docs/terminal_lock.md). The server makes
// one per lock and gives the terminal only a check of it — a salted Argon2id hash — so the
// terminal tells a right code from a wrong one while offline, and someone who reads the check
// off a stolen terminal cannot work the code out: 12 characters of 31 (about 59 bits), each
// guess costing an Argon2id hash. Support reads the code to the merchant only after the
// identity check.
// Thread-safety: pure functions (libsodium, initialised by init_crypto()).
#pragma once

#include <boost/json/object.hpp>

#include <string>

#include "core/result.h"

namespace posfleet {

// "XXXX-XXXX-XXXX" of 23456789ABCDEFGHJKMNPQRSTUVWXYZ (no look-alikes).
std::string new_readable_code();
// A code as typed, for comparing: upper case, hyphens and spaces dropped.
std::string normalized_code(std::string_view typed);

struct UnlockCheck {
  std::string salt;  // hex, 16 bytes
  std::string hash;  // hex, 32 bytes
  std::uint64_t opslimit = 3;
  std::uint64_t memlimit = 16u << 20;  // bytes: a POS terminal's share
};
Expected<UnlockCheck> make_unlock_check(const std::string& code);
// Whether `typed` is the code `check` was made of; kInvalidArgument for a malformed check.
Expected<bool> matches_unlock_check(const UnlockCheck& check, const std::string& typed);
boost::json::object to_json(const UnlockCheck& c);
// From JSON, every field bounded (a check from the network: limits keep a guess affordable).
Expected<UnlockCheck> unlock_check_from_json(const boost::json::object& o);

}  // namespace posfleet
