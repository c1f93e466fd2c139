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

// Names and identifiers.
inline constexpr std::size_t kSerialChars = 64;      // terminal serial, controllerId
inline constexpr std::size_t kModelChars = 64;       // terminal model
inline constexpr std::size_t kVersionChars = 64;     // a release or reported version
inline constexpr std::size_t kGroupChars = 64;       // a group name
inline constexpr std::size_t kTokenNameChars = 64;   // an API token's name (the audit actor)
inline constexpr std::size_t kUserNameChars = 64;    // a back-office user's name
inline constexpr std::size_t kPersonNameChars = 100; // a merchant's or applicant's legal name

// Free text written by people.
inline constexpr std::size_t kReasonChars = 500;      // reason of a change, lock reason, rejection
inline constexpr std::size_t kNoteChars = 1000;       // a support note or closing note
inline constexpr std::size_t kSearchChars = 100;      // a search string (?q=)
inline constexpr std::size_t kSearchMinChars = 2;     // ... and its least length
inline constexpr std::size_t kQueryValueChars = 1000; // any other query parameter
inline constexpr std::size_t kShortTextChars = 200;   // carrier, tracking number, bank, address line

// What a terminal sends.
inline constexpr std::size_t kTicketChars = 2000;          // a support ticket's message
inline constexpr std::size_t kTicketsPerDay = 20;          // tickets one terminal may open per UTC day
inline constexpr std::size_t kConfigKeys = 64;             // configData attributes kept per terminal
inline constexpr std::size_t kConfigKeyChars = 64;         // one attribute's name
inline constexpr std::size_t kConfigValueChars = 1024;     // one attribute's value
inline constexpr std::size_t kFeedbackDetailLines = 50;    // feedback details lines kept (more: dropped)
inline constexpr std::size_t kFeedbackDetailChars = 1000;  // one details line (longer: cut, marked "…")

}  // namespace posfleet::limits
