// posfleet server: the names the server is reached by.
//
// valid_host() is the rule for a request's Host header (RFC 9110 7.2): a DNS
// name, an IPv4 address or a bracketed IPv6 address, with an optional port;
// nothing else (no user info, no path, no spaces, no second value). The
// listener answers 400 to a request with a malformed, missing (HTTP/1.1) or
// repeated Host.
//
// Links the server hands out (the DDI's download and feedback links) are never
// built from Host: they start with the external URL, posfleetd
// --external-url (e.g. https://fleet.example.com behind a TLS proxy), which
// parse_external_url() checks and normalizes.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet::http {

bool valid_host(std::string_view host);

// "http(s)://host[:port][/path]" without a trailing '/', query or fragment;
// the scheme and host in lower case.
Expected<std::string> parse_external_url(std::string_view url);
// posfleetd --artifact-base-url (where another web server serves --artifact-dir): the same rule,
// normalized to end in exactly one '/'.
Expected<std::string> parse_artifact_base_url(std::string_view url);

}  // namespace posfleet::http
