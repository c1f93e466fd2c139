#include "cli/api_client.h"

#include <boost/json.hpp>
#include <fstream>
#include <iostream>

#include "cli/output.h"
#include "core/json.h"

namespace posfleet::cli {

Expected<HttpClient*> client(const ServerOptions& s) {
  if (s.server.empty())
    return make_error(
        Code::kInvalidArgument,
        say("没有服务器地址：请用 --server URL 或设置 POSFLEET_SERVER，例如 http://127.0.0.1:8080",
            "no server: pass --server URL or set POSFLEET_SERVER, e.g. http://127.0.0.1:8080"));
  if (s.token.empty())
    return make_error(
        Code::kInvalidArgument,
        say("没有 API 令牌：请用 --token 或设置 POSFLEET_TOKEN（posfleetd 首次启动时显示）",
            "no API token: pass --token or set POSFLEET_TOKEN (shown by posfleetd on first "
            "start)"));
  auto tls = transport_options(s);
  if (!tls) return tls.error();
  static CurlHttpClient c(s.server, {"Authorization: Bearer " + s.token}, *tls);
  return &c;
}

bool loopback_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  std::string_view rest = std::string_view(url).substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.find('@') != std::string_view::npos) return false;  // user info: not a plain address
  std::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    auto end = rest.find(']');
    if (end == std::string_view::npos) return false;
    host = rest.substr(1, end - 1);
  } else {
    host = rest.substr(0, rest.find(':'));
  }
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, written as four decimal numbers.
  int parts = 0, value = -1;
  for (size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (value < 0 || value > 255) return false;
      if (parts == 0 && value != 127) return false;
      ++parts;
      value = -1;
    } else if (host[i] >= '0' && host[i] <= '9') {
      value = (value < 0 ? 0 : value * 10) + (host[i] - '0');
      if (value > 255) return false;
    } else {
      return false;
    }
  }
  return parts == 4;
}

Expected<TlsClientOptions> transport_options(const ServerOptions& s) {
  TlsClientOptions tls;
  tls.ca_bundle = s.ca_bundle;
  tls.allow_plain_http = s.allow_plain_http || loopback_url(s.server);
  tls.ca_bundle_name = "--ca-bundle";
  tls.allow_plain_name = "--allow-plain-http";
  if (!tls.ca_bundle.empty() && !std::ifstream(tls.ca_bundle))
    return make_error(Code::kInvalidArgument,
                      say("无法读取 --ca-bundle 文件 " + clean(tls.ca_bundle, 200) +
                              "（POSFLEET_CA_BUNDLE）：请给出 PEM 格式的 CA 证书文件",
                          "cannot read the --ca-bundle file " + clean(tls.ca_bundle, 200) +
                              " (POSFLEET_CA_BUNDLE): give a PEM file of CA certificates"));
  if (auto ok = check_url_scheme(s.server, tls); !ok) {
    if (ok.error().code == Code::kInvalidArgument)
      return make_error(
          Code::kInvalidArgument,
          say("拒绝不加密的 http:// 服务器 " + clean(s.server, 120) +
                  "：令牌和数据会在网络上明文传输。请用 https:// 地址（用 --ca-bundle 指定其 "
                  "CA），或仅在开发时加 --allow-plain-http（POSFLEET_ALLOW_PLAIN_HTTP=1）",
              "refusing the unencrypted http:// server " + clean(s.server, 120) +
                  ": the token and data would cross the network in clear. Use its https:// "
                  "address (with --ca-bundle for its CA), or, for development only, "
                  "--allow-plain-http (POSFLEET_ALLOW_PLAIN_HTTP=1)"));
    return make_error(ok.error().code,
                      say("--server 必须是 https:// 地址，例如 https://fleet.example.com",
                          "--server must be an https:// URL, e.g. https://fleet.example.com"));
  }
  return tls;
}

Error server_error(const HttpResult& r, const std::string& what) {
  std::string code, message;
  if (auto v = json::parse(r.body); v && v->is_object())
    if (auto* e = v->get_object().if_contains("error"); e && e->is_object()) {
      code = clean(json::string_or(e->get_object(), "code", ""), 40);
      message = clean(json::string_or(e->get_object(), "message", ""), 400);
    }
  if (message.empty())
    message = say("服务器的回答不是 posfleet 的错误格式（--server 是否指向 posfleetd？）",
                  "the server's answer is not a posfleet error (is --server the posfleetd URL?)");
  if (r.status == 401)
    message += say("；请检查 POSFLEET_TOKEN 或 --token", "; check POSFLEET_TOKEN or --token");
  Code c = r.status == 404                      ? Code::kNotFound
           : r.status == 401 || r.status == 403 ? Code::kUnauthorized
           : r.status == 409                    ? Code::kConflict
           : r.status == 400 || r.status == 413 ? Code::kInvalidArgument
           : r.status == 429 || r.status == 503 ? Code::kUnavailable
                                                : Code::kServer;
  return make_error(c, what + say("：", ": ") + message + " [" + (code.empty() ? "" : code + ", ") +
                           "HTTP " + std::to_string(r.status) + "]");
}

Expected<boost::json::value> call(const ServerOptions& s, const std::string& method,
                                  const std::string& path, const std::string& what,
                                  const boost::json::value* body) {
  auto c = client(s);
  if (!c) return c.error();
  auto r = (*c)->request(method, path, body ? json::serialize(*body) : "");
  if (!r && r.error().code == Code::kNetwork)
    return make_error(Code::kNetwork,
                      what + say("：", ": ") +
                          say("无法连接 " + clean(s.server, 80) +
                                  "，请确认 posfleetd 正在运行、--server 地址正确（",
                              "") +
                          r.error().message + say("）", ""));
  if (!r) return r.error().with_context(what);
  if (r->status >= 300) return server_error(*r, what);
  auto v = json::parse(r->body);
  if (!v)
    return make_error(Code::kParse,
                      what + say("：", ": ") +
                          say("服务器的回答不是 JSON（--server 是否指向 posfleetd？）",
                              "the server's answer is not JSON (is --server the posfleetd URL?)"));
  return v;
}

Status show(const ServerOptions& s, const std::string& method, const std::string& path,
            const std::string& what, const boost::json::value* body,
            const std::function<void(const boost::json::value&)>& human) {
  auto v = call(s, method, path, what, body);
  if (!v) return v.error();
  if (s.json)
    print_json(*v);
  else
    human(*v);
  return ok_status();
}

std::string str(const boost::json::value& v, const char* key) {
  if (!v.is_object()) return "";
  auto* p = v.get_object().if_contains(key);
  if (!p || p->is_null() || (p->is_string() && p->get_string().empty())) return "-";
  if (p->is_string()) return clean(p->get_string());
  if (p->is_array()) {  // a list of plain values: "a,b,c"
    std::string out;
    for (const auto& x : p->get_array())
      out += (out.empty() ? "" : ",") +
             (x.is_string() ? std::string(x.get_string()) : json::serialize(x));
    return clean(out);
  }
  return clean(json::serialize(*p));
}

std::string yes_no(const boost::json::value& v, const char* key) {
  auto* b = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  return b && b->is_bool() && b->get_bool() ? say("是", "yes") : say("否", "no");
}

std::string time_of(const boost::json::value& v, const char* key) {
  return local_time(str(v, key));
}

void print_page_footer(const boost::json::value& page, std::size_t shown,
                       const std::string& measure_zh, const std::string& noun_zh,
                       const std::string& noun_en) {
  const auto& o = page.as_object();
  const std::int64_t total = o.contains("total") ? o.at("total").to_number<std::int64_t>() : 0;
  const std::int64_t offset = o.contains("offset") ? o.at("offset").to_number<std::int64_t>() : 0;
  const auto n = static_cast<std::int64_t>(shown);
  if (total == 0) {
    std::cout << say("没有" + noun_zh, "no " + noun_en) << "\n";
    return;
  }
  const std::string range = n ? std::to_string(offset + 1) + "-" + std::to_string(offset + n) : "0";
  std::cout << say(range + " / 共 " + std::to_string(total) + " " + measure_zh + noun_zh,
                   range + " of " + std::to_string(total) + " " + noun_en);
  if (offset + n < total)
    std::cout << say("；下一页：--offset ", "; next page: --offset ") << offset + n;
  std::cout << "\n";
}

void print_json(const boost::json::value& v) { std::cout << json::serialize(v) << "\n"; }

Expected<boost::json::object> filter_object(const std::vector<std::string>& filters) {
  boost::json::object f;
  for (const auto& kv : filters) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error(
          Code::kInvalidArgument,
          say("--filter \"" + clean(kv, 60) + "\" 应为 KEY=VALUE，例如 --filter model=A920",
              "--filter \"" + clean(kv, 60) + "\" must be KEY=VALUE, e.g. --filter model=A920"));
    const std::string key = kv.substr(0, eq);
    if (f.contains(key))
      return make_error(Code::kInvalidArgument,
                        say("--filter 重复给出 ", "--filter names twice: ") + clean(key, 40));
    f[key] = kv.substr(eq + 1);
  }
  return f;
}

}  // namespace posfleet::cli
