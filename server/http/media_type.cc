#include "server/http/media_type.h"

#include <algorithm>

namespace posfleet::http {

namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

void skip_ows(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

// A token at the front of `s`; empty when there is none.
std::string_view take_token(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && is_tchar(s[n])) ++n;
  auto t = s.substr(0, n);
  s.remove_prefix(n);
  return t;
}

// A quoted-string at the front of `s` (which starts with '"'), unquoted.
std::optional<std::string> take_quoted(std::string_view& s) {
  std::string out;
  for (size_t i = 1; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      s.remove_prefix(i + 1);
      return out;
    }
    if (c == '\\') {
      if (++i == s.size()) return std::nullopt;
      const auto q = static_cast<unsigned char>(s[i]);
      if (q != '\t' && (q < 0x20 || q == 0x7f)) return std::nullopt;
      out += static_cast<char>(q);
      continue;
    }
    if (c != '\t' && (c < 0x20 || c == 0x7f)) return std::nullopt;
    out += static_cast<char>(c);
  }
  return std::nullopt;  // no closing quote
}

}  // namespace

std::optional<MediaType> parse_media_type(std::string_view s) {
  MediaType m;
  skip_ows(s);
  auto type = take_token(s);
  if (type.empty() || s.empty() || s.front() != '/') return std::nullopt;
  s.remove_prefix(1);
  auto subtype = take_token(s);
  if (subtype.empty()) return std::nullopt;
  m.type = lower(type);
  m.subtype = lower(subtype);
  for (;;) {
    skip_ows(s);
    if (s.empty()) return m;
    if (s.front() != ';') return std::nullopt;  // e.g. a second type after ','
    s.remove_prefix(1);
    skip_ows(s);
    if (s.empty() || s.front() == ';') continue;  // an empty parameter is allowed
    auto name = take_token(s);
    if (name.empty() || s.empty() || s.front() != '=') return std::nullopt;
    s.remove_prefix(1);
    std::string value;
    if (!s.empty() && s.front() == '"') {
      auto q = take_quoted(s);
      if (!q) return std::nullopt;
      value = std::move(*q);
    } else {
      value = std::string(take_token(s));
      if (value.empty()) return std::nullopt;
    }
    std::string key = lower(name);
    if (std::any_of(m.params.begin(), m.params.end(),
                    [&](const auto& p) { return p.first == key; }))
      return std::nullopt;  // which one would count?
    m.params.emplace_back(std::move(key), std::move(value));
  }
}

bool media_type_is(std::string_view header, std::string_view type, std::string_view subtype) {
  auto m = parse_media_type(header);
  if (!m || m->type != type || m->subtype != subtype) return false;
  for (const auto& [name, value] : m->params)
    if (name == "charset" && lower(value) != "utf-8") return false;
  return true;
}

}  // namespace posfleet::http
