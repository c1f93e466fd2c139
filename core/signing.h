// posfleet core: ed25519 release-signing keys (libsodium).
//
// A key is named by its key id: the first 16 hex digits of SHA-256 over the
// 32-byte public key. Key files are JSON (docs/formats/keys.md); the secret key
// file is written with mode 0600 and never leaves the release manager's machine.
// Thread-safety: pure functions; call sodium_init() via init_crypto() once first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace posfleet {

// Initializes libsodium; safe to call more than once.
Status init_crypto();

struct PublicKey {
  std::string key_id;
  std::string raw;  // 32 bytes
};

struct SigningKey {
  PublicKey pub;
  std::string secret;  // 64 bytes (libsodium's seed + public key form)
};

SigningKey generate_signing_key();
std::string key_id_of(std::string_view raw_public);

// Detached signature over `message`, 64 raw bytes.
std::string sign_detached(const SigningKey& key, std::string_view message);
bool verify_detached(const PublicKey& key, std::string_view message, std::string_view signature);

std::string to_base64(std::string_view raw);
Expected<std::string> from_base64(std::string_view text);

// Key files.
std::string public_key_json(const PublicKey& key);
std::string signing_key_json(const SigningKey& key);
Expected<PublicKey> parse_public_key(std::string_view json_text);
Expected<SigningKey> parse_signing_key(std::string_view json_text);

}  // namespace posfleet
