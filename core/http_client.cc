#include "core/http_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>

#include "core/json.h"
#include "core/text.h"

namespace posfleet {

namespace {

// A reply's body, refused past `cap` bytes (0: no cap).
struct BodySink {
  std::string* out;
  std::size_t cap = 0;
  bool over = false;
};

size_t append_body(char* data, size_t size, size_t n, void* user) {
  auto* b = static_cast<BodySink*>(user);
  if (b->cap && b->out->size() + size * n > b->cap) {
    b->over = true;
    return 0;  // aborts the transfer
  }
  b->out->append(data, size * n);
  return size * n;
}

size_t collect_header(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  if (colon != std::string::npos && headers->size() < 100) {  // a reply's headers are bounded too
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*headers)[name] = value;
  }
  return size * n;
}

struct Slist {
  curl_slist* list = nullptr;
  ~Slist() { curl_slist_free_all(list); }
  void add(const std::string& s) { list = curl_slist_append(list, s.c_str()); }
};

struct Sink {
  CURL* curl = nullptr;
  int fd = -1;
  std::uint64_t offset = 0;   // bytes in the file when the transfer started
  std::uint64_t written = 0;  // bytes written by this transfer
  std::uint64_t expected = 0;
  bool too_long = false;
  bool checked_status = false;
  int write_errno = 0;
  std::function<void(const DownloadProgress&)> progress;
  std::function<bool()> should_stop;
  bool stopped = false;
  std::chrono::steady_clock::time_point last_stop_check{};
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_report{};
  std::uint64_t max_rate = 0;  // bytes per second, 0: unlimited
  // The floor: bytes written when the current window began, and the deadline.
  std::uint64_t min_rate = 0;
  std::chrono::seconds window{60};
  std::chrono::steady_clock::time_point window_start = start;
  std::uint64_t window_bytes = 0;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string too_slow;  // why the transfer was cut off for slowness, "" if it was not
};

// Cuts off a sender below the floor over a whole window, or past the deadline.
bool below_floor(Sink& s, std::chrono::steady_clock::time_point now) {
  if (s.min_rate == 0) return false;
  if (now >= s.deadline) {
    s.too_slow =
        "did not finish within the " +
        std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(s.deadline - s.start).count()) +
        " s its signed length allows at " + std::to_string(s.min_rate) + " bytes/s";
    return true;
  }
  if (now - s.window_start < s.window) return false;
  const double secs = std::chrono::duration<double>(now - s.window_start).count();
  const std::uint64_t got = s.written - s.window_bytes;
  if (static_cast<double>(got) < static_cast<double>(s.min_rate) * secs) {
    s.too_slow = "sent " + std::to_string(got) + " bytes in " +
                 std::to_string(static_cast<int>(secs)) + " s, below the minimum of " +
                 std::to_string(s.min_rate) + " bytes/s";
    return true;
  }
  s.window_start = now;
  s.window_bytes = s.written;
  return false;
}

// Holds the transfer to `max_rate` by sleeping in the write callback, which
// stops reading the socket and so slows the sender through TCP. libcurl's own
// limit (CURLOPT_MAX_RECV_SPEED_LARGE) averages over at least three seconds,
// so a transfer of a few seconds' worth arrived at full speed.
void pace(const Sink& s) {
  if (s.max_rate == 0) return;
  const double due = static_cast<double>(s.written) / static_cast<double>(s.max_rate);
  const double spent =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - s.start).count();
  if (due > spent)
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(due - spent, 1.0)));
}

size_t write_file(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  const size_t len = size * n;
  if (!s->checked_status) {
    s->checked_status = true;
    long code = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code == 200 && s->offset > 0) {  // the server ignored our Range: start over
      if (::ftruncate(s->fd, 0) != 0) {
        s->write_errno = errno;
        return 0;
      }
      ::lseek(s->fd, 0, SEEK_SET);
      s->offset = 0;
    } else if (code != 200 && code != 206) {
      return len;  // an error body; discarded, the status tells the caller
    }
  }
  long code = 0;
  curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
  if (code != 200 && code != 206) return len;
  if (s->offset + s->written + len > s->expected) {
    s->too_long = true;
    return 0;  // aborts the transfer
  }
  const char* p = data;
  size_t left = len;
  while (left > 0) {
    ssize_t w = ::write(s->fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      s->write_errno = errno;
      return 0;
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  s->written += len;
  pace(*s);
  if (s->progress) {
    auto now = std::chrono::steady_clock::now();
    if (now - s->last_report > std::chrono::milliseconds(250) ||
        s->offset + s->written == s->expected) {
      s->last_report = now;
      double secs = std::chrono::duration<double>(now - s->start).count();
      s->progress({s->offset + s->written, s->expected, secs > 0 ? s->written / secs : 0});
    }
  }
  return len;
}

// libcurl's progress callback: called often while data flows and about once
// a second while none does, so it also keeps the rate floor.
int check_stop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* s = static_cast<Sink*>(user);
  auto now = std::chrono::steady_clock::now();
  if (below_floor(*s, now)) return 1;  // non-zero aborts the transfer
  if (!s->should_stop) return 0;
  if (now - s->last_stop_check < std::chrono::seconds(1)) return 0;
  s->last_stop_check = now;
  s->stopped = s->should_stop();
  return s->stopped ? 1 : 0;  // non-zero aborts the transfer
}

}  // namespace

void HttpClient::global_init() { curl_global_init(CURL_GLOBAL_DEFAULT); }

CurlHttpClient::CurlHttpClient(std::string base_url, std::vector<std::string> headers,
                               TlsClientOptions tls)
    : base_(std::move(base_url)),
      tls_(std::move(tls)),
      headers_(std::move(headers)),
      curl_(curl_easy_init()) {
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

Status check_url_scheme(const std::string& url, const TlsClientOptions& tls) {
  auto starts = [&](const char* prefix) {
    const std::string_view p(prefix);
    if (url.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != p[i]) return false;
    return true;
  };
  if (starts("https://")) return ok_status();
  if (starts("http://")) {
    if (tls.allow_plain_http) return ok_status();
    return make_error(Code::kInvalidArgument,
                      "refusing plain HTTP to " + text::safe_echo(url, 120) +
                          ": without TLS anyone on the network can read and change what is "
                          "sent; use the server's https:// address (and " +
                          tls.ca_bundle_name + " for its CA), or set " + tls.allow_plain_name +
                          " for development only");
  }
  return make_error(Code::kInvalidArgument,
                    "\"" + text::safe_echo(url, 120) + "\" is not an https:// (or http://) URL");
}

Status CurlHttpClient::prepare(const std::string& url) {
  if (auto s = check_url_scheme(url, tls_); !s) return s;
  CURL* c = static_cast<CURL*>(curl_);
  error_buffer_[0] = '\0';
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer_);
  // No other protocol, ever, and none through a redirect (they are not followed anyway).
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, tls_.allow_plain_http ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(c, CURLOPT_SSL_CIPHER_LIST,
                   "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                   "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                   "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!tls_.ca_bundle.empty()) {
    // Pinned: this bundle only, not also the system's CA directory.
    curl_easy_setopt(c, CURLOPT_CAINFO, tls_.ca_bundle.c_str());
    curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
  }
  if (!tls_.client_cert.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, tls_.client_cert.c_str());
    curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(c, CURLOPT_SSLKEY,
                     (tls_.client_key.empty() ? tls_.client_cert : tls_.client_key).c_str());
    curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  }
  return ok_status();
}

Error CurlHttpClient::transfer_error(int curl_code, const std::string& what,
                                     const std::string& hint) const {
  const auto rc = static_cast<CURLcode>(curl_code);
  const std::string detail =
      error_buffer_[0] ? text::safe_echo(error_buffer_, 200) : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
      return make_error(
          Code::kUnauthorized,
          what + ": the server's TLS certificate is not trusted (" + detail + "); " +
              (tls_.ca_bundle.empty()
                   ? "set " + tls_.ca_bundle_name + " to the CA that issued it"
                   : "check that " + tls_.ca_bundle_name + " (" + tls_.ca_bundle +
                         ") is the CA that issued it and that the URL names the host on it"));
    case CURLE_SSL_CACERT_BADFILE:
      return make_error(Code::kInvalidArgument, what + ": cannot read the CA bundle " +
                                                    tls_.ca_bundle + " (" + detail + "); set " +
                                                    tls_.ca_bundle_name + " to a PEM file");
    case CURLE_SSL_CERTPROBLEM:
      return make_error(Code::kInvalidArgument,
                        what + ": the client certificate " + tls_.client_cert + " or its key " +
                            tls_.client_key + " cannot be used (" + detail +
                            "); check client_cert and client_key name a PEM certificate and its "
                            "key");
    case CURLE_SSL_CONNECT_ERROR:
      return make_error(Code::kNetwork,
                        what + ": the TLS handshake failed (" + detail +
                            "); is it the server's https:// address, and does it speak TLS 1.2 "
                            "or 1.3?");
    case CURLE_UNSUPPORTED_PROTOCOL:
      return make_error(Code::kInvalidArgument, what + ": " + detail + "; use an https:// address");
    default:
      return make_error(Code::kNetwork, what + " failed: " + detail + hint);
  }
}

CurlHttpClient::~CurlHttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

std::string CurlHttpClient::url_for(const std::string& path) const {
  return path.rfind("http", 0) == 0 ? path : base_ + path;
}

namespace {
// What every JSON request and upload sets: URL, headers, no signals, and the
// reply's body and headers collected into `r`.
void common_setup(CURL* c, const std::string& url, curl_slist* headers, HttpResult& r,
                  BodySink& body) {
  body.out = &r.body;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
}
}  // namespace

Expected<HttpResult> CurlHttpClient::request(const std::string& method, const std::string& path,
                                             const std::string& body,
                                             const std::string& content_type) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  retry_after_ = 0;
  HttpResult r;
  Slist hdrs;
  for (const auto& h : headers_) hdrs.add(h);
  hdrs.add("Accept: application/json");
  if (!body.empty() || method == "POST" || method == "PUT")
    hdrs.add("Content-Type: " + content_type);
  const std::string url = url_for(path);
  if (auto s = prepare(url); !s) return s.error();
  BodySink sink{nullptr, max_reply_bytes};
  common_setup(c, url, hdrs.list, r, sink);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout_seconds));
  if (method == "POST" || method == "PUT" || !body.empty()) {  // DELETE may carry a reason
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  CURLcode rc = curl_easy_perform(c);
  if (sink.over)
    return make_error(Code::kServer, method + " " + url + ": the reply is larger than the " +
                                         std::to_string(max_reply_bytes) +
                                         " bytes allowed; refused");
  if (rc != CURLE_OK)
    return transfer_error(rc, method + " " + url, " (is the server running and the URL right?)");
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  retry_after_ = retry_after_of(r.status, r.headers);
  return r;
}

Expected<HttpResult> CurlHttpClient::put_file(const std::string& path, const std::string& file) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  const std::string url = url_for(path);
  if (auto s = prepare(url); !s) return s.error();
  FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return make_error(Code::kIo, "cannot open " + file + ": " + std::strerror(errno));
  struct stat st {};
  ::fstat(::fileno(f), &st);
  retry_after_ = 0;
  HttpResult r;
  Slist hdrs;
  for (const auto& h : headers_) hdrs.add(h);
  hdrs.add("Content-Type: application/octet-stream");
  hdrs.add("Expect:");
  BodySink sink{nullptr, max_reply_bytes};
  common_setup(c, url, hdrs.list, r, sink);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READDATA, f);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(st.st_size));
  CURLcode rc = curl_easy_perform(c);
  std::fclose(f);
  if (rc != CURLE_OK) return transfer_error(rc, "upload to " + url, "");
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

Expected<DownloadResult> CurlHttpClient::download(
    const std::string& url, const std::string& file, std::uint64_t expected_length,
    const std::function<void(const DownloadProgress&)>& progress, const DownloadLimits& limits,
    const std::function<bool()>& should_stop) {
  retry_after_ = 0;
  const std::string full = url_for(url);
  if (auto s = check_url_scheme(full, tls_); !s) return s.error();
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(Code::kIo, "cannot open " + file + ": " + std::strerror(errno));
  struct stat st {};
  ::fstat(fd, &st);
  auto have = static_cast<std::uint64_t>(st.st_size);
  if (have > expected_length) {  // cannot be a prefix of the right file
    if (::ftruncate(fd, 0) != 0) {
      ::close(fd);
      return make_error(Code::kIo, "cannot truncate " + file);
    }
    have = 0;
  }
  DownloadResult result;
  result.resumed_from = have;
  if (have == expected_length) {
    ::close(fd);
    result.status = 206;
    return result;
  }
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  Slist hdrs;
  for (const auto& h : headers_) hdrs.add(h);
  hdrs.add("Accept: application/octet-stream");
  Sink sink;
  sink.curl = c;
  sink.fd = fd;
  sink.offset = have;
  sink.expected = expected_length;
  sink.progress = progress;
  sink.should_stop = should_stop;
  sink.last_stop_check = std::chrono::steady_clock::now();
  if (auto s = prepare(full); !s) {
    ::close(fd);
    return s.error();
  }
  curl_easy_setopt(c, CURLOPT_URL, full.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs.list);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  // A stalled transfer is always given up after 60 s below 1 byte/s; the
  // floor in check_stop() is the real bound when a minimum rate is set.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  if (have > 0) curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(have));
  sink.max_rate = limits.max_rate;
  sink.min_rate =
      limits.max_rate > 0 ? std::min(limits.min_rate, limits.max_rate / 2) : limits.min_rate;
  sink.window = std::chrono::seconds(std::max(1, limits.window_seconds));
  sink.window_start = sink.start;
  if (sink.min_rate > 0)
    sink.deadline =
        sink.start + sink.window + std::chrono::seconds((expected_length - have) / sink.min_rate);
  if (limits.max_rate > 0)  // chunks of at most ~1/4 s, so that pace() sleeps in small steps
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE,
                     static_cast<long>(std::clamp<std::uint64_t>(limits.max_rate / 4, 1024,
                                                                 CURL_MAX_WRITE_SIZE)));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_file);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  std::map<std::string, std::string> reply_headers;
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply_headers);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_stop);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &sink);
  CURLcode rc = curl_easy_perform(c);
  ::close(fd);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  result.resumed_from = sink.offset;
  result.fetched = sink.written;
  if (sink.too_long)
    return make_error(Code::kLengthMismatch,
                      "server sent more than the " + std::to_string(expected_length) +
                          " bytes the signed manifest allows; download refused");
  if (!sink.too_slow.empty())
    return make_error(Code::kTooSlow, "download of " + full + " cut off: the server " +
                                          sink.too_slow + "; it resumes from byte " +
                                          std::to_string(sink.offset + sink.written));
  if (sink.stopped)
    return make_error(Code::kCanceled,
                      "download stopped at byte " + std::to_string(sink.offset + sink.written));
  if (sink.write_errno)
    return make_error(Code::kIo, "cannot write " + file + ": " + std::strerror(sink.write_errno) +
                                     " (is the storage full?)");
  if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
    auto e = transfer_error(rc, "download of " + full, "");
    if (e.code != Code::kNetwork) return e;
    return make_error(Code::kNetwork,
                      "download of " + full + " interrupted: " + curl_easy_strerror(rc) +
                          "; it resumes from byte " + std::to_string(sink.offset + sink.written));
  }
  if (result.status == 429 || result.status == 503) {
    retry_after_ = retry_after_of(result.status, reply_headers);
    return make_error(Code::kUnavailable,
                      "download of " + full + ": the server is busy (HTTP " +
                          std::to_string(result.status) + ") and asks to retry after " +
                          std::to_string(retry_after_) + " s; it resumes from byte " +
                          std::to_string(sink.offset + sink.written));
  }
  if (result.status == 404 || result.status == 410)
    return make_error(Code::kNotFound, "download of " + full + " answered HTTP " +
                                           std::to_string(result.status) +
                                           ": the server does not have this file");
  if (result.status != 200 && result.status != 206)
    return make_error(Code::kServer,
                      "download of " + full + " answered HTTP " + std::to_string(result.status));
  return result;
}

Error http_error(const HttpResult& r, const std::string& what) {
  std::string message = "HTTP " + std::to_string(r.status);
  if (auto v = json::parse(r.body); v && v->is_object())
    if (auto* e = v->get_object().if_contains("error"); e && e->is_object())
      message = json::string_or(e->get_object(), "message", message);
  Code code = r.status == 404                      ? Code::kNotFound
              : r.status == 401 || r.status == 403 ? Code::kUnauthorized
              : r.status == 409                    ? Code::kConflict
              : r.status == 400                    ? Code::kInvalidArgument
              : r.status == 429 || r.status == 503 ? Code::kUnavailable
                                                   : Code::kServer;
  return make_error(code, what + ": " + message);
}

int retry_after_of(long status, const std::map<std::string, std::string>& headers) {
  constexpr long kMaxSeconds = 86400;  // a day: a wrong date must not park a terminal for good
  if (status != 429 && status != 503) return 0;
  auto it = headers.find("retry-after");
  if (it == headers.end() || it->second.empty()) return 0;
  const std::string& v = it->second;
  long seconds = 0;
  if (std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    seconds = v.size() > 6 ? kMaxSeconds : std::stol(v);
  } else {
    const time_t when = curl_getdate(v.c_str(), nullptr);  // an HTTP date
    if (when < 0) return 0;
    seconds = static_cast<long>(when - std::time(nullptr));
  }
  return static_cast<int>(std::clamp(seconds, 0L, kMaxSeconds));
}

}  // namespace posfleet
