#include "server/domain/secrets.h"

#include <sodium.h>

#include "core/fs.h"
#include "core/signing.h"

namespace posfleet::domain {

Expected<SecretBox> SecretBox::open(const std::string& key_file) {
  SecretBox box;
  auto existing = read_file(key_file);
  if (existing) {
    if (existing->size() != crypto_secretbox_KEYBYTES)
      return make_error(Code::kInvalidArgument, key_file + " is not a 32-byte key; restore it from your backup");
    box.key_ = *existing;
    return box;
  }
  if (existing.error().code != Code::kNotFound) return existing.error();
  box.key_.resize(crypto_secretbox_KEYBYTES);
  crypto_secretbox_keygen(reinterpret_cast<unsigned char*>(box.key_.data()));
  if (auto s = write_file_atomic(key_file, box.key_, 0600); !s) return s.error();
  return box;
}

std::string SecretBox::seal(const std::string& plain) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plain.data()),
                        plain.size(), nonce, reinterpret_cast<const unsigned char*>(key_.data()));
  return to_base64(out);
}

Expected<std::string> SecretBox::unseal(const std::string& sealed) const {
  auto raw = from_base64(sealed);
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return make_error(Code::kParse, "sealed value is damaged");
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw->data());
  std::string plain(raw->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), nonce + crypto_secretbox_NONCEBYTES,
                                 raw->size() - crypto_secretbox_NONCEBYTES, nonce,
                                 reinterpret_cast<const unsigned char*>(key_.data())) != 0)
    return make_error(Code::kBadSignature, "sealed value does not open with this key (wrong secret.key?)");
  return plain;
}

std::string mask(const std::string& s, size_t keep_front, size_t keep_back) {
  if (s.size() <= keep_front + keep_back) return std::string(s.size(), '*');
  return s.substr(0, keep_front) + std::string(s.size() - keep_front - keep_back, '*') + s.substr(s.size() - keep_back);
}

}  // namespace posfleet::domain
