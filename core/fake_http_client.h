// posfleet core, tests only: an HttpClient whose server is a script. Every
// request is kept; `on_request` answers it (unset: 404). A download calls
// `on_download`, which may write the file and return any result or error.
// Thread-safety: one thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/http_client.h"

namespace posfleet {

class FakeHttpClient final : public HttpClient {
 public:
  struct Sent {
    std::string method, path, body, content_type;
  };

  Expected<HttpResult> request(const std::string& method, const std::string& path,
                               const std::string& body = "",
                               const std::string& content_type = "application/json") override {
    sent.push_back({method, path, body, content_type});
    retry_after_ = 0;
    if (!on_request) return HttpResult{404, "", {}};
    auto r = on_request(sent.back());
    if (r) retry_after_ = retry_after_of(r->status, r->headers);
    return r;
  }
  Expected<HttpResult> put_file(const std::string& path, const std::string& file) override {
    return request("PUT", path, "@" + file, "application/octet-stream");
  }
  Expected<DownloadResult> download(const std::string& url, const std::string& file,
                                    std::uint64_t expected_length,
                                    const std::function<void(const DownloadProgress&)>& = {},
                                    const DownloadLimits& = {},
                                    const std::function<bool()>& should_stop = {}) override {
    downloads.push_back(url);
    if (should_stop && should_stop()) return make_error(Code::kCanceled, "stopped");
    if (on_download) return on_download(url, file, expected_length);
    return make_error(Code::kNotFound, "download of " + url + " answered HTTP 404");
  }
  int retry_after_seconds() const override { return retry_after_; }

  std::function<Expected<HttpResult>(const Sent&)> on_request;
  std::function<Expected<DownloadResult>(const std::string&, const std::string&, std::uint64_t)>
      on_download;
  std::vector<Sent> sent;
  std::vector<std::string> downloads;

 private:
  int retry_after_ = 0;
};

}  // namespace posfleet
