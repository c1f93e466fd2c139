#include "server/http/host.h"

#include <charconv>

namespace posfleet::http {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A DNS name or dotted IPv4 address: labels of letters, digits, '-' and '_'.
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_alnum(c) || c == '-' || c == '_') {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return true;  // a trailing '.' (the root) is allowed
}

bool valid_ipv6_literal(std::string_view s) {  // inside the brackets
  if (s.size() < 2 || s.size() > 45) return false;
  for (char c : s)
    if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
  return s.find(':') != std::string_view::npos;
}

bool valid_port(std::string_view p) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  return !p.empty() && p.size() <= 5 && ec == std::errc() && end == p.data() + p.size() &&
         v <= 65535;
}

}  // namespace

bool valid_host(std::string_view host) {
  std::string_view name = host, port;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos || !valid_ipv6_literal(host.substr(1, close - 1)))
      return false;
    if (close + 1 == host.size()) return true;
    if (host[close + 1] != ':') return false;
    return valid_port(host.substr(close + 2));
  }
  if (auto colon = host.find(':'); colon != std::string_view::npos) {
    name = host.substr(0, colon);
    port = host.substr(colon + 1);
    if (!valid_port(port)) return false;
  }
  return valid_name(name);
}

namespace {
// parse_external_url's rule, the messages naming `flag` and giving `example`.
Expected<std::string> parse_url(std::string_view url, const char* flag, const char* example) {
  auto bad = [&](const std::string& why) {
    return make_error(Code::kInvalidArgument, std::string(flag) + " \"" + std::string(url) + "\" " +
                                                  why + "; give e.g. " + example);
  };
  std::string out;
  std::string_view rest = url;
  for (const char* scheme : {"http://", "https://"}) {
    const std::string_view s(scheme);
    if (rest.size() > s.size() && std::equal(s.begin(), s.end(), rest.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      out = std::string(s);
      rest.remove_prefix(s.size());
      break;
    }
  }
  if (out.empty()) return bad("must start with http:// or https://");
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash),
                   path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (!valid_host(authority)) return bad("has no valid host[:port]");
  for (char c : path)
    if (!(is_alnum(c) || std::string_view("-._~/%!$&'()*+,;=:@").find(c) != std::string_view::npos))
      return bad("may hold only a host, a port and a path (no query, fragment or spaces)");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  for (char c : authority) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out += path;
  return out;
}
}  // namespace

Expected<std::string> parse_external_url(std::string_view url) {
  return parse_url(url, "--external-url", "https://fleet.example.com");
}

Expected<std::string> parse_artifact_base_url(std::string_view url) {
  auto out = parse_url(url, "--artifact-base-url", "https://cdn.example.com/posfleet/");
  if (!out) return out;
  return *out + "/";
}

}  // namespace posfleet::http
