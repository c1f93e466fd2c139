// posfleet core: small durable files.
//
// write_file_atomic() is how every piece of persisted state is written: the
// bytes go to a temporary file in the same directory, which is fsync'ed,
// renamed over the target, and the directory is fsync'ed, so after a power cut
// the file holds either the old or the new content, never a mix (LevelDB's
// SetCurrentFile does the same).
// Thread-safety: concurrent writers of one path are safe; the last rename wins.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace posfleet {

Status write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);
Expected<std::string> read_file(const std::string& path);
Status make_dirs(const std::string& path);
Status fsync_dir(const std::string& dir);

}  // namespace posfleet
