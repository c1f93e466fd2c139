// posfleet core: scrubbing text a terminal sends in a log bundle (docs/diagnostics.md): every
// bank card number (12-19 digits passing Luhn, written together or in groups split by spaces or
// hyphens) becomes "[card]" and every resident ID (GB 11643, its check character right)
// becomes "[id]". The agent scrubs before it uploads and the server scrubs again before it keeps
// a bundle, so neither side's mistake leaks one. The result is valid UTF-8.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace posfleet {

std::string scrub_sensitive(std::string_view text);

}  // namespace posfleet
