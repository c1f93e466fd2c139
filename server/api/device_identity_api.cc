// posfleet server: management routes for terminals' certificates and the
// fleet's device authentication setting; each parses, calls one domain
// function (device_certs.h) and serializes. Permissions are declared where
// registered.
#include "server/api/device_identity_api.h"

#include <boost/json.hpp>

#include <algorithm>

#include "core/clock.h"
#include "core/json.h"
#include "server/api/api_common.h"

namespace posfleet::api {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded ('+' stays: nginx escapes it); nullopt for a broken escape.
std::optional<std::string> url_decode(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bj::object cert_json(const store::DeviceCertRecord& c) {
  return bj::object{{"fingerprint", c.fingerprint},      {"serial_number", c.cert_serial},
                    {"issued", format_utc(c.issued)},    {"not_after", format_utc(c.not_after)},
                    {"revoked", utc_or_null(c.revoked)}, {"revoked_reason", c.revoked_reason}};
}

Response list_certificates(domain::Context& ctx, Request& req, const Caller&) {
  auto certs = domain::device_certificates(ctx, req.param("serial"));
  if (!certs) return http::error_from(certs.error());
  bj::array out;
  for (const auto& c : *certs) out.push_back(cert_json(c));
  return http::json_response(
      200, bj::object{{"serial", req.param("serial")}, {"certificates", std::move(out)}});
}

Response revoke_certificates(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  auto n = domain::revoke_device_certificates(ctx, req.param("serial"),
                                              json::string_or(*body, "reason", ""), caller.actor());
  if (!n) return http::error_from(n.error());
  return http::json_response(200, bj::object{{"serial", req.param("serial")}, {"revoked", *n}});
}

Response get_device_auth(domain::Context& ctx, Request&, const Caller&) {
  auto r = domain::device_token_required(ctx);
  if (!r) return http::error_from(r.error());
  return http::json_response(
      200, bj::object{{"token_required", *r}, {"device_ca", ctx.device_ca != nullptr}});
}

Response put_device_auth(domain::Context& ctx, Request& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body) return http::error_from(body.error());
  const auto* v = body->if_contains("token_required");
  if (!v || !v->is_bool())
    return http::error_from(
        make_error(Code::kInvalidArgument, "send {\"token_required\": true or false}"));
  if (auto s = domain::set_device_token_required(
          ctx, v->get_bool(), json::string_or(*body, "reason", ""), caller.actor());
      !s)
    return http::error_from(s.error());
  return get_device_auth(ctx, req, caller);
}

}  // namespace

Expected<std::optional<domain::ClientCertificate>> client_certificate(domain::Context& ctx,
                                                                      Request& req) {
  const bool from_proxy = std::find(ctx.trusted_proxies.begin(), ctx.trusted_proxies.end(),
                                    req.remote) != ctx.trusted_proxies.end();
  if (from_proxy) {
    const std::string header = req.header("x-client-cert");
    if (!header.empty()) {
      auto bad = [](const std::string& why) {
        return make_error(Code::kCertificateInvalid,
                          "the proxy's X-Client-Cert header " + why +
                              " (it must be nginx's $ssl_client_escaped_cert)");
      };
      if (!ctx.device_ca) return bad("cannot be checked: this server has no device CA");
      if (header.size() > kMaxClientCertHeader) return bad("is too large");
      auto pem = url_decode(header);
      if (!pem) return bad("is not URL-encoded");
      auto facts = ctx.device_ca->verify(*pem, unix_now());
      if (!facts) return facts.error();
      req.peer_cert = http::PeerCertificate{facts->subject_cn, facts->sha256, facts->serial_hex,
                                            facts->not_after};
    }
  }
  if (!req.peer_cert) return std::optional<domain::ClientCertificate>();
  return std::optional<domain::ClientCertificate>(
      domain::ClientCertificate{req.peer_cert->subject_cn, req.peer_cert->sha256});
}

void add_device_identity_routes(http::Router& router, domain::Context& ctx) {
  using P = Permission;
  add_route(router, ctx, "GET", "/api/v1/terminals/{serial}/certificates", P::kRead,
            list_certificates);
  // Final, like retiring: administrators only.
  add_route(router, ctx, "POST", "/api/v1/terminals/{serial}/certificates/revoke", P::kAdmin,
            revoke_certificates);
  add_route(router, ctx, "GET", "/api/v1/fleet/device-auth", P::kRead, get_device_auth);
  add_route(router, ctx, "PUT", "/api/v1/fleet/device-auth", P::kAdmin, put_device_auth);
}

}  // namespace posfleet::api
