// posfleet server: the store's device identity area: the certificates the
// device CA issued to terminals (serial ↔ fingerprint, when issued, until
// when, revoked when and why) and the fleet's device authentication setting.
// One part of store::Store (store.h). Thread-safety: all methods may be called
// from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace posfleet::store {

struct DeviceCertRecord {
  std::int64_t id = 0;
  std::int64_t terminal_id = 0;
  std::string fingerprint;                 // SHA-256 of the DER certificate, lower-case hex
  std::string cert_serial;                 // the certificate's serial number, upper-case hex
  std::int64_t issued = 0, not_after = 0;  // unix seconds
  std::int64_t revoked = 0;                // when it was revoked; 0 = not revoked
  std::string revoked_reason;
};

class DeviceStore {
 public:
  virtual ~DeviceStore() = default;

  // kConflict if the fingerprint is on record already.
  virtual Expected<std::int64_t> insert_device_cert(const DeviceCertRecord& c) = 0;
  virtual Expected<DeviceCertRecord> device_cert_by_fingerprint(
      const std::string& fingerprint) = 0;  // kNotFound
  // Newest first.
  virtual Expected<std::vector<DeviceCertRecord>> device_certs_of(std::int64_t terminal_id) = 0;
  // Revokes every certificate of the terminal not revoked yet; how many.
  virtual Expected<std::int64_t> revoke_device_certs(std::int64_t terminal_id, std::int64_t now,
                                                     const std::string& reason) = 0;

  // Whether a terminal that authenticates by certificate must still send its
  // DDI token (true until an administrator says otherwise).
  virtual Expected<bool> device_token_required() = 0;
  virtual Status set_device_token_required(bool required) = 0;
};

}  // namespace posfleet::store
