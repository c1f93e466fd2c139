#include "server/api/request_text.h"

#include "core/limits.h"
#include "core/text.h"

namespace posfleet::api {

Status check_request_text(const http::Request& req) {
  for (const auto* map : {&req.query, &req.params}) {
    const char* what = map == &req.query ? "query parameter " : "path segment ";
    for (const auto& [name, value] : *map) {
      const std::string shown = what + text::safe_echo(name, 32);
      if (auto s = text::check_field(shown + " (its name)", name, 64); !s) return s;
      if (auto s = text::check_field(shown, value, limits::kQueryValueChars); !s) return s;
    }
  }
  return ok_status();
}

}  // namespace posfleet::api
