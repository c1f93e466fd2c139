// posfleet server: the web console's files (console/dist) at "/".
//
// GET of a path that no route claims: the file under the root if it exists,
// else index.html (the console routes in the browser). ".." never leaves the
// root. Assets with hashed names are cacheable for a year; index.html never.
// Thread-safety: stateless after construction.
#pragma once

#include <string>

#include "server/http/message.h"

namespace posfleet::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  bool available() const;
  Response serve(const Request& req) const;

 private:
  std::string root_;
};

}  // namespace posfleet::http
