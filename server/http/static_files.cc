#include "server/http/static_files.h"

#include <filesystem>

namespace posfleet::http {

namespace fs = std::filesystem;

namespace {
const char* content_type(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}
}  // namespace

bool StaticFiles::available() const {
  std::error_code ec;
  return fs::is_regular_file(fs::path(root_) / "index.html", ec);
}

Response StaticFiles::serve(const Request& req) const {
  if (!available())
    return error_from(make_error(
        Code::kNotFound,
        "the console is not built; run scripts/build.sh (it runs npm ci and the Vite build)"));
  std::string rel = req.path;
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  fs::path file = fs::path(root_) / (rel.empty() ? "index.html" : rel);
  std::error_code ec;
  const bool inside = rel.find("..") == std::string::npos;
  if (!inside || !fs::is_regular_file(file, ec)) {
    // A missing file (a top-level name with an extension, or under assets/) is
    // not a page: index.html in its place would be cached or run as the wrong
    // type. (Deeper names may hold dots: /terminals/PF.001 is a page.)
    const bool top_level_file =
        rel.find('/') == std::string::npos && rel.find('.') != std::string::npos;
    if (inside && (rel.rfind("assets/", 0) == 0 || top_level_file))
      return error_from(make_error(Code::kNotFound, "no such file: " + printable(req.path)));
    file = fs::path(root_) / "index.html";
  }
  Response r;
  r.content_type = content_type(file);
  const auto size = fs::file_size(file, ec);
  if (ec) return error_from(make_error(Code::kInternal, "cannot read the console's files"));
  const bool hashed_asset = rel.rfind("assets/", 0) == 0 && file.filename() != "index.html";
  r.headers = {{"Cache-Control", hashed_asset ? "public, max-age=31536000, immutable" : "no-cache"},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "same-origin"}};
  if (file.filename() == "index.html")
    r.headers.push_back(
        {"Content-Security-Policy",
         "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
         "frame-ancestors 'none'"});
  r.file.emplace();
  r.file->path = file.string();
  r.file->length = size;
  return r;
}

}  // namespace posfleet::http
