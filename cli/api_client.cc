#include "cli/api_client.h"

#include <boost/json.hpp>
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
  static CurlHttpClient c(s.server, {"Authorization: Bearer " + s.token});
  return &c;
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
