// posfleet core: a small blocking HTTP client, used by the CLI and the agent:
// the HttpClient interface and CurlHttpClient, its libcurl implementation.
//
// request() sends one request and returns status and body. download() fetches
// a URL into a file, resuming with a Range request from the bytes already in
// the file, and refuses to write past `expected_length` (a server that sends
// more than the manifest says is cut off, not believed). A server under load
// answers 429 or 503 with Retry-After; both calls then leave the seconds it
// asked for in retry_after_seconds(), so the caller can wait that long.
//
// TLS (CurlHttpClient): https:// URLs are verified against the pinned CA
// bundle when one is given (only it: not the system's CAs), else the system's;
// TLS 1.2 at least, AEAD ciphers with ECDHE for TLS 1.2; a client certificate
// and key are presented when given (mutual TLS). Every URL, the server's
// download links included, must be https:// unless plain HTTP is allowed;
// other schemes are refused always. An untrusted server certificate is
// kUnauthorized (the server did not prove who it is); a refused plain URL, a
// CA bundle or client certificate that cannot be read are kInvalidArgument
// (the configuration must change): each message says what to fix.
// Thread-safety: one client per thread; call HttpClient::global_init() once first.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet {

struct HttpResult {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-case
};

struct DownloadProgress {
  std::uint64_t have = 0;   // bytes in the file so far
  std::uint64_t total = 0;  // expected length
  double rate = 0;          // bytes per second, this transfer
};

// How fast a download may and must go. A server below `min_rate`, averaged
// over each `window_seconds`, is cut off, and so is a transfer still running
// `window_seconds` + remaining bytes / min_rate after it started: a trickle
// cannot hold a terminal. min_rate is held to at most half of max_rate.
struct DownloadLimits {
  std::uint64_t max_rate = 0;  // bytes per second, 0: unlimited
  std::uint64_t min_rate = 0;  // bytes per second, 0: only a 60 s stall (below 1 B/s) is cut off
  int window_seconds = 60;
};

struct DownloadResult {
  std::uint64_t resumed_from = 0;  // bytes that were already there
  std::uint64_t fetched = 0;       // bytes this call received
  long status = 0;
};

// The seam: the agent's DDI client and the CLI talk HTTP through this, so
// tests can answer in-process (FakeHttpClient, core/fake_http_client.h).
class HttpClient {
 public:
  // Call once, before any CurlHttpClient is made.
  static void global_init();
  virtual ~HttpClient() = default;

  // `path` is appended to the base URL unless it starts with "http".
  virtual Expected<HttpResult> request(const std::string& method, const std::string& path,
                                       const std::string& body = "",
                                       const std::string& content_type = "application/json") = 0;
  virtual Expected<HttpResult> put_file(const std::string& path, const std::string& file) = 0;

  // Errors: kLengthMismatch (server sent more than expected), kNetwork,
  // kUnavailable (429/503: the server is busy; see retry_after_seconds()),
  // kNotFound (404/410), kServer (another answer), kTooSlow (below
  // limits.min_rate or past its deadline), kCanceled (should_stop returned
  // true). The file keeps what arrived, for a resume.
  // should_stop is asked about once a second and may block briefly.
  virtual Expected<DownloadResult> download(
      const std::string& url, const std::string& file, std::uint64_t expected_length,
      const std::function<void(const DownloadProgress&)>& progress = {},
      const DownloadLimits& limits = {}, const std::function<bool()>& should_stop = {}) = 0;

  // Seconds the last answer of request() or download() asked to wait before
  // trying again: its Retry-After on a 429 or 503, else 0.
  virtual int retry_after_seconds() const = 0;

  int timeout_seconds = 30;
  // request() and put_file() refuse a reply body larger than this (kServer);
  // 0: no cap (the CLI's exports). A terminal sets one: its server is not trusted.
  std::size_t max_reply_bytes = 0;
};

// How a client reaches its server: what it trusts, what it presents.
struct TlsClientOptions {
  std::string ca_bundle;    // PEM CA certificate(s) the server's must chain to; empty: the system's
  std::string client_cert;  // PEM client certificate for mutual TLS; empty: none
  std::string client_key;   // its PEM private key
  bool allow_plain_http = false;  // http:// URLs are refused unless set (development only)
  // Which option names the messages use ("ca_bundle" in an agent's config,
  // "--ca-bundle" for the CLI), so that they say what to change.
  std::string ca_bundle_name = "ca_bundle";
  std::string allow_plain_name = "allow_plain_http";
};

// Whether `url` may be fetched: https://, or http:// when allowed. Errors:
// kInvalidArgument ("refusing plain HTTP ..." or not an http(s) URL).
Status check_url_scheme(const std::string& url, const TlsClientOptions& tls);

// HttpClient over libcurl.
class CurlHttpClient final : public HttpClient {
 public:
  // `headers` are sent with every request, e.g. {"Authorization: Bearer x"}.
  CurlHttpClient(std::string base_url, std::vector<std::string> headers, TlsClientOptions tls = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Expected<HttpResult> request(const std::string& method, const std::string& path,
                               const std::string& body = "",
                               const std::string& content_type = "application/json") override;
  Expected<HttpResult> put_file(const std::string& path, const std::string& file) override;
  Expected<DownloadResult> download(
      const std::string& url, const std::string& file, std::uint64_t expected_length,
      const std::function<void(const DownloadProgress&)>& progress = {},
      const DownloadLimits& limits = {}, const std::function<bool()>& should_stop = {}) override;
  int retry_after_seconds() const override { return retry_after_; }

 private:
  std::string url_for(const std::string& path) const;
  // The scheme check and the TLS options, set again after each curl_easy_reset.
  Status prepare(const std::string& url);
  // The error for a failed transfer: TLS failures say what to fix.
  Error transfer_error(int curl_code, const std::string& what, const std::string& hint) const;
  std::string base_;
  TlsClientOptions tls_;
  char error_buffer_[256] = {};
  std::vector<std::string> headers_;
  void* curl_;  // CURL*
  int retry_after_ = 0;
};

// Human-readable error from an HTTP error reply in posfleet's JSON error form.
// 429 and 503 give kUnavailable.
Error http_error(const HttpResult& r, const std::string& what);

// Seconds a 429 or 503 answer asks the client to wait: its Retry-After as
// delta-seconds or an HTTP date, at most a day; 0 for other answers or none.
int retry_after_of(long status, const std::map<std::string, std::string>& headers);

}  // namespace posfleet
