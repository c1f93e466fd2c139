// posfleet server: the store's onboarding area: applications for terminals, applicants' phone
// codes, activation codes. One part of store::Store (store.h); records are in records.h.
// Thread-safety: all methods may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/store/records.h"

namespace posfleet::store {

class OnboardingStore {
 public:
  virtual ~OnboardingStore() = default;

  // Applications for terminals, applicants' phone codes, activation codes.
  // insert_application: kConflict if the same resident ID has an application
  // that is not rejected.
  virtual Expected<std::int64_t> insert_application(const ApplicationRecord& a) = 0;
  virtual Expected<ApplicationRecord> application(std::int64_t id) = 0;
  virtual Expected<ApplicationRecord> application_by_number(const std::string& number) = 0;
  // Newest first; with `org_path`, only those of that organisation's subtree.
  virtual Expected<std::vector<ApplicationRecord>> list_applications(
      const std::string& status, std::int64_t offset, std::int64_t limit,
      const std::string& org_path) = 0;
  // Writes `a` (its organisation too) if the stored status is still `expected_status`; false if it
  // changed meanwhile (another step got there first).
  virtual Expected<bool> update_application(const ApplicationRecord& a,
                                            const std::string& expected_status) = 0;
  virtual Expected<std::int64_t> insert_phone_code(const PhoneCodeRecord& c) = 0;
  virtual Expected<PhoneCodeRecord> phone_code(std::int64_t id) = 0;
  virtual Expected<std::int64_t> count_phone_codes_since(const std::string& phone,
                                                         std::int64_t since) = 0;

  // Atomically counts one try of an open code (not verified, fewer than
  // max_tries, not expired); false if no try is left.
  virtual Expected<bool> take_phone_code_try(std::int64_t id, int max_tries, std::int64_t now) = 0;
  virtual Status mark_phone_code_verified(std::int64_t id) = 0;

  // Atomically marks a verified, unused code used; false if it was not.
  virtual Expected<bool> use_phone_code(std::int64_t id, const std::string& phone) = 0;
  virtual Expected<std::int64_t> insert_activation(const ActivationRecord& a) = 0;
  virtual Expected<std::vector<ActivationRecord>> activations_of(std::int64_t application_id) = 0;
  virtual Expected<ActivationRecord> activation_by_hash(
      const std::string& code_hash) = 0;  // kNotFound if none
  // Atomically marks an unused, unexpired code used at `now`; false if it was used or expired.
  virtual Expected<bool> use_activation(std::int64_t id, std::int64_t now) = 0;

  // Marks the serial's unused codes of the application replaced (used = -1).
  virtual Status replace_activations(std::int64_t application_id, const std::string& serial) = 0;
};

}  // namespace posfleet::store
