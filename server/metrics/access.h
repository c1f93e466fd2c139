// posfleet server: who may read GET /metrics.
//
// Metrics tell an outsider how big the fleet is and when it is busy, so the
// endpoint is closed by default to all but loopback. posfleetd
// --metrics-allow takes a comma-separated list of addresses and CIDR blocks
// (IPv4 and IPv6; "127.0.0.0/8,::1/128" by default; an IPv4-mapped IPv6 peer
// counts as its IPv4 address); --metrics-token-file adds a bearer token that
// a scraper must also send (Authorization: Bearer …, compared in constant
// time). The client's address is the connection's peer, or — when the peer
// is a --trusted-proxy — the one its X-Forwarded-For names, so that a proxy
// on loopback does not open the endpoint to the world.
// Thread-safety: immutable after construction.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace posfleet::metrics {

struct Cidr {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4
  int prefix = 0;
};

// "10.0.0.0/8", "192.0.2.7" (a /32), "::1", "fd00::/8"; kInvalidArgument
// naming the entry otherwise.
Expected<Cidr> parse_cidr(std::string_view text);
// A comma-separated list; empty entries are refused (an empty list would
// silently close the endpoint).
Expected<std::vector<Cidr>> parse_cidr_list(std::string_view text);
bool contains(const Cidr& block, std::string_view address);

class MetricsAccess {
 public:
  MetricsAccess(std::vector<Cidr> allow, std::string token)
      : allow_(std::move(allow)), token_(std::move(token)) {}
  // Reads a token file: its first line, trimmed; at least 16 characters.
  static Expected<std::string> read_token_file(const std::string& path);

  bool address_allowed(std::string_view address) const;
  bool token_required() const { return !token_.empty(); }
  // `authorization` is the request's Authorization header.
  bool token_matches(std::string_view authorization) const;

 private:
  std::vector<Cidr> allow_;
  std::string token_;
};

inline constexpr const char* kDefaultMetricsAllow = "127.0.0.0/8,::1/128";

}  // namespace posfleet::metrics
