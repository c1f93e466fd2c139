// posfleet core: the error type every module returns across its boundary.
//
// Expected<T> holds either a value or an Error. Error carries a stable numeric
// Code (it travels to the server in DDI feedback, so numbers never change
// meaning), a message a person can act on, and context added on the way up.
// Thread-safety: plain values; no shared state.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace posfleet {

// Stable error codes. Append only; never renumber.
enum class Code : int {
  kOk = 0,
  kInvalidArgument = 1,
  kNotFound = 2,
  kIo = 3,
  kParse = 4,
  kConflict = 5,
  kUnauthorized = 6,
  kUnavailable = 7,
  kInternal = 9,
  // Release verification on the terminal (PRODUCT.md, "Releases are signed end to end").
  kBadSignature = 10,
  kUnknownKey = 11,
  kTooFewSignatures = 12,
  kExpired = 13,
  kDowngrade = 14,
  kWrongModel = 15,
  kHashMismatch = 16,
  kLengthMismatch = 17,
  // Transport and update steps.
  kNetwork = 20,
  kServer = 21,
  kInstall = 30,
  kHealthCheck = 31,
  kBootFailed = 32,
  kCanceled = 33,
  kTooSlow = 34,        // a download stayed below the minimum rate, or past its deadline
  kVersionReused = 35,  // the same version number with other content (release or component)
  // Refusals of the server's APIs; kConflict is only "exists already" or "lost a race".
  kWrongState = 36,        // the thing is not in a state that allows this (retired, closed, …)
  kLocked = 37,            // an administrator's lock forbids it
  kForbidden = 38,         // the caller may not do this (role, CSRF token)
  kGone = 39,              // it existed but is used up or has ended
  kTooManyRequests = 40,   // a rate limit or quota; come back later
  kTooLarge = 41,          // a body or field larger than its limit
  kMethodNotAllowed = 42,  // the path exists, the method does not
  // Staged rollouts (server/domain/rollouts): 50–53.
  kTwoPersonRule = 50,   // the rollout's creator approves its wave; someone else must
  kReleaseStopped = 51,  // the kill switch stopped the release: no new deployment or rollout
  // Device identity (55-59).
  kCertificateRevoked = 55,  // a terminal's client certificate was revoked
  kCertificateInvalid = 56,  // a CSR or certificate that cannot be used (format, key, signature)
  // The rotatable root of trust (docs/formats/root.md).
  kRootNotNext = 60,       // a root whose version is not exactly the trusted one + 1
  kRootUntrusted = 61,     // a root not signed by a threshold of the old and of its own root keys
  kSequenceReplayed = 62,  // a release whose sequence is below one the terminal already accepted
  kKeyRevoked = 63,        // a pending release no longer verifies under a newer root
  // Back-office accounts (accounts.h): 65–69.
  kWeakPassword = 65,       // a new password breaks the password policy
  kTotpRequired = 66,       // the password is right; now the authenticator app's code
  kTotpWrong = 67,          // the code is wrong, or was used already
  kTotpEnrolRequired = 68,  // an administrator must set up TOTP before anything else
};

// Short stable name of a code, e.g. "bad_signature"; used in logs and feedback.
const char* code_name(Code code);

struct Error {
  Code code = Code::kInternal;
  std::string message;  // what happened and what to do
  std::string context;  // where, innermost last: "verify: component os"

  // Returns a copy with `where` prepended to the context.
  Error with_context(const std::string& where) const {
    Error e = *this;
    e.context = context.empty() ? where : where + ": " + context;
    return e;
  }
  std::string to_string() const;
};

inline Error make_error(Code code, std::string message) {
  return Error{code, std::move(message), {}};
}

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Expected(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Expected<void>: success carries nothing.
struct Unit {};
using Status = Expected<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace posfleet
