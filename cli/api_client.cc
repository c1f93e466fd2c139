#include "cli/api_client.h"

#include <boost/json.hpp>

#include <iostream>

#include "core/json.h"

namespace posfleet::cli {

Expected<HttpClient*> client(const ServerOptions& s) {
  if (s.server.empty())
    return make_error(Code::kInvalidArgument, "no server: pass --server URL or set POSFLEET_SERVER, e.g. http://127.0.0.1:8080");
  if (s.token.empty())
    return make_error(Code::kInvalidArgument, "no API token: pass --token or set POSFLEET_TOKEN (shown by posfleetd on first start)");
  static HttpClient c(s.server, {"Authorization: Bearer " + s.token});
  return &c;
}

Expected<boost::json::value> call(const ServerOptions& s, const std::string& method, const std::string& path,
                                  const std::string& what, const boost::json::value* body) {
  auto c = client(s);
  if (!c) return c.error();
  auto r = (*c)->request(method, path, body ? json::serialize(*body) : "");
  if (!r) return r.error();
  if (r->status >= 300) return http_error(*r, what);
  auto v = json::parse(r->body);
  if (!v) return v.error().with_context(what);
  return v;
}

std::string str(const boost::json::value& v, const char* key) {
  if (!v.is_object()) return "";
  auto* p = v.get_object().if_contains(key);
  if (!p || p->is_null()) return "-";
  return p->is_string() ? std::string(p->get_string()) : json::serialize(*p);
}

void print_json(const boost::json::value& v) { std::cout << json::serialize(v) << "\n"; }

std::string url_encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace posfleet::cli
