#include "cli/output.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "core/clock.h"

namespace posfleet::cli {

namespace {

bool detect_chinese() {
  // POSIX order: LC_ALL overrides LC_MESSAGES overrides LANG.
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(name);
    if (v && *v) return std::string_view(v).substr(0, 2) == "zh";
  }
  return false;
}

// Decodes one UTF-8 character at s[i]; returns its length, or 0 if invalid
// (overlong forms, surrogates and values past U+10FFFF are invalid too).
std::size_t decode(std::string_view s, std::size_t i, char32_t* cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  char32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(k) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

int width_of(char32_t c) {
  const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
                    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
                    (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
                    (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1FAFF) ||
                    (c >= 0x20000 && c <= 0x3FFFD);
  return wide ? 2 : 1;
}

}  // namespace

bool chinese() {
  static const bool zh = detect_chinese();
  return zh;
}

std::string say(std::string_view zh, std::string_view en) {
  return std::string(chinese() ? zh : en);
}

std::string clean(std::string_view text, std::size_t max_columns) {
  std::string out;
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = decode(text, i, &cp);
    std::string piece;
    if (n == 0) {
      piece = "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
      cp = 0xFFFD;
      n = 1;
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 ||
               cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
      piece = " ";  // control characters and bidi overrides must not steer the terminal
      cp = ' ';
    } else {
      piece = std::string(text.substr(i, n));
    }
    const std::size_t w = static_cast<std::size_t>(width_of(cp));
    if (columns + w > max_columns) {
      out += "…";
      break;
    }
    out += piece;
    columns += w;
    i += n;
  }
  return out;
}

std::size_t display_width(std::string_view utf8) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = 0xFFFD;
    std::size_t n = decode(utf8, i, &cp);
    w += static_cast<std::size_t>(width_of(n ? cp : 0xFFFD));
    i += n ? n : 1;
  }
  return w;
}

std::string local_time(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (!localtime_r(&t, &tm)) return format_utc(unix_seconds);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y-%m-%d %H:%M:%S %Z");
  return out.str();
}

std::string local_time(std::string_view utc_text) {
  if (utc_text.empty() || utc_text == "-") return "-";
  auto t = parse_utc(utc_text);
  return t ? local_time(*t) : clean(utc_text, 40);
}

std::string human_size(std::uint64_t bytes) {
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  std::ostringstream out;
  if (u == 0)
    out << bytes << " B";
  else
    out << std::fixed << std::setprecision(1) << v << " " << kUnits[u];
  return out.str();
}

std::string word(std::string_view w) {
  struct Pair {
    const char* zh;
    const char* en;
  };
  static const std::map<std::string_view, Pair> kWords = {
      {"scheduled", {"待开始", "scheduled"}},
      {"running", {"进行中", "running"}},
      {"canceling", {"取消中", "canceling"}},
      {"canceled", {"已取消", "canceled"}},
      {"finished", {"已结束", "finished"}},
      {"none", {"—", "—"}},
      {"success", {"成功", "success"}},
      {"failure", {"失败", "failure"}},
      {"failed", {"失败", "failed"}},
      {"idle", {"无更新", "idle"}},
      {"auto", {"开启", "auto"}},
      {"manual", {"手动", "manual"}},
      {"never", {"永不", "never"}},
      {"open", {"待处理", "open"}},
      {"closed", {"已关闭", "closed"}},
      {"fleet", {"全部终端", "fleet"}},
      {"group", {"分组", "group"}},
      {"organisation", {"机构", "organisation"}},
      {"terminal", {"终端", "terminal"}},
      {"allowed", {"允许", "allowed"}},
      {"forbidden", {"禁止", "forbidden"}},
      {"limit", {"限量", "limited"}},
      {"wrong_model", {"型号不符", "wrong model"}},
      {"already_open", {"已有未完成的部署", "already has an open deployment"}},
      {"already_installed", {"已是该版本", "already runs it"}},
      {"busy", {"正在安装其他更新", "installing another update"}},
      {"unknown_terminal", {"未知终端", "unknown terminal"}},
      {"other_organisation", {"不属于该版本的机构", "not of the release's organisation"}},
      {"code_sent", {"已发送验证码", "code sent"}},
      {"verified", {"已核实", "verified"}},
  };
  auto it = kWords.find(w);
  if (it == kWords.end()) return clean(w, 40);
  return chinese() ? it->second.zh : it->second.en;
}

Table::Table(std::initializer_list<std::string> headers) { rows_.emplace_back(headers); }

void Table::add(std::vector<std::string> cells) {
  for (auto& c : cells) c = clean(c, 48);
  cells.resize(rows_.front().size());
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths(rows_.front().size(), 0);
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - display_width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

}  // namespace posfleet::cli
