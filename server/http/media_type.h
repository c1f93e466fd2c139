// posfleet server: Content-Type media types, parsed exactly (RFC 9110 8.3.1).
//
// A media type is "type/subtype" followed by ";name=value" parameters; type,
// subtype and parameter names compare case-insensitively, values are tokens or
// quoted strings. Every check of a content type goes through media_type_is():
// a substring search would take "text/plain; boundary=application/json" (which
// any web page may send cross-site) for JSON.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace posfleet::http {

struct MediaType {
  std::string type, subtype;                                // lower-case
  std::vector<std::pair<std::string, std::string>> params;  // names lower-case, values unquoted
};

// nullopt for anything that is not one well-formed media type (a list, a
// missing subtype, a parameter named twice, control characters...).
std::optional<MediaType> parse_media_type(std::string_view header);

// True when `header` is exactly type/subtype (given in lower case), with any
// parameters, except a charset other than UTF-8: posfleet reads only UTF-8.
bool media_type_is(std::string_view header, std::string_view type, std::string_view subtype);

}  // namespace posfleet::http
