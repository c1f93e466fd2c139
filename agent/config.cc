#include "agent/config.h"

#include <boost/json.hpp>
#include <filesystem>
#include <tuple>

#include "core/fs.h"
#include "core/json.h"

namespace posfleet::agent {

Expected<TlsClientOptions> transport_options(const boost::json::object& o,
                                             const std::string& path) {
  const auto base = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    return std::filesystem::path(p).is_absolute() || base.empty() ? p : (base / p).string();
  };
  TlsClientOptions tls;
  for (auto [key, out] : {std::pair{"ca_bundle", &tls.ca_bundle},
                          {"client_cert", &tls.client_cert},
                          {"client_key", &tls.client_key}}) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) continue;
    if (!v->is_string() || v->get_string().empty() || v->get_string().size() > 4096)
      return make_error(Code::kInvalidArgument,
                        "config " + path + ": \"" + key + "\" must be the path of a PEM file");
    *out = resolve(std::string(v->get_string()));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*out, ec))
      return make_error(Code::kInvalidArgument, "config " + path + ": \"" + key + "\" names " +
                                                    *out + ", which is not a readable file");
  }
  if (tls.client_cert.empty() != tls.client_key.empty())
    return make_error(Code::kInvalidArgument,
                      "config " + path +
                          ": \"client_cert\" and \"client_key\" go together (this terminal's "
                          "certificate and its private key); give both or neither");
  if (const auto* v = o.if_contains("allow_plain_http"); v && !v->is_null()) {
    if (!v->is_bool())
      return make_error(Code::kInvalidArgument,
                        "config " + path + ": \"allow_plain_http\" must be true or false");
    tls.allow_plain_http = v->get_bool();
  }
  const std::string server = json::string_or(o, "server", "");
  if (auto s = check_url_scheme(server, tls); !s)
    return make_error(s.error().code, "config " + path + ": \"server\": " + s.error().message);
  return tls;
}

Expected<Config> Config::load(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto v = json::parse(*text);
  if (!v || !v->is_object())
    return make_error(Code::kParse, "config " + path + " is not a JSON object");
  const auto& o = v->get_object();
  const auto base = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    return std::filesystem::path(p).is_absolute() || base.empty() ? p : (base / p).string();
  };
  Config c;
  c.token = json::string_or(o, "token", "");  // empty until `posfleet-agent enroll`
  if (c.token.empty())
    return make_error(Code::kInvalidArgument,
                      "config " + path +
                          " has no \"token\": this terminal is not enrolled "
                          "yet; run `posfleet-agent enroll CODE` with the code shipped with it");
  for (auto [key, out] : {std::pair{"server", &c.server},
                          {"terminal", &c.terminal},
                          {"model", &c.model},
                          {"device_dir", &c.device_dir}}) {
    auto s = json::get_string(o, key);
    if (!s || s->empty())
      return make_error(Code::kInvalidArgument, "config " + path + ": \"" + key + "\" is required");
    *out = *s;
  }
  c.device_dir = resolve(c.device_dir);
  auto tls = transport_options(o, path);
  if (!tls) return tls.error();
  c.tls = std::move(*tls);
  c.tenant = json::string_or(o, "tenant", c.tenant);
  c.factory_version = json::string_or(o, "factory_version", c.factory_version);
  if (auto n = json::get_int(o, "threshold"); n) c.threshold = static_cast<int>(*n);
  if (auto n = json::get_int(o, "max_boot_attempts"); n) c.max_boot_attempts = static_cast<int>(*n);
  if (auto n = json::get_int(o, "download_rate_limit"); n)
    c.download_rate_limit = static_cast<std::uint64_t>(*n);
  if (auto n = json::get_int(o, "max_poll_seconds"); n) c.max_poll_seconds = static_cast<int>(*n);
  if (auto n = json::get_int(o, "min_battery_percent"); n)
    c.min_battery_percent = static_cast<int>(*n);
  if (auto n = json::get_int(o, "precheck_retry_seconds"); n)
    c.precheck_retry_seconds = std::max<int>(1, static_cast<int>(*n));
  for (auto [key, out, least] :
       {std::tuple{"download_max_failures", &c.download_max_failures, 1},
        {"download_max_hours", &c.download_max_hours, 1},
        {"download_retry_seconds", &c.download_retry_seconds, 1},
        {"download_rate_window_seconds", &c.download_rate_window_seconds, 1}})
    if (auto n = json::get_int(o, key); n) {
      if (*n < least || *n > 1'000'000)
        return make_error(Code::kInvalidArgument, "config " + path + ": \"" + key +
                                                      "\" must be between " +
                                                      std::to_string(least) + " and 1000000");
      *out = static_cast<int>(*n);
    }
  if (auto n = json::get_int(o, "download_min_rate"); n)  // 0 turns the floor off
    c.download_min_rate = static_cast<std::uint64_t>(std::max<std::int64_t>(0, *n));
  if (auto root_path = json::optional_string(o, "root", ""); !root_path) {
    return root_path.error().with_context("config " + path);
  } else if (!root_path->empty()) {
    auto rt = read_file(resolve(*root_path));
    if (!rt) return rt.error().with_context("config \"root\"");
    auto root = SignedRoot::parse(*rt);
    if (!root) return root.error().with_context("config \"root\" " + *root_path);
    if (auto s = check_self_signed(*root); !s)
      return s.error().with_context("config \"root\" " + *root_path);
    c.root = std::move(*root);
  }
  auto keys = json::get_array(o, "trusted_keys");
  if (!c.root && (!keys || (*keys)->empty()))
    return make_error(Code::kInvalidArgument,
                      "config " + path +
                          ": \"trusted_keys\" must list at least one .pub file (or give \"root\")");
  if (keys)
    for (const auto& k : **keys) {
      if (!k.is_string())
        return make_error(Code::kInvalidArgument, "config: trusted_keys are file paths");
      auto kt = read_file(resolve(std::string(k.get_string())));
      if (!kt) return kt.error().with_context("trusted key");
      auto pk = parse_public_key(*kt);
      if (!pk) return pk.error().with_context(std::string(k.get_string()));
      c.trusted_keys.push_back(*pk);
    }
  if (!c.root && (c.threshold < 1 || c.threshold > static_cast<int>(c.trusted_keys.size())))
    return make_error(Code::kInvalidArgument,
                      "config: threshold must be between 1 and the number of trusted keys");
  if (c.max_boot_attempts < 1)
    return make_error(Code::kInvalidArgument, "config: max_boot_attempts must be at least 1");
  return c;
}

}  // namespace posfleet::agent
