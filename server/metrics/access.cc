#include "server/metrics/access.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include <charconv>
#include <cstring>

#include "core/fs.h"
#include "core/text.h"

namespace posfleet::metrics {
namespace {

// The address as 4 (IPv4, also from an IPv4-mapped IPv6 address) or 16 bytes.
bool parse_address(std::string_view text, bool& v6, std::array<std::uint8_t, 16>& out) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return false;
  const std::string s(text);
  out.fill(0);
  in_addr a4{};
  if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    v6 = false;
    std::memcpy(out.data(), &a4, 4);
    return true;
  }
  in6_addr a6{};
  if (::inet_pton(AF_INET6, s.c_str(), &a6) != 1) return false;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(&a6, kMapped, 12) == 0) {
    v6 = false;
    std::memcpy(out.data(), reinterpret_cast<const std::uint8_t*>(&a6) + 12, 4);
    return true;
  }
  v6 = true;
  std::memcpy(out.data(), &a6, 16);
  return true;
}

Error bad_entry(std::string_view text) {
  return make_error(Code::kInvalidArgument,
                    "--metrics-allow: \"" + text::safe_echo(text, 60) +
                        "\" is not an address or CIDR block (e.g. 10.0.0.0/8, ::1/128)");
}

}  // namespace

Expected<Cidr> parse_cidr(std::string_view text) {
  text = text::trim(text);
  Cidr c;
  const auto slash = text.find('/');
  if (!parse_address(text.substr(0, slash), c.v6, c.bytes)) return bad_entry(text);
  const int max = c.v6 ? 128 : 32;
  c.prefix = max;
  if (slash != std::string_view::npos) {
    const auto p = text.substr(slash + 1);
    int n = -1;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || n < 0 || n > max)
      return bad_entry(text);
    c.prefix = n;
  }
  return c;
}

Expected<std::vector<Cidr>> parse_cidr_list(std::string_view text) {
  std::vector<Cidr> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    auto c = parse_cidr(text.substr(pos, comma - pos));
    if (!c) return c.error();
    out.push_back(*c);
    if (out.size() > 256)
      return make_error(Code::kInvalidArgument, "--metrics-allow: at most 256 entries");
    pos = comma + 1;
  }
  return out;
}

bool contains(const Cidr& block, std::string_view address) {
  bool v6 = false;
  std::array<std::uint8_t, 16> a{};
  if (!parse_address(address, v6, a) || v6 != block.v6) return false;
  int bits = block.prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (block.bytes[i] & mask)) return false;
  }
  return true;
}

Expected<std::string> MetricsAccess::read_token_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error().with_context(path);
  std::string_view first(*text);
  first = first.substr(0, first.find('\n'));
  first = text::trim(first);
  if (first.size() < 16 || first.size() > 512 || !text::is_valid_utf8(first))
    return make_error(Code::kInvalidArgument,
                      "--metrics-token-file " + path +
                          ": the token (its first line) must be 16 to 512 characters; make one "
                          "with e.g. `openssl rand -hex 32`");
  return std::string(first);
}

bool MetricsAccess::address_allowed(std::string_view address) const {
  for (const auto& c : allow_)
    if (contains(c, address)) return true;
  return false;
}

bool MetricsAccess::token_matches(std::string_view authorization) const {
  if (token_.empty()) return true;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) return false;
  const auto given = authorization.substr(kBearer.size());
  if (given.size() != token_.size()) return false;
  return CRYPTO_memcmp(given.data(), token_.data(), token_.size()) == 0;
}

}  // namespace posfleet::metrics
