#include "server/api/request_text.h"

#include "core/health.h"
#include "core/limits.h"
#include "core/text.h"

namespace posfleet::api {

Status check_request_text(const http::Request& req) {
  for (const auto* map : {&req.query, &req.params}) {
    const char* what = map == &req.query ? "query parameter " : "path segment ";
    for (const auto& [name, value] : *map) {
      const std::string shown = what + text::safe_echo(name, 32);
      if (auto s = text::check_field(shown + " (its name)", name, 64); !s) return s;
      // A terminal's health report travels with its poll (docs/health.md); its own bound.
      const std::size_t max = name == "health" ? health::kMaxJsonBytes : limits::kQueryValueChars;
      if (auto s = text::check_field(shown, value, max); !s) return s;
    }
  }
  return ok_status();
}

}  // namespace posfleet::api
