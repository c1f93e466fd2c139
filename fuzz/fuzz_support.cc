#include "fuzz/fuzz_support.h"

#include <sodium.h>

namespace posfleet::fuzz {

SigningKey fixed_signing_key(unsigned char seed_byte) {
  unsigned char seed[crypto_sign_SEEDBYTES];
  for (auto& b : seed) b = seed_byte;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed);
  SigningKey k;
  k.pub.raw.assign(reinterpret_cast<char*>(pk), sizeof pk);
  k.pub.key_id = key_id_of(k.pub.raw);
  k.secret.assign(reinterpret_cast<char*>(sk), sizeof sk);
  return k;
}

}  // namespace posfleet::fuzz
