#include "server/http/message.h"

#include <boost/json.hpp>

#include "core/json.h"

namespace posfleet::http {

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
