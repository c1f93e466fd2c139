// posfleet agent: following the server's newer roots (docs/formats/root.md).
//
// The poll's posfleet extension carries "root_version", the newest root the
// server has. When it is above the trusted root, the agent fetches the roots
// in between one at a time and hands each to the trust store, which saves it
// before the next is fetched; the first refused root stops the walk (the
// terminal keeps what it reached). At most kMaxRootWalk roots per poll.
// Thread-safety: as the DdiClient and TrustStore it is given.
#pragma once

#include <cstdint>

#include <boost/json/object.hpp>

#include "agent/ddi/ddi_client.h"
#include "agent/trust/trust_store.h"
#include "core/result.h"

namespace posfleet::agent {

// Walks toward the poll extension's "root_version". Returns how many roots
// were taken, or the error that stopped the walk (roots taken before it stay).
Expected<int> follow_roots(DdiClient& ddi, TrustStore& trust, const boost::json::object& ext);

}  // namespace posfleet::agent
