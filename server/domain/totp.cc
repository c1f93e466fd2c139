#include "server/domain/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>

#include "core/text.h"

namespace posfleet::domain {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}  // namespace

std::string new_totp_secret() {
  std::string s(kTotpSecretBytes, '\0');
  randombytes_buf(s.data(), s.size());
  return s;
}

std::string base32_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char ch : text) {
    if (ch == ' ' || ch == '=') continue;
    const char up = ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch;
    int v = -1;
    if (up >= 'A' && up <= 'Z') v = up - 'A';
    if (up >= '2' && up <= '7') v = up - '2' + 26;
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

std::string totp_code(std::string_view secret, std::int64_t step) {
  std::array<unsigned char, 8> counter{};
  auto c = static_cast<std::uint64_t>(step);
  for (int i = 7; i >= 0; --i, c >>= 8) counter[static_cast<size_t>(i)] = c & 0xff;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter.data(), counter.size(),
       mac, &len);
  const int offset = mac[len - 1] & 0x0f;
  const std::uint32_t bin = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                            (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                            (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                            static_cast<std::uint32_t>(mac[offset + 3]);
  std::string code = std::to_string(bin % 1000000);
  return std::string(kTotpDigits - code.size(), '0') + code;
}

std::optional<std::int64_t> totp_check(std::string_view secret, std::string_view code,
                                       std::int64_t now, std::int64_t last_step) {
  if (code.size() != kTotpDigits) return std::nullopt;
  for (char ch : code)
    if (ch < '0' || ch > '9') return std::nullopt;
  const std::int64_t step = now / kTotpStepSeconds;
  std::optional<std::int64_t> found;
  for (std::int64_t s = step - 1; s <= step + 1; ++s) {  // every candidate, same time each call
    const std::string want = totp_code(secret, s);
    if (sodium_memcmp(want.data(), code.data(), kTotpDigits) == 0 && s > last_step && !found)
      found = s;
  }
  return found;
}

std::string otpauth_uri(const std::string& issuer, const std::string& account,
                        std::string_view secret) {
  return "otpauth://totp/" + text::percent_encode(issuer) + ":" + text::percent_encode(account) +
         "?secret=" + base32_encode(secret) + "&issuer=" + text::percent_encode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace posfleet::domain
