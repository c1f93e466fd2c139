#include "core/json.h"

#include <boost/json/src.hpp>  // Boost.JSON compiled into this one translation unit

#include <algorithm>
#include <vector>

#include "core/text.h"

namespace posfleet::json {

Expected<boost::json::value> parse(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return make_error(Code::kParse, "not valid JSON: " + ec.message());
  return v;
}

namespace {

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return true;
  return false;
}

bool clean_strings(const boost::json::value& v) {
  if (v.is_string()) return !has_control(v.get_string());
  if (v.is_array()) {
    for (const auto& e : v.get_array())
      if (!clean_strings(e)) return false;
  } else if (v.is_object()) {
    for (const auto& kv : v.get_object())
      if (has_control(kv.key()) || !clean_strings(kv.value())) return false;
  }
  return true;
}

}  // namespace

Expected<boost::json::value> parse_untrusted(std::string_view text) {
  auto v = parse(text);
  if (!v) return v;
  if (!clean_strings(*v))
    return make_error(Code::kParse,
                      "a text in the JSON body holds a control character (such as NUL); remove it");
  return v;
}

namespace {
void write_canonical(const boost::json::value& v, std::string& out) {
  if (v.is_object()) {
    const auto& o = v.get_object();
    std::vector<std::string_view> keys;
    keys.reserve(o.size());
    for (const auto& kv : o) keys.push_back(kv.key());
    std::sort(keys.begin(), keys.end());
    out += '{';
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ',';
      out += boost::json::serialize(boost::json::string(keys[i]));
      out += ':';
      write_canonical(o.at(keys[i]), out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& e : v.get_array()) {
      if (!first) out += ',';
      first = false;
      write_canonical(e, out);
    }
    out += ']';
  } else {
    out += boost::json::serialize(v);
  }
}
}  // namespace

std::string canonical(const boost::json::value& v) {
  std::string out;
  write_canonical(v, out);
  return out;
}

std::string serialize(const boost::json::value& v) {
  return text::to_valid_utf8(boost::json::serialize(v));
}

Expected<std::string> get_string(const boost::json::object& o, std::string_view key) {
  auto* p = o.if_contains(key);
  if (!p || !p->is_string())
    return make_error(Code::kParse, "field \"" + std::string(key) + "\" must be a string");
  return std::string(p->get_string());
}

Expected<std::string> optional_string(const boost::json::object& o, std::string_view key,
                                      std::string fallback) {
  auto* p = o.if_contains(key);
  if (!p || p->is_null()) return fallback;
  if (!p->is_string())
    return make_error(Code::kParse, "field \"" + std::string(key) + "\" must be a string");
  return std::string(p->get_string());
}

Expected<std::int64_t> get_int(const boost::json::object& o, std::string_view key) {
  auto* p = o.if_contains(key);
  if (p && p->is_int64()) return p->get_int64();
  if (p && p->is_uint64() && p->get_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(p->get_uint64());
  return make_error(Code::kParse, "field \"" + std::string(key) + "\" must be an integer");
}

Expected<const boost::json::object*> get_object(const boost::json::object& o,
                                                std::string_view key) {
  auto* p = o.if_contains(key);
  if (!p || !p->is_object())
    return make_error(Code::kParse, "field \"" + std::string(key) + "\" must be an object");
  return &p->get_object();
}

Expected<const boost::json::array*> get_array(const boost::json::object& o, std::string_view key) {
  auto* p = o.if_contains(key);
  if (!p || !p->is_array())
    return make_error(Code::kParse, "field \"" + std::string(key) + "\" must be an array");
  return &p->get_array();
}

std::string string_or(const boost::json::object& o, std::string_view key, std::string fallback) {
  auto* p = o.if_contains(key);
  if (p && p->is_string()) return std::string(p->get_string());
  return fallback;
}

}  // namespace posfleet::json
