#include "server/http/message.h"

#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace posfleet::http {

namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool fits_a_field(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == s.npos;
}

}  // namespace

std::string response_head(const Response& res, std::string_view reason, unsigned version,
                          bool keep_alive, std::uint64_t content_length) {
  // The fields in order, each set replacing an earlier one of its name (what a handler means
  // by listing Content-Type or Cache-Control again).
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  auto set = [&](std::string_view name, std::string_view value) {
    if (!fits_a_field(name) || !fits_a_field(value) || name.empty()) return;
    std::erase_if(fields, [&](const auto& f) { return same_name(f.first, name); });
    fields.emplace_back(name, value);
  };
  set("Server", "posfleetd");
  set("Content-Type", res.content_type);
  for (const auto& [name, value] : res.headers)
    if (!same_name(name, "Connection") && !same_name(name, "Content-Length") &&
        !same_name(name, "Transfer-Encoding"))
      set(name, value);
  if (version >= 11 && !keep_alive) fields.emplace_back("Connection", "close");
  if (version < 11 && keep_alive) fields.emplace_back("Connection", "keep-alive");
  const std::string length = std::to_string(content_length);
  fields.emplace_back("Content-Length", length);

  std::string out;
  size_t size = 32 + reason.size();
  for (const auto& [name, value] : fields) size += name.size() + value.size() + 4;
  out.reserve(size);
  out += version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
  out += std::to_string(res.status);
  out += ' ';
  out += reason;
  out += "\r\n";
  for (const auto& [name, value] : fields) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

Response json_response(int status, const boost::json::value& v) {
  Response r;
  r.status = status;
  r.body = json::serialize(v);  // never invalid UTF-8, whatever a handler quotes
  return r;
}

Response error_response(int status, std::string_view code, std::string_view message) {
  return json_response(
      status,
      boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}});
}

std::string printable(std::string_view text, size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += c >= 0x20 && c < 0x7f ? c : '?';
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace posfleet::http

namespace posfleet::http {

int status_of(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
    case Code::kParse:
    case Code::kHashMismatch:
    case Code::kLengthMismatch:
    case Code::kBadSignature:  // a release's signatures, checked at publish
    case Code::kUnknownKey:
    case Code::kTooFewSignatures:
    case Code::kCertificateInvalid:  // a CSR or forwarded certificate that cannot be used
    case Code::kRootUntrusted:       // a published root that does not chain from the current one
    case Code::kKeyRevoked:
      return 400;
    case Code::kUnauthorized:
    case Code::kCertificateRevoked:  // refused like a wrong token, with its own code
      return 401;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
    case Code::kWrongState:
    case Code::kVersionReused:  // a release version published again with other content
    case Code::kRootNotNext:    // a published root whose version is not the current one + 1
    case Code::kSequenceReplayed:
      return 409;
    case Code::kLocked:
    case Code::kForbidden:
    case Code::kTwoPersonRule:  // the approver is the creator
      return 403;
    case Code::kReleaseStopped:  // the kill switch holds the release
      return 409;
    case Code::kMethodNotAllowed:
      return 405;
    case Code::kGone:
      return 410;
    case Code::kTooLarge:
      return 413;
    case Code::kTooManyRequests:
      return 429;
    case Code::kWeakPassword:
      return 400;
    case Code::kTotpRequired:  // the log-in is not done: the console asks for the code
    case Code::kTotpWrong:
      return 401;
    case Code::kTotpEnrolRequired:  // the console shows TOTP set-up
      return 403;
    case Code::kWebhookFailed:  // the receiver, not posfleetd, failed: a bad gateway
      return 502;
    case Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

Response error_from(const Error& e) {
  return error_response(status_of(e.code), code_name(e.code), e.message);
}

}  // namespace posfleet::http
