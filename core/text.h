// posfleet core: text that came from outside (a terminal, a browser, the
// network) — UTF-8 validity, cutting at character boundaries, and a safe form
// for echoing untrusted text in errors and logs.
//
// Every byte a client sends is hostile until checked. check_field() is the one
// rule for a client-controlled text field: valid UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), no control characters (C0,
// DEL, C1; tab and newlines only where a field allows several lines), and at
// most a number of characters (code points). Its error names the field and the
// limit and never contains the offending bytes. The limits themselves are in
// core/limits.h.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet::text {

bool is_valid_utf8(std::string_view s);

// Code points in valid UTF-8 (for invalid input: lead bytes and stray bytes).
std::size_t length(std::string_view s);

// The longest prefix of at most `max_bytes` bytes that does not end inside a
// character. On valid UTF-8 the result is valid UTF-8.
std::string_view truncate_bytes(std::string_view s, std::size_t max_bytes);
// The first `max_chars` characters of valid UTF-8.
std::string_view truncate_chars(std::string_view s, std::size_t max_chars);

// Replaces every ill-formed sequence with U+FFFD (one per maximal subpart, as
// Unicode recommends); valid input comes back unchanged.
std::string to_valid_utf8(std::string_view s);

// What an error message or a log line may quote: valid UTF-8, control
// characters shown as \xNN, cut to `max_chars` characters with "…".
std::string safe_echo(std::string_view s, std::size_t max_chars = 64);

// Leading and trailing ASCII white space removed.
std::string_view trim(std::string_view s);

// RFC 3986 percent-encoding for a path segment, a query value or an otpauth:// label: the
// unreserved characters (ASCII letters, digits, '-', '.', '_', '~') stay, every other byte
// (UTF-8 included, byte by byte) becomes %XX in upper-case hex.
std::string percent_encode(std::string_view s);

enum class Lines { kOne, kMany };  // kMany also allows tab, CR and LF

// kInvalidArgument naming `field` when `value` is not valid UTF-8, holds a
// control character, or has more than `max_chars` characters.
Status check_field(std::string_view field, std::string_view value, std::size_t max_chars,
                   Lines lines = Lines::kOne);

}  // namespace posfleet::text
