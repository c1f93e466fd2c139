#include "core/result.h"

namespace posfleet {

const char* code_name(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kNotFound:
      return "not_found";
    case Code::kIo:
      return "io";
    case Code::kParse:
      return "parse";
    case Code::kConflict:
      return "conflict";
    case Code::kUnauthorized:
      return "unauthorized";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kInternal:
      return "internal";
    case Code::kBadSignature:
      return "bad_signature";
    case Code::kUnknownKey:
      return "unknown_key";
    case Code::kTooFewSignatures:
      return "too_few_signatures";
    case Code::kExpired:
      return "expired";
    case Code::kDowngrade:
      return "downgrade";
    case Code::kWrongModel:
      return "wrong_model";
    case Code::kHashMismatch:
      return "hash_mismatch";
    case Code::kLengthMismatch:
      return "length_mismatch";
    case Code::kNetwork:
      return "network";
    case Code::kServer:
      return "server";
    case Code::kInstall:
      return "install";
    case Code::kHealthCheck:
      return "health_check";
    case Code::kBootFailed:
      return "boot_failed";
    case Code::kCanceled:
      return "canceled";
    case Code::kTooSlow:
      return "too_slow";
    case Code::kVersionReused:
      return "version_reused";
    case Code::kWrongState:
      return "wrong_state";
    case Code::kLocked:
      return "locked";
    case Code::kForbidden:
      return "forbidden";
    case Code::kGone:
      return "gone";
    case Code::kTooManyRequests:
      return "too_many_requests";
    case Code::kTooLarge:
      return "too_large";
    case Code::kMethodNotAllowed:
      return "method_not_allowed";
    case Code::kTwoPersonRule:
      return "two_person_rule";
    case Code::kReleaseStopped:
      return "release_stopped";
    case Code::kCertificateRevoked:
      return "certificate_revoked";
    case Code::kCertificateInvalid:
      return "certificate_invalid";
    case Code::kRootNotNext:
      return "root_not_next";
    case Code::kRootUntrusted:
      return "root_untrusted";
    case Code::kSequenceReplayed:
      return "sequence_replayed";
    case Code::kKeyRevoked:
      return "key_revoked";
    case Code::kWeakPassword:
      return "weak_password";
    case Code::kTotpRequired:
      return "totp_required";
    case Code::kTotpWrong:
      return "totp_wrong";
    case Code::kTotpEnrolRequired:
      return "totp_enrol_required";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string s = std::string(code_name(code)) + " (" + std::to_string(static_cast<int>(code)) +
                  "): " + message;
  if (!context.empty()) s += " [" + context + "]";
  return s;
}

}  // namespace posfleet
