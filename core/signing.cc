#include "core/signing.h"

#include <sodium.h>

#include <boost/json.hpp>

#include "core/hashing.h"
#include "core/json.h"

namespace posfleet {

Status init_crypto() {
  if (sodium_init() < 0) return make_error(Code::kInternal, "libsodium failed to initialize");
  return ok_status();
}

std::string key_id_of(std::string_view raw_public) { return sha256_hex(raw_public).substr(0, 16); }

SigningKey generate_signing_key() {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  SigningKey k;
  k.pub.raw.assign(reinterpret_cast<char*>(pk), sizeof pk);
  k.pub.key_id = key_id_of(k.pub.raw);
  k.secret.assign(reinterpret_cast<char*>(sk), sizeof sk);
  sodium_memzero(sk, sizeof sk);
  return k;
}

std::string sign_detached(const SigningKey& key, std::string_view message) {
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), reinterpret_cast<const unsigned char*>(key.secret.data()));
  return std::string(reinterpret_cast<char*>(sig), sizeof sig);
}

bool verify_detached(const PublicKey& key, std::string_view message, std::string_view signature) {
  if (key.raw.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES)
    return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(),
                                     reinterpret_cast<const unsigned char*>(key.raw.data())) == 0;
}

std::string to_base64(std::string_view raw) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Expected<std::string> from_base64(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return make_error(Code::kParse, "not valid base64");
  out.resize(len);
  return out;
}

std::string public_key_json(const PublicKey& key) {
  boost::json::object o{
      {"type", "posfleet-public-key"}, {"keyid", key.key_id}, {"public", to_base64(key.raw)}};
  return json::serialize(o) + "\n";
}

std::string signing_key_json(const SigningKey& key) {
  boost::json::object o{{"type", "posfleet-signing-key"},
                        {"keyid", key.pub.key_id},
                        {"public", to_base64(key.pub.raw)},
                        {"secret", to_base64(key.secret)}};
  return json::serialize(o) + "\n";
}

namespace {
Expected<PublicKey> public_from(const boost::json::object& o) {
  auto pub64 = json::get_string(o, "public");
  if (!pub64) return pub64.error();
  auto raw = from_base64(*pub64);
  if (!raw || raw->size() != crypto_sign_PUBLICKEYBYTES)
    return make_error(Code::kParse, "key file: \"public\" is not a base64 ed25519 public key");
  PublicKey k{key_id_of(*raw), *raw};
  if (json::string_or(o, "keyid", k.key_id) != k.key_id)
    return make_error(Code::kParse, "key file: \"keyid\" does not match the public key");
  return k;
}
}  // namespace

Expected<PublicKey> parse_public_key(std::string_view json_text) {
  auto v = json::parse(json_text);
  if (!v || !v->is_object())
    return make_error(Code::kParse, "public key file is not a JSON object");
  return public_from(v->get_object());
}

Expected<SigningKey> parse_signing_key(std::string_view json_text) {
  auto v = json::parse(json_text);
  if (!v || !v->is_object())
    return make_error(Code::kParse, "signing key file is not a JSON object");
  const auto& o = v->get_object();
  auto pub = public_from(o);
  if (!pub) return pub.error();
  auto sec64 = json::get_string(o, "secret");
  if (!sec64)
    return make_error(
        Code::kParse,
        "this is not a signing key file (no \"secret\"); pass the .key file, not the .pub");
  auto sec = from_base64(*sec64);
  if (!sec || sec->size() != crypto_sign_SECRETKEYBYTES)
    return make_error(Code::kParse,
                      "signing key file: \"secret\" is not a base64 ed25519 secret key");
  if (sec->substr(32) != pub->raw)
    return make_error(Code::kParse,
                      "signing key file: secret and public halves do not belong together");
  return SigningKey{*pub, *sec};
}

}  // namespace posfleet
