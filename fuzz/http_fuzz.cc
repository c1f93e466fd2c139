// Fuzz target: the request handling behind the listener — Host (server/http/host.h),
// Content-Type (media_type.h), Range (range.h), the external URL rule, the safe quoting of
// request text, and the whole route table (server/routes.cc) with the query parameters and
// headers handlers read. The input is written like an HTTP request:
//   METHOD PATH[?name=value&...]
//   Header: value
//   (empty line) body
// An "authorization: admin" header (GET only) or "authorization: terminal" header is replaced by
// the fixture's real credentials, so that the handlers behind authentication are reached too.
// Path and query arrive as the listener leaves them (percent-decoded); Beast's parsing of the
// raw bytes is covered by tests/e2e/hostile_http_test.py.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "fuzz/server_fixture.h"
#include "server/http/host.h"
#include "server/http/media_type.h"
#include "server/http/range.h"
#include "server/http/router.h"

using namespace posfleet;

namespace {

fuzz::ServerFixture* server = nullptr;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The request the input describes.
http::Request request_of(std::string_view text) {
  http::Request req;
  auto [line, rest] = fuzz::split_first_line(text);
  auto sp = line.find(' ');
  req.method = std::string(line.substr(0, sp));
  std::string_view target = sp == std::string_view::npos ? "/" : line.substr(sp + 1);
  auto q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      auto amp = query.find('&');
      auto kv = query.substr(0, amp);
      auto eq = kv.find('=');
      req.query[std::string(kv.substr(0, eq))] =
          eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
  }
  while (!rest.empty()) {
    auto [header, after] = fuzz::split_first_line(rest);
    rest = after;
    if (trim(header).empty()) break;
    auto colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    req.headers[lower(trim(header.substr(0, colon)))] = std::string(trim(header.substr(colon + 1)));
  }
  req.body = std::string(rest);
  return req;
}

void check_headers(const http::Request& req) {
  const std::string host = req.header("host");
  if (http::valid_host(host)) (void)http::parse_external_url("https://" + host);
  if (auto url = http::parse_external_url(host)) {
    FUZZ_CHECK(url->empty() || url->back() != '/', "an external URL kept its trailing '/'");
    FUZZ_CHECK(http::parse_external_url(*url), "a normalized external URL is refused");
  }
  const std::string type = req.header("content-type");
  (void)http::parse_media_type(type);
  (void)http::media_type_is(type, "application", "json");
  const std::string range = req.header("range");
  for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1000},
                             std::uint64_t{1} << 40, UINT64_MAX}) {
    http::ByteRange r;
    if (http::parse_range(range, size, r) == http::RangeResult::kSatisfiable) {
      FUZZ_CHECK(r.length > 0 && r.first < size && r.length <= size - r.first,
                 "a satisfiable range lies outside the resource");
    }
  }
  const std::string quoted = http::printable(req.path, 40);
  for (char c : quoted) FUZZ_CHECK(c >= 0x20 && c < 0x7f, "printable() let a raw byte through");
  FUZZ_CHECK(quoted.size() <= 43, "printable() went past its bound");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::init_quietly();
  server = new fuzz::ServerFixture();  // lives as long as the process: libFuzzer never returns
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  http::Request req = request_of(fuzz::as_text(data, size));
  check_headers(req);
  (void)http::split_path(req.path);
  (void)http::browser_page_path(req.path);
  auto auth = req.headers.find("authorization");
  if (auth != req.headers.end() && auth->second == "admin") {
    if (req.method != "GET") return 0;  // the fuzzer as an administrator only reads
    auth->second = server->admin;
  } else if (auth != req.headers.end() && auth->second == "terminal") {
    auth->second = server->terminal;
  }
  req.head = req.method == "HEAD";
  if (req.head) req.method = "GET";
  (void)server->send_checked(std::move(req));
  return 0;
}
