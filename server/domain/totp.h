// posfleet server: time-based one-time passwords (RFC 6238 over RFC 4226
// HOTP): HMAC-SHA-1, 6 digits, 30-second steps, the codes of the step before
// and after accepted too (clocks drift), each step's code usable once (the
// caller keeps the newest step accepted and passes it back).
//
// Secrets are 20 random bytes (RFC 4226's recommended 160 bits), shown to the
// person once as base32 (RFC 4648, no padding) and as an otpauth:// URI for
// authenticator apps.
// Thread-safety: pure functions (new_totp_secret uses libsodium's generator).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace posfleet::domain {

inline constexpr int kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;
inline constexpr int kTotpSecretBytes = 20;

std::string new_totp_secret();  // kTotpSecretBytes random bytes
std::string base32_encode(std::string_view bytes);
// Upper or lower case, spaces and '=' padding ignored; nullopt for anything else.
std::optional<std::string> base32_decode(std::string_view text);

// The code of `secret` for the 30-second step `step` (unix time / 30), 6 digits.
std::string totp_code(std::string_view secret, std::int64_t step);

// The step whose code `code` is, among now's step and its neighbours, later
// than `last_step` (codes of steps up to it were used already); nullopt for a
// wrong, malformed or used code. Compared in constant time.
std::optional<std::int64_t> totp_check(std::string_view secret, std::string_view code,
                                       std::int64_t now, std::int64_t last_step);

// otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(const std::string& issuer, const std::string& account,
                        std::string_view secret);

}  // namespace posfleet::domain
