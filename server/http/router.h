// posfleet server: maps method + path pattern to a handler.
//
// Patterns are '/'-separated; a segment "{name}" matches any one non-empty
// segment and is stored in Request::params. Routes marked kBlocking may touch
// the disk for longer than a query (uploads, publishing) and are run by the
// listener on a worker pool instead of the network threads.
// Thread-safety: build fully before serving; matching is read-only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "server/http/message.h"

namespace posfleet::http {

using Handler = std::function<Response(Request&)>;
enum class Work { kQuick, kBlocking };

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, Work work = Work::kQuick);

  struct Match {
    const Handler* handler = nullptr;
    Work work = Work::kQuick;
    bool path_known = false;  // a route exists for the path, with another method
  };
  // Fills req.params on success.
  Match match(Request& req) const;
  // Answers a GET that no route matches (the console's files).
  void set_fallback(Handler handler) { fallback_ = std::move(handler); }

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
    Work work;
  };
  std::vector<Route> routes_;
  Handler fallback_;
};

std::vector<std::string> split_path(const std::string& path);

}  // namespace posfleet::http
