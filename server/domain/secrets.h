// posfleet server: encryption of personal data at rest (libsodium secretbox,
// XSalsa20-Poly1305). The 32-byte key lives in a file outside the database
// (<data_dir>/secret.key, mode 0600, created on first start), so a copied
// database alone reveals nothing.
//
// Sealed text form: "s2.<key id>.<base64(nonce || box)>", the key id being the
// first 8 hex digits of BLAKE2b over the key; values from before key ids
// (plain base64) open with the current or the previous key.
//
// Rotation (docs/security.md): `posfleetd rotate-secret-key` renames the key
// to secret.key.old, makes a new one, re-seals every sealed value and
// recomputes every index, then deletes the old key. While secret.key.old
// exists, values sealed with either key open, so an interrupted rotation is
// finished by running it again.
//
// index() is a keyed hash (BLAKE2b with a key derived from the secret key):
// equal numbers give equal indexes, so duplicates are found without storing
// the numbers; without the key file the index says nothing.
// Thread-safety: immutable after open().
#pragma once

#include <string>

#include "core/result.h"

namespace posfleet::domain {

class SecretBox {
 public:
  // Opens `key_file` (creating it if absent) and `key_file`.old if present.
  static Expected<SecretBox> open(const std::string& key_file);
  std::string seal(const std::string& plain) const;
  Expected<std::string> unseal(const std::string& sealed) const;
  std::string index(const std::string& plain) const;
  std::string key_id() const;
  bool sealed_with_current_key(const std::string& sealed) const;
  bool rotating() const { return !old_key_.empty(); }

  // Rotation, first half: secret.key → secret.key.old and a new secret.key
  // (nothing is done if secret.key.old already exists: that rotation goes on).
  static Status begin_rotation(const std::string& key_file);
  // Second half, once every value is re-sealed: deletes secret.key.old.
  static Status finish_rotation(const std::string& key_file);

 private:
  std::string key_, old_key_;
};

// "110101199003077777" → "1101**********7777"; keeps what a person needs to recognise it.
std::string mask(const std::string& s, size_t keep_front, size_t keep_back);

// The one mask of a resident ID, wherever one is shown or logged:
// "110101199003077777" → "110101************". Only the region digits: support
// verifies callers by the last 4, so showing them would give the answer away.
std::string mask_resident_id(const std::string& id);

}  // namespace posfleet::domain
