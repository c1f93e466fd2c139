// posfleet CLI: `terminal import FILE [--dry-run] [--tokens-out FILE]` — terminals from a CSV
// file (UTF-8, a header row naming the columns serial, model, merchant, group, time_zone, or
// 序列号, 型号, 商户, 分组, 时区; quoted fields as RFC 4180). Every bad row is printed by line
// and field; all rows are registered or none. The new terminals' tokens are written 0600 to
// --tokens-out (or printed). A thin client of POST /api/v1/terminals/import.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <iostream>
#include <map>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/fs.h"
#include "core/text.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

// The records of a CSV text, each with the line it starts on.
Expected<std::vector<std::pair<int, std::vector<std::string>>>> parse_csv(std::string_view s) {
  std::vector<std::pair<int, std::vector<std::string>>> out;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  int line = 1, start = 1;
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);  // Excel's byte-order mark
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        out.emplace_back(start, std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
      start = ++line;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted)
    return make_error(Code::kParse,
                      say("CSV 中的引号没有闭合（从第 ", "a quote is not closed (from line ") +
                          std::to_string(start) + say(" 行起）", ")"));
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    out.emplace_back(start, std::move(row));
  }
  return out;
}

Status import_file(const ServerOptions& server, const std::string& file, bool dry_run,
                   const std::string& tokens_out) {
  auto text = read_file(file);
  if (!text) return text.error();
  if (!text::is_valid_utf8(*text))
    return make_error(Code::kParse, say("文件不是 UTF-8 编码：请另存为 CSV UTF-8",
                                        "the file is not UTF-8: save it as CSV UTF-8"));
  auto records = parse_csv(*text);
  if (!records) return records.error();
  if (records->empty())
    return make_error(Code::kInvalidArgument, say("文件是空的", "the file is empty"));
  static const std::map<std::string, std::string> kNames = {
      {"serial", "serial"},       {"序列号", "serial"}, {"model", "model"}, {"型号", "model"},
      {"merchant", "merchant"},   {"商户", "merchant"}, {"group", "group"}, {"分组", "group"},
      {"time_zone", "time_zone"}, {"时区", "time_zone"}};
  std::vector<std::string> columns;
  for (const auto& h : records->front().second) {
    auto it = kNames.find(std::string(text::trim(h)));
    columns.push_back(it == kNames.end() ? "" : it->second);
  }
  if (std::find(columns.begin(), columns.end(), "serial") == columns.end() ||
      std::find(columns.begin(), columns.end(), "model") == columns.end())
    return make_error(Code::kInvalidArgument,
                      say("第 1 行须为表头，至少含 序列号(serial) 和 型号(model) 两列",
                          "line 1 must be the header, with at least the serial and model columns"));
  bj::array rows;
  for (std::size_t r = 1; r < records->size(); ++r) {
    bj::object row{{"line", (*records)[r].first}};
    const auto& cells = (*records)[r].second;
    for (std::size_t c = 0; c < cells.size() && c < columns.size(); ++c)
      if (!columns[c].empty()) row[columns[c]] = cells[c];
    rows.push_back(std::move(row));
  }
  bj::value body = bj::object{{"rows", rows}, {"dry_run", dry_run}};
  auto answer = call(server, "POST", "/api/v1/terminals/import", say("导入终端", "import"), &body);
  if (!answer) return answer.error();
  if (server.json) print_json(*answer);
  const auto& problems = answer->at("problems").as_array();
  if (!server.json)
    for (const auto& p : problems)
      std::cout << say("第 ", "line ") << str(p, "line") << say(" 行 ", " ") << str(p, "field")
                << say("：", ": ") << str(p.at("message"), chinese() ? "zh-CN" : "en") << "\n";
  if (!problems.empty())
    return make_error(Code::kInvalidArgument,
                      say("有 ", "") + std::to_string(problems.size()) +
                          say(" 处问题，一台也没有导入；改正后重新导入",
                              " problem(s); nothing was imported: correct the file and import "
                              "it again"));
  if (dry_run) {
    if (!server.json)
      std::cout << say("检查通过：", "all good: ") << str(*answer, "rows")
                << say(" 台终端可以导入（未写入）", " terminals can be imported (nothing written)")
                << "\n";
    return ok_status();
  }
  std::string tokens = "serial,token\n";
  for (const auto& t : answer->at("terminals").as_array())
    tokens += str(t, "serial") + "," + str(t, "token") + "\n";
  if (!tokens_out.empty()) {
    if (auto w = write_file_atomic(tokens_out, tokens, 0600); !w) return w;
  } else if (!server.json) {
    std::cout << tokens;
  }
  if (!server.json)
    std::cerr << say("已导入 ", "imported ") << str(*answer, "rows") << say(" 台终端", " terminals")
              << (tokens_out.empty() ? ""
                                     : say("；令牌已写入 ", "; tokens written to ") + tokens_out)
              << "\n";
  return ok_status();
}

}  // namespace

void add_import_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static std::string file, tokens_out;
  static bool dry_run = false;
  auto* import =
      app.get_subcommand("terminal")
          ->add_subcommand("import", say("从 CSV 文件批量导入终端（全部导入或一台也不导入）",
                                         "import terminals from a CSV file (all or none)"));
  import
      ->add_option("file", file,
                   say("CSV 文件（UTF-8，首行为表头）", "CSV file (UTF-8, a header row)"))
      ->required();
  import->add_flag("--dry-run", dry_run, say("只检查，不写入", "check only; write nothing"));
  import->add_option(
      "--tokens-out", tokens_out,
      say("把新终端的令牌写入此文件（0600）", "write the new terminals' tokens here (0600)"));
  import->callback([&] { action = [&] { return import_file(server, file, dry_run, tokens_out);
};
}  // namespace posfleet::cli
);
}

}  // namespace posfleet::cli
