#include "server/http/message.h"

#include <sstream>

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

namespace posfleet::http {
namespace {

TEST(Printable, KeepsPrintableAsciiAndHidesEveryOtherByte) {
  EXPECT_EQ(printable("/api/v1/terminals"), "/api/v1/terminals");
  EXPECT_EQ(printable("/a\xff\xfe\nb\x1b[31m"), "/a???b?[31m");
  EXPECT_EQ(printable("/终端"), "/??????");
  EXPECT_EQ(printable(std::string(300, 'x'), 5), "xxxxx...");
}

// What Beast's serializer writes for the same answer: the listener wrote it that way before
// it wrote heads itself, and clients have read it since.
std::string beast_head(const Response& res, unsigned version, bool keep_alive) {
  namespace bhttp = boost::beast::http;
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  out.set(bhttp::field::server, "posfleetd");
  out.set(bhttp::field::content_type, res.content_type);
  for (const auto& [k, v] : res.headers) out.set(k, v);
  out.keep_alive(keep_alive);
  out.body() = res.body;
  out.prepare_payload();
  std::ostringstream s;
  s << out.base();
  return s.str();
}

std::string head_of(const Response& res, unsigned version, bool keep_alive) {
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(res.status));
  return response_head(res, std::string_view(reason.data(), reason.size()), version, keep_alive,
                       res.body.size());
}

TEST(ResponseHead, IsWhatBeastsSerializerWrites) {
  Response poll = json_response(200, boost::json::object{{"config", "x"}});
  Response limited = error_response(429, "busy", "try again");
  limited.headers = {{"Retry-After", "30"}};
  Response page;
  page.content_type = "text/html; charset=utf-8";
  page.body = "<p>hi</p>";
  page.headers = {
      {"Cache-Control", "no-cache"}, {"Content-Type", "text/css"}, {"cache-control", "no-store"}};
  Response empty;
  empty.status = 416;
  empty.body.clear();
  empty.headers = {{"Content-Range", "bytes */10"}};
  for (const auto* res : {&poll, &limited, &page, &empty})
    for (unsigned version : {10u, 11u})
      for (bool keep_alive : {false, true})
        EXPECT_EQ(head_of(*res, version, keep_alive), beast_head(*res, version, keep_alive))
            << res->status << " HTTP " << version << " keep-alive " << keep_alive;
}

TEST(ResponseHead, LeavesOutFieldsThatCouldSplitItAndTheFramingOnes) {
  Response res;
  res.body = "{}";
  res.headers = {{"X-A", "1\r\nSet-Cookie: evil=1"},
                 {"X-B\n", "2"},
                 {std::string("X-C"), std::string("a\0b", 3)},
                 {"Content-Length", "999"},
                 {"transfer-encoding", "chunked"},
                 {"Connection", "upgrade"},
                 {"X-D", "kept"}};
  EXPECT_EQ(head_of(res, 11, true),
            "HTTP/1.1 200 OK\r\nServer: posfleetd\r\nContent-Type: application/json\r\n"
            "X-D: kept\r\nContent-Length: 2\r\n\r\n");
}

}  // namespace
}  // namespace posfleet::http
