// posfleet core: JSON helpers over Boost.JSON.
//
// canonical() gives the one byte form that signatures cover: object keys sorted
// (byte order) at every depth, no whitespace, Boost.JSON's number and string
// escaping. Parsing is strict (no comments, no trailing commas) and refuses
// invalid UTF-8 and lone surrogate escapes; parse_untrusted() is for what a
// client sends and also refuses control characters. serialize() never emits
// invalid UTF-8 (text stored before it was validated comes out with U+FFFD);
// canonical() keeps every byte, since hashes and signatures cover it.
// Thread-safety: pure functions.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet::json {

Expected<boost::json::value> parse(std::string_view text);
// parse(), then kParse if any key or string holds a control character other
// than tab, CR or LF (a NUL in a search, an escape sequence in a name).
Expected<boost::json::value> parse_untrusted(std::string_view text);
std::string canonical(const boost::json::value& v);
std::string serialize(const boost::json::value& v);

// Typed field access that explains what is missing or of the wrong type.
Expected<std::string> get_string(const boost::json::object& o, std::string_view key);
Expected<std::int64_t> get_int(const boost::json::object& o, std::string_view key);
Expected<const boost::json::object*> get_object(const boost::json::object& o, std::string_view key);
Expected<const boost::json::array*> get_array(const boost::json::object& o, std::string_view key);
std::string string_or(const boost::json::object& o, std::string_view key, std::string fallback);
// `fallback` when the field is absent or null; kParse when it holds something
// other than a string (a number where text belongs is refused, not ignored).
Expected<std::string> optional_string(const boost::json::object& o, std::string_view key,
                                      std::string fallback);

}  // namespace posfleet::json
