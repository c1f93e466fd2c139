#include "core/unlock_code.h"

#include <sodium.h>

#include <boost/json.hpp>

#include "core/json.h"

namespace posfleet {

namespace {

constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr std::size_t kHashBytes = 32;
constexpr std::uint64_t kMaxOps = 10;
constexpr std::uint64_t kMaxMem = 64u << 20;

Expected<std::string> from_hex(const std::string& hex, std::size_t bytes) {
  if (hex.size() != 2 * bytes) return make_error(Code::kInvalidArgument, "bad length");
  std::string out(bytes, '\0');
  size_t got = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), bytes, hex.data(), hex.size(),
                     nullptr, &got, nullptr) != 0 ||
      got != bytes)
    return make_error(Code::kInvalidArgument, "not hex");
  return out;
}

std::string hex_of(const std::string& bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

Expected<std::string> derive(const std::string& code, const std::string& salt, std::uint64_t ops,
                             std::uint64_t mem) {
  std::string out(kHashBytes, '\0');
  const std::string n = normalized_code(code);
  if (crypto_pwhash(reinterpret_cast<unsigned char*>(out.data()), out.size(), n.data(), n.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), ops, mem,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return make_error(Code::kInternal, "the unlock check could not be computed (out of memory)");
  return out;
}

}  // namespace

std::string new_readable_code() {
  static constexpr char kChars[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  std::string c;
  for (int i = 0; i < 12; ++i) {
    if (i && i % 4 == 0) c += '-';
    c += kChars[randombytes_uniform(sizeof kChars - 1)];
  }
  return c;
}

std::string normalized_code(std::string_view typed) {
  std::string n;
  for (char ch : typed) {
    if (ch == '-' || ch == ' ') continue;
    n += (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
  }
  return n;
}

Expected<UnlockCheck> make_unlock_check(const std::string& code) {
  UnlockCheck c;
  std::string salt(kSaltBytes, '\0');
  randombytes_buf(salt.data(), salt.size());
  auto h = derive(code, salt, c.opslimit, c.memlimit);
  if (!h) return h.error();
  c.salt = hex_of(salt);
  c.hash = hex_of(*h);
  return c;
}

Expected<bool> matches_unlock_check(const UnlockCheck& check, const std::string& typed) {
  auto salt = from_hex(check.salt, kSaltBytes);
  auto want = from_hex(check.hash, kHashBytes);
  if (!salt || !want || check.opslimit < crypto_pwhash_OPSLIMIT_MIN || check.opslimit > kMaxOps ||
      check.memlimit < crypto_pwhash_MEMLIMIT_MIN || check.memlimit > kMaxMem)
    return make_error(Code::kInvalidArgument, "the unlock check is malformed");
  if (typed.size() > 64) return false;
  auto got = derive(typed, *salt, check.opslimit, check.memlimit);
  if (!got) return got.error();
  return sodium_memcmp(got->data(), want->data(), kHashBytes) == 0;
}

boost::json::object to_json(const UnlockCheck& c) {
  return boost::json::object{{"kdf", "argon2id"},
                             {"salt", c.salt},
                             {"hash", c.hash},
                             {"opslimit", c.opslimit},
                             {"memlimit", c.memlimit}};
}

Expected<UnlockCheck> unlock_check_from_json(const boost::json::object& o) {
  auto bad = [] { return make_error(Code::kParse, "the unlock check is malformed"); };
  if (json::string_or(o, "kdf", "") != "argon2id") return bad();
  UnlockCheck c;
  c.salt = json::string_or(o, "salt", "");
  c.hash = json::string_or(o, "hash", "");
  auto ops = json::get_int(o, "opslimit");
  auto mem = json::get_int(o, "memlimit");
  if (!ops || !mem || *ops < 1 || *mem < 1) return bad();
  c.opslimit = static_cast<std::uint64_t>(*ops);
  c.memlimit = static_cast<std::uint64_t>(*mem);
  if (c.salt.size() != 2 * kSaltBytes || c.hash.size() != 2 * kHashBytes || c.opslimit > kMaxOps ||
      c.memlimit > kMaxMem)
    return bad();
  return c;
}

}  // namespace posfleet
