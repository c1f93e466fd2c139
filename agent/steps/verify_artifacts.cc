// Step: every downloaded file must have exactly the manifest's length and
// SHA-256. A mismatching file is deleted, so a later deployment starts clean.
#include <filesystem>

#include "agent/steps/steps.h"
#include "core/hashing.h"

namespace posfleet::agent {

Event verify_artifacts(UpdateContext& ctx) {
  for (const auto& a : ctx.record.artifacts) {
    const std::string path = ctx.part_path(a);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size != a.length) {
      std::filesystem::remove(path, ec);
      return ctx.fail(make_error(Code::kLengthMismatch, a.filename + " has " +
                                                            std::to_string(ec ? 0 : size) +
                                                            " bytes; the signed manifest says " +
                                                            std::to_string(a.length)));
    }
    auto sha = sha256_file(path);
    if (!sha) return ctx.fail(sha.error());
    if (*sha != a.sha256) {
      std::filesystem::remove(path, ec);
      return ctx.fail(make_error(
          Code::kHashMismatch, a.filename + " does not match the signed manifest's SHA-256 (got " +
                                   sha->substr(0, 16) + "…); it was altered or damaged"));
    }
  }
  return Event::kDone;
}

}  // namespace posfleet::agent
