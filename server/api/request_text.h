// posfleet server: the check every route runs on the text of a request before
// its handler sees it — query parameters (names and values) and path
// parameters, percent-decoded and so any bytes at all. Used by api/ (every
// route, signed in or public) and ddi/ (every device route).
//
// Each must be valid UTF-8 without control characters (a NUL in ?q= is not a
// search) and at most limits::kQueryValueChars characters. The error names the
// parameter in a safe form and never quotes the bytes that were refused.
// Thread-safety: pure function.
#pragma once

#include "core/result.h"
#include "server/http/message.h"

namespace posfleet::api {

Status check_request_text(const http::Request& req);

}  // namespace posfleet::api
