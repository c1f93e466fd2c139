#include "server/http/router.h"

namespace posfleet::http {
namespace {
constexpr const char* kFallbackPattern = "/{console page}";
}  // namespace

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool browser_page_path(const std::string& path) {
  auto segs = split_path(path);
  if (segs.empty()) return true;
  for (size_t i = 0; i < segs.size() && i < 2; ++i)
    for (auto& c : segs[i]) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (segs[0] == "api" || segs[0] == "metrics") return false;
  return !(segs.size() >= 2 && segs[1] == "controller");  // /{tenant}/controller/...: devices
}

void Router::add(std::string method, std::string pattern, Handler handler, Work work,
                 std::vector<std::string> roles) {
  if (wrap_) handler = wrap_(method, pattern, std::move(handler));
  auto segments = split_path(pattern);
  routes_.push_back({std::move(method),
                     std::move(pattern),
                     std::move(segments),
                     std::move(handler),
                     work,
                     BodyKind::kJson,
                     {},
                     std::move(roles)});
}

void Router::add_streamed(std::string method, std::string pattern, BeforeBody open, Handler handler,
                          std::vector<std::string> roles) {
  if (wrap_) handler = wrap_(method, pattern, std::move(handler));
  auto segments = split_path(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(handler),
                     Work::kBlocking, BodyKind::kStream, std::move(open), std::move(roles)});
}

void Router::set_fallback(Handler handler) {
  fallback_ = wrap_ ? wrap_("GET", kFallbackPattern, std::move(handler)) : std::move(handler);
}

void Router::instrument(Wrap wrap) {
  for (auto& r : routes_) r.handler = wrap(r.method, r.pattern, std::move(r.handler));
  if (fallback_) fallback_ = wrap("GET", kFallbackPattern, std::move(fallback_));
  wrap_ = std::move(wrap);
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({r.method, r.pattern, r.roles});
  return out;
}

Response unrouted(const Request& req, const Router::Match& m) {
  if (m.path_known)
    return error_from(make_error(Code::kMethodNotAllowed,
                                 req.method + " is not allowed on " + printable(req.path)));
  return error_from(make_error(Code::kNotFound, "no such resource: " + printable(req.path)));
}

Router::Match Router::match(Request& req) const {
  const auto segs = split_path(req.path);
  Match result;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const auto& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}')
        params[p.substr(1, p.size() - 2)] = segs[i];
      else
        ok = p == segs[i];
    }
    if (!ok) continue;
    if (r.method != req.method) {
      result.path_known = true;
      continue;
    }
    req.params = std::move(params);
    result.handler = &r.handler;
    result.work = r.work;
    result.body = r.body;
    result.before_body = r.before_body ? &r.before_body : nullptr;
    return result;
  }
  if (!result.path_known && fallback_ && req.method == "GET" && browser_page_path(req.path))
    result.handler = &fallback_;
  if (!result.handler) unmatched_.fetch_add(1, std::memory_order_relaxed);
  return result;
}

}  // namespace posfleet::http
