// posfleet server: the store's accounts area: back-office users, their sessions, and management API
// tokens. One part of store::Store (store.h); records are in records.h. Thread-safety: all methods
// may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/store/records.h"

namespace posfleet::store {

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Back-office users and their sessions.
  virtual Expected<std::int64_t> insert_user(
      const UserRecord& u) = 0;  // kConflict if the name exists
  virtual Expected<UserRecord> user_by_name(const std::string& name) = 0;
  virtual Expected<UserRecord> user_by_id(std::int64_t id) = 0;
  virtual Expected<std::vector<UserRecord>> list_users() = 0;
  virtual Status update_user(const UserRecord& u) = 0;
  virtual Status insert_session(const SessionRecord& s) = 0;
  // kUnauthorized if there is no such session (what the caller answers with).
  virtual Expected<SessionRecord> session(const std::string& token_hash) = 0;
  virtual Status touch_session(const std::string& token_hash, std::int64_t now) = 0;
  virtual Status delete_session(const std::string& token_hash) = 0;
  virtual Status delete_sessions_of(std::int64_t user_id) = 0;

  // Back-office settings by key (e.g. "totp_required_for_admins"); "" when never set.
  virtual Expected<std::string> account_setting(const std::string& key) = 0;
  virtual Status set_account_setting(const std::string& key, const std::string& value) = 0;

  // Management API tokens. api_token finds revoked ones too (the caller
  // refuses them), kUnauthorized if there is no such token; count_api_tokens counts revoked ones
  // too, so that a revoked bootstrap token is never created again at start-up.
  virtual Expected<std::int64_t> insert_api_token(const ApiTokenRecord& t) = 0;
  virtual Expected<ApiTokenRecord> api_token(const std::string& token_hash) = 0;
  virtual Expected<std::int64_t> count_api_tokens() = 0;
  virtual Expected<std::vector<ApiTokenRecord>> list_api_tokens() = 0;
  virtual Status touch_api_token(std::int64_t id, std::int64_t now) = 0;

  // Marks a valid token revoked at `now`; false if there is no valid token `id`.
  virtual Expected<bool> revoke_api_token(std::int64_t id, std::int64_t now) = 0;
};

}  // namespace posfleet::store
