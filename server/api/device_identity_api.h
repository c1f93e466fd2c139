// posfleet server: device identity over HTTP — which client certificate a
// request carries, and the management routes for terminals' certificates and
// the fleet's device authentication setting (domain/device_certs.h).
// Thread-safety: stateless; handlers run on any thread.
#pragma once

#include <optional>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/device_certs.h"
#include "server/http/router.h"

namespace posfleet::api {

// The largest X-Client-Cert header read (a URL-encoded PEM certificate).
inline constexpr std::size_t kMaxClientCertHeader = 3 * domain::kMaxCertBytes;

// The client certificate of a request: from a trusted proxy (posfleetd
// --trusted-proxy), its X-Client-Cert header (nginx $ssl_client_escaped_cert:
// URL-encoded PEM), verified against the device CA here and written into
// req.peer_cert; from any other peer the header is ignored and the TLS
// listener's verified peer_cert is used. None without either.
// kCertificateInvalid for a header that is there but not a valid certificate.
Expected<std::optional<domain::ClientCertificate>> client_certificate(domain::Context& ctx,
                                                                      http::Request& req);

void add_device_identity_routes(http::Router& router, domain::Context& ctx);

}  // namespace posfleet::api
