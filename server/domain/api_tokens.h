// posfleet server: the life of a management API token: created (shown
// once; only its SHA-256 is kept, tokens.h), listed with when it was last
// used, revoked (refused from the very next request, kept in the list as
// revoked so the audit log's names keep their meaning). Every step is audited.
//
// last_used is written at most once a minute per token, so a script calling
// in a loop does not turn every read into a write.
// Thread-safety: stateless functions over the Context's store.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "server/domain/context.h"
#include "server/domain/roles.h"
#include "server/store/organisations_store.h"

namespace posfleet::domain {

inline constexpr std::int64_t kTokenTouchSeconds = 60;

// A token's name: text::check_field's rules, at most limits::kTokenNameChars,
// no spaces at either end (it becomes the audit log's actor).
[[nodiscard]] Status check_token_name(const std::string& name);

struct NewApiToken {
  store::ApiTokenRecord record;
  std::string token;  // shown once
};
// Why a credential ends is checked by audit.h check_reason.

// The token and its audit entry are one change.
// The token acts within organisation `org_id`'s subtree (its maker's, organisations.h).
[[nodiscard]] Expected<NewApiToken> create_api_token(
    Context& ctx, const std::string& name, Role role, const Actor& who,
    std::int64_t org_id = store::kRootOrganisation);

[[nodiscard]] Expected<std::vector<store::ApiTokenRecord>> list_api_tokens(Context& ctx);

// kNotFound for an unknown id, kWrongState if it was revoked already.
[[nodiscard]] Expected<store::ApiTokenRecord> revoke_api_token(Context& ctx, std::int64_t id,
                                                               const Actor& who,
                                                               const std::string& reason);

// The valid token `token` (the bearer's text), its last use noted;
// kUnauthorized for an unknown or revoked one (the message says which).
[[nodiscard]] Expected<store::ApiTokenRecord> authenticate_api_token(Context& ctx,
                                                                     std::string_view token);

}  // namespace posfleet::domain
