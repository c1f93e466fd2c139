// posfleet CLI: how answers reach the operator's terminal. Text in the
// language of the operator's locale (zh-CN when LC_ALL, LC_MESSAGES or LANG
// starts with "zh", else English), times in the local time zone, tables whose
// columns line up with Chinese characters, and every byte that came from the
// server cleaned first (valid UTF-8, no control characters, bounded), since
// terminals and merchants put text there.
// Thread-safety: the language is read once at first use; the rest are pure.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace posfleet::cli {

bool chinese();
// The text in the operator's language.
std::string say(std::string_view zh, std::string_view en);

// Server text made safe to print: invalid UTF-8 becomes U+FFFD, control
// characters become spaces, and text wider than max_columns is cut with "…".
std::string clean(std::string_view text, std::size_t max_columns = 200);
// Columns the text takes in a terminal (East Asian wide characters take two).
std::size_t display_width(std::string_view utf8);

// A UTC time in posfleet's form ("2026-12-02T01:48:55Z") as local time,
// "2026-12-02 09:48:55 CST"; anything else is cleaned and shown as it is.
std::string local_time(std::string_view utc_text);
std::string local_time(std::int64_t unix_seconds);
// Bytes as KB / MB / GB with one decimal.
std::string human_size(std::uint64_t bytes);

// Known words of the API in the operator's language: deployment status and
// result, update modes and states, ticket status, skip reasons. Unknown words
// are cleaned and shown as they are.
std::string word(std::string_view api_word);

// A table with a header row; cells are cleaned and cut at 48 columns.
class Table {
 public:
  explicit Table(std::initializer_list<std::string> headers);
  void add(std::vector<std::string> cells);
  bool empty() const { return rows_.size() < 2; }  // no rows under the header
  void print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace posfleet::cli
