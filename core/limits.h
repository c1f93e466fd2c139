// posfleet core: the bounds on every field a client controls, in one place.
//
// A client is a terminal (DDI), a browser or script (/api/v1) or an applicant
// (the public routes). Text is counted in characters (Unicode code points) and
// checked with text::check_field: valid UTF-8, no control characters, at most
// the limit. Beyond a limit the server refuses with 400 "invalid_argument" and
// a message naming the field and the limit; it never truncates silently, except
// DDI feedback details, which the protocol treats as a log (cut at a character
// boundary, and said so). docs/security.md ("Limits on what clients send") is
// the table for people; keep the two the same.
// Thread-safety: constants.
#pragma once

#include <cstddef>

namespace posfleet::limits {

// Enforced elsewhere, with the same numbers as the table: serials and user
// names (1-64 of A-Z a-z 0-9 . _ -, domain/terminals, domain/accounts) and the
// public application's fields (domain/onboarding, in bytes).

// Names.
inline constexpr std::size_t kModelChars = 64;              // terminal model
inline constexpr std::size_t kVersionChars = 64;            // a release or reported version
inline constexpr std::size_t kGroupChars = 64;              // a group name
inline constexpr std::size_t kTokenNameChars = 64;          // an API token's name (the audit actor)
inline constexpr std::size_t kPersonNameChars = 100;        // a merchant's legal name
inline constexpr std::size_t kOrganisationNameChars = 100;  // a reseller or merchant organisation

// Free text written by people.
inline constexpr std::size_t kReasonChars = 500;       // reason of a change, lock reason
inline constexpr std::size_t kNoteChars = 1000;        // a support note or closing note
inline constexpr std::size_t kSearchChars = 100;       // a search string (?q=)
inline constexpr std::size_t kSearchMinChars = 2;      // ... and its least length
inline constexpr std::size_t kQueryValueChars = 1000;  // any other query parameter

// What a terminal sends.
inline constexpr std::size_t kTicketChars = 2000;       // a support ticket's message
inline constexpr std::size_t kTicketsPerDay = 20;       // tickets a terminal opens per UTC day
inline constexpr std::size_t kConfigKeys = 64;          // configData attributes per terminal
inline constexpr std::size_t kConfigKeyChars = 64;      // one attribute's name
inline constexpr std::size_t kConfigValueChars = 1024;  // one attribute's value
// Feedback details: lines kept (more are dropped), characters per line (longer
// lines are cut and end with "…").
inline constexpr std::size_t kFeedbackDetailLines = 50;
inline constexpr std::size_t kFeedbackDetailChars = 1000;

}  // namespace posfleet::limits
