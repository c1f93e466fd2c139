#include "server/domain/secrets.h"

#include <sodium.h>

#include <cstdio>
#include <filesystem>

#include "core/fs.h"
#include "core/signing.h"

namespace posfleet::domain {

namespace {

constexpr std::string_view kPrefix = "s2.";

std::string hex(const unsigned char* p, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

std::string id_of(const std::string& key) {
  unsigned char h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     nullptr, 0);
  return hex(h, 4);
}

Expected<std::string> read_key(const std::string& path) {
  auto k = read_file(path);
  if (!k) return k.error();
  if (k->size() != crypto_secretbox_KEYBYTES)
    return make_error(Code::kInvalidArgument,
                      path + " is not a 32-byte key; restore it from your backup");
  return *k;
}

Status write_new_key(const std::string& path) {
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  crypto_secretbox_keygen(reinterpret_cast<unsigned char*>(key.data()));
  return write_file_atomic(path, key, 0600);
}

Expected<std::string> open_with(const std::string& key, const std::string& raw) {
  if (raw.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return make_error(Code::kParse, "sealed value is damaged");
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
  std::string plain(raw.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 nonce + crypto_secretbox_NONCEBYTES,
                                 raw.size() - crypto_secretbox_NONCEBYTES, nonce,
                                 reinterpret_cast<const unsigned char*>(key.data())) != 0)
    return make_error(Code::kBadSignature,
                      "sealed value does not open with this key (wrong secret.key?)");
  return plain;
}

}  // namespace

Expected<SecretBox> SecretBox::open(const std::string& key_file) {
  SecretBox box;
  auto key = read_key(key_file);
  if (!key && key.error().code == Code::kNotFound) {
    if (auto s = write_new_key(key_file); !s) return s.error();
    key = read_key(key_file);
  }
  if (!key) return key.error();
  box.key_ = *key;
  if (auto old = read_key(key_file + ".old"); old)
    box.old_key_ = *old;
  else if (old.error().code != Code::kNotFound)
    return old.error();
  return box;
}

std::string SecretBox::key_id() const { return id_of(key_); }

bool SecretBox::sealed_with_current_key(const std::string& sealed) const {
  return sealed.starts_with(std::string(kPrefix) + key_id() + ".");
}

std::string SecretBox::seal(const std::string& plain) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), nonce,
                        reinterpret_cast<const unsigned char*>(key_.data()));
  return std::string(kPrefix) + key_id() + "." + to_base64(out);
}

Expected<std::string> SecretBox::unseal(const std::string& sealed) const {
  std::string_view text = sealed;
  std::string want_id;
  if (text.starts_with(kPrefix)) {
    text.remove_prefix(kPrefix.size());
    auto dot = text.find('.');
    if (dot == std::string_view::npos) return make_error(Code::kParse, "sealed value is damaged");
    want_id = std::string(text.substr(0, dot));
    text.remove_prefix(dot + 1);
  }
  auto raw = from_base64(text);
  if (!raw) return make_error(Code::kParse, "sealed value is damaged");
  for (const std::string* key : {&key_, &old_key_}) {
    if (key->empty() || (!want_id.empty() && id_of(*key) != want_id)) continue;
    if (auto plain = open_with(*key, *raw); plain) return plain;
  }
  return make_error(
      Code::kBadSignature,
      want_id.empty() || want_id == key_id() || (rotating() && want_id == id_of(old_key_))
          ? "sealed value does not open with this key (wrong secret.key?)"
          : "sealed with key " + want_id + ", which is not in the data directory");
}

std::string SecretBox::index(const std::string& plain) const {
  unsigned char sub[crypto_generichash_KEYBYTES];
  static constexpr std::string_view kContext = "posfleet index v1";
  crypto_generichash(sub, sizeof sub, reinterpret_cast<const unsigned char*>(kContext.data()),
                     kContext.size(), reinterpret_cast<const unsigned char*>(key_.data()),
                     key_.size());
  unsigned char h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(plain.data()),
                     plain.size(), sub, sizeof sub);
  return hex(h, sizeof h);
}

Status SecretBox::begin_rotation(const std::string& key_file) {
  std::error_code ec;
  if (std::filesystem::exists(key_file + ".old", ec))
    return ok_status();  // an interrupted rotation goes on
  if (!std::filesystem::exists(key_file, ec))
    return make_error(Code::kNotFound, key_file + " does not exist");
  std::filesystem::rename(key_file, key_file + ".old", ec);
  if (ec) return make_error(Code::kIo, "cannot rename " + key_file + ": " + ec.message());
  return write_new_key(key_file);
}

Status SecretBox::finish_rotation(const std::string& key_file) {
  std::error_code ec;
  std::filesystem::remove(key_file + ".old", ec);
  if (ec) return make_error(Code::kIo, "cannot remove " + key_file + ".old: " + ec.message());
  return ok_status();
}

std::string mask(const std::string& s, size_t keep_front, size_t keep_back) {
  if (s.size() <= keep_front + keep_back) return std::string(s.size(), '*');
  return s.substr(0, keep_front) + std::string(s.size() - keep_front - keep_back, '*') +
         s.substr(s.size() - keep_back);
}

std::string mask_resident_id(const std::string& id) { return mask(id, 6, 0); }

}  // namespace posfleet::domain
