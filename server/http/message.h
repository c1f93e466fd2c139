// posfleet server: HTTP request and response as plain values.
//
// Handlers see only these types, never Beast, so that only listener.cc pays
// for Beast's headers. A response either carries its body in memory or names
// a byte range of a file that the listener streams in chunks; a slice may hold
// a resource (e.g. a download slot) that the listener keeps until the last
// byte is written or the transfer fails. A request body is either in memory
// (bounded by the listener's limit) or, for a streamed route, handed chunk by
// chunk to the request's BodySink as it arrives (e.g. into the artifact store).
// Thread-safety: plain values; a BodySink is used by one connection at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/result.h"

namespace posfleet::http {

// Where a streamed request body goes: write() is called with each chunk, in
// order, as it arrives; an error stops the upload and is answered.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual Status write(std::string_view chunk) = 0;
};

// The client certificate a TLS connection presented, already verified by the listener
// against the device CA (posfleetd --tls-client-ca): who the peer is. A connection without
// a certificate, or over plain HTTP, has none. Filled by the listener (or, behind a trusted
// proxy, from the proxy's header); read by the DDI authentication.
struct PeerCertificate {
  std::string subject_cn;      // the certificate's subject common name (a terminal's serial)
  std::string sha256;          // SHA-256 of the DER certificate, lower-case hex: its identity
  std::string serial_hex;      // the issuer's serial number, upper-case hex
  std::int64_t not_after = 0;  // unix seconds
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, percent-decoded
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-case
  std::map<std::string, std::string> params;   // filled by the router from {name} segments
  std::string body;                            // in-memory body (routes that are not streamed)
  std::shared_ptr<BodySink> sink;              // streamed routes: set before the body is read
  std::string remote;                          // peer address
  std::optional<PeerCertificate> peer_cert;    // see PeerCertificate
  bool head = false;  // a HEAD request, routed as GET; only the head of the answer is sent

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  const std::string& param(const std::string& name) const { return params.at(name); }
  std::string query_or(const std::string& name, std::string fallback) const {
    auto it = query.find(name);
    return it == query.end() ? fallback : it->second;
  }
};

struct FileSlice {
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;    // of the whole body
  std::shared_ptr<void> hold;  // released only once the slice is written (or the write failed)
  // A multipart/byteranges body instead of [offset, offset + length): each part's head (its
  // boundary and headers), then its bytes of the file; then `tail`. `length` counts it all.
  struct Part {
    std::string head;
    std::uint64_t offset = 0, length = 0;
  };
  std::vector<Part> parts = {};
  std::string tail = {};
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<FileSlice> file;  // streamed instead of body when set
};

// The status line and header fields of `res` as sent on the wire, ending in the blank line:
// "Server", "Content-Type" (res.content_type), res.headers (a later field of the same name
// replaces an earlier one), "Connection" as `keep_alive` asks for, and
// "Content-Length". `version` counts as Beast does (11 is HTTP/1.1); `reason` is the status's
// phrase. A field whose name or value holds a byte that could end it (CR, LF, NUL) is left out, as
// are framing fields (Connection, Content-Length, Transfer-Encoding), which are the listener's
// alone.
std::string response_head(const Response& res, std::string_view reason, unsigned version,
                          bool keep_alive, std::uint64_t content_length);

Response json_response(int status, const boost::json::value& v);
// Error body: {"error":{"code":"not_found","message":"..."}}; message says what to do.
// Handlers answer a domain error with error_from(); this is for the few wire
// codes that no Code stands for (the listener's refusals of HTTP framing: 400
// bad_request, 415 unsupported_media_type, 431 header_too_large) and for
// routes whose documented wire code differs from their Code's.
Response error_response(int status, std::string_view code, std::string_view message);
// Text from a request (a path, a name) made safe to quote in a message or a
// log line: printable ASCII kept, every other byte shown as '?', at most `max`
// bytes. Raw bytes could be invalid UTF-8 (invalid JSON) or forge log lines.
std::string printable(std::string_view text, size_t max = 200);

// Maps an Error's code to an HTTP status and wraps it in the error body.
int status_of(Code code);
Response error_from(const Error& e);

}  // namespace posfleet::http
