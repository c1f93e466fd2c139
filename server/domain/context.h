// posfleet server: what the domain layer works with. The domain knows no HTTP:
// handlers in ddi/ and api/ parse and authorize, then call into here.
#pragma once

#include <string>

#include "server/store/artifact_store.h"
#include "server/store/store.h"

namespace posfleet::domain {

struct Context {
  store::Store& store;
  store::ArtifactStore& artifacts;
  std::string tenant = "DEFAULT";
  int poll_seconds = 300;
};

}  // namespace posfleet::domain
