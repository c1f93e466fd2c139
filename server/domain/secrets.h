// posfleet server: encryption of personal data at rest (libsodium secretbox,
// XSalsa20-Poly1305). The 32-byte key lives in a file outside the database
// (<data_dir>/secret.key, mode 0600, created on first start), so a copied
// database alone reveals nothing. Ciphertext text form: base64(nonce || box).
// Thread-safety: immutable after open().
#pragma once

#include <string>

#include "core/result.h"

namespace posfleet::domain {

class SecretBox {
 public:
  static Expected<SecretBox> open(const std::string& key_file);
  std::string seal(const std::string& plain) const;
  Expected<std::string> unseal(const std::string& sealed) const;

 private:
  std::string key_;
};

// "110101199003077777" → "1101**********7777"; keeps what a person needs to recognise it.
std::string mask(const std::string& s, size_t keep_front, size_t keep_back);

}  // namespace posfleet::domain
