// posfleet CLI: staged rollouts (灰度发布, docs/rollouts.md) on posfleetd's
// /api/v1/rollouts: `rollout create` (a release, a target — serials, a group or
// the terminal filter — and waves of cumulative percentages or groups in order,
// each with its success and error thresholds, soak time and approval;
// `--preview` only counts), `rollout list`, `rollout show ID` (a row of counts
// per wave), `rollout terminals ID`, the operator's actions `rollout
// start|pause|resume|cancel|approve|retry ID --reason …`, and the kill switch
// `rollout stop --all --release V --reason …` (every rollout of the release
// stopped, its open deployments canceled) with `rollout unstop --release V`.
// Waves are numbered from 1 for people (the API counts from 0). Thin clients of
// /api/v1; every answer is printed cleaned (output.h), or as the API's exact
// JSON with --json.
// Thread-safety: one thread (the CLI's); the options live in statics set by
// CLI11 before the action runs.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <ctime>
#include <iostream>
#include <map>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/clock.h"

namespace posfleet::cli {

namespace bj = boost::json;

namespace {

struct RolloutOptions {
  std::string release, group, name, reason, start_at, soak = "1h", success = "95", error = "2";
  std::vector<std::string> serials, filters, waves, wave_groups;
  std::vector<int> approval_before;  // wave numbers, from 1
  int offline_days = 7;
  bool preview = false, start = false;
};

// The words of rollouts in the operator's language; the rest through word().
std::string rword(std::string_view w) {
  struct Pair {
    const char* zh;
    const char* en;
  };
  static const std::map<std::string_view, Pair> kWords = {
      {"draft", {"草稿", "draft"}},
      {"scheduled", {"定时开始", "scheduled"}},
      {"running", {"进行中", "running"}},
      {"waiting_approval", {"待审批", "waiting for approval"}},
      {"paused", {"已暂停", "paused"}},
      {"finished", {"已完成", "finished"}},
      {"canceled", {"已取消", "canceled"}},
      {"stopped", {"已紧急停止", "stopped (kill switch)"}},
      {"pending", {"未开始", "pending"}},
      {"soaking", {"观察中", "soaking"}},
      {"done", {"已完成", "done"}},
      {"waiting_window", {"等待维护窗口", "waiting for window"}},
      {"downloading", {"下载中", "downloading"}},
      {"installing", {"安装中", "installing"}},
      {"rolled_back", {"已回滚", "rolled back"}},
      {"timed_out", {"超时", "timed out"}},
      {"declined", {"被策略拒绝", "declined by policy"}},
      {"unreachable", {"离线未达", "unreachable"}},
      {"mode_never", {"设为永不更新", "set to never"}},
      {"offline", {"离线过久", "offline too long"}},
      {"retired", {"已退役", "retired"}},
      {"not_in_wave", {"不在任何一批的分组中", "in no wave's group"}},
      {"skipped", {"已跳过", "skipped"}},
  };
  auto it = kWords.find(w);
  if (it == kWords.end()) return word(w);
  return chinese() ? it->second.zh : it->second.en;
}

// A time field: unix seconds (the rollouts API) or UTC text, in local time.
std::string when(const bj::value& v, const char* key) {
  auto* p = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  if (!p || p->is_null()) return "-";
  if (p->is_int64()) return local_time(p->get_int64());
  if (p->is_uint64()) return local_time(static_cast<std::int64_t>(p->get_uint64()));
  return time_of(v, key);
}

std::int64_t num(const bj::value& v, const char* key) {
  auto* p = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  if (!p) return 0;
  if (p->is_int64()) return p->get_int64();
  if (p->is_uint64()) return static_cast<std::int64_t>(p->get_uint64());
  if (p->is_double()) return static_cast<std::int64_t>(p->get_double());
  return 0;
}

const bj::value& field(const bj::value& v, const char* key) {
  static const bj::value kNull;
  auto* p = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  return p ? *p : kNull;
}

// "1%" or "group pilot" for a wave's spec.
std::string wave_spec(const bj::value& spec) {
  if (!field(spec, "percent").is_null()) return str(spec, "percent") + "%";
  if (!field(spec, "group").is_null()) return say("分组 ", "group ") + str(spec, "group");
  return "-";
}

// "serials PF1,PF2", "group north", "filter model=A920".
std::string target_text(const bj::value& t) {
  if (!t.is_object()) return str(bj::value(bj::object{{"t", t}}), "t");
  if (!field(t, "group").is_null()) return say("分组 ", "group ") + str(t, "group");
  if (auto& s = field(t, "serials"); s.is_array())
    return std::to_string(s.get_array().size()) + say(" 台终端", " terminals");
  if (auto& f = field(t, "filter"); f.is_object()) {
    std::string out;
    for (const auto& [k, v] : f.get_object())
      out += (out.empty() ? "" : " ") + std::string(k) + "=" +
             (v.is_string() ? std::string(v.get_string()) : bj::serialize(v));
    return say("筛选 ", "filter ") + clean(out, 60);
  }
  return clean(bj::serialize(t), 60);
}

std::string progress_text(const bj::value& p) {
  return str(p, "success") + "/" + str(p, "total") + say(" 成功，", " ok, ") + str(p, "failed") +
         say(" 失败", " failed");
}

// Wave number for people: the API's index + 1.
std::string wave_no(const bj::value& v, const char* key) {
  auto& p = field(v, key);
  if (p.is_null()) return "-";
  return std::to_string(num(v, key) + 1);
}

void print_rollout(const bj::value& r) {
  std::cout << say("灰度发布 ", "rollout ") << str(r, "id");
  if (auto n = str(r, "name"); n != "-") std::cout << " \"" << n << "\"";
  std::cout << say("：版本 ", ": release ") << str(r, "release") << say("，目标 ", ", target ")
            << target_text(field(r, "target")) << "\n  " << say("状态 ", "state ")
            << rword(str(r, "state"));
  if (auto why = str(r, "state_reason"); why != "-")
    std::cout << say("（", " (") << why << say("）", ")");
  auto& waves = field(r, "waves");
  const std::size_t n = waves.is_array() ? waves.get_array().size() : 0;
  std::cout << say("，当前第 ", ", wave ") << wave_no(r, "current_wave") << " / " << n
            << say(" 批", "") << "\n  " << say("创建 ", "created by ") << str(r, "created_by")
            << say(" 于 ", " at ") << when(r, "created") << say("，计划开始 ", ", start at ")
            << when(r, "start_at") << say("，开始于 ", ", started ") << when(r, "started") << "\n";
  if (auto& p = field(r, "progress"); p.is_object())
    std::cout << "  " << say("进度 ", "progress ") << progress_text(p) << "\n";
  if (!waves.is_array()) return;
  Table t{say("批次", "WAVE"),        say("范围", "SPEC"),         say("状态", "STATE"),
          say("终端", "TERMINALS"),   say("待开始", "SCHEDULED"),  say("等窗口", "WINDOW"),
          say("下载", "DOWNLOADING"), say("安装", "INSTALLING"),   say("成功", "SUCCESS"),
          say("失败", "FAILED"),      say("回滚", "ROLLED BACK"),  say("超时", "TIMED OUT"),
          say("拒绝", "DECLINED"),    say("取消", "CANCELED"),     say("离线", "UNREACHABLE"),
          say("阈值", "THRESHOLDS"),  say("观察至", "SOAK UNTIL"), say("审批", "APPROVAL")};
  for (const auto& w : waves.get_array()) {
    const auto& spec = field(w, "spec");
    const auto& c = field(w, "counts");
    std::string thresholds = "≥" + str(spec, "success_threshold") + "% ok, >" +
                             str(spec, "error_threshold") + "% " + say("暂停", "pauses");
    std::string approval = "-";
    if (!field(w, "approved_by").is_null())
      approval = str(w, "approved_by") + " " + when(w, "approved_at");
    else if (field(spec, "needs_approval").is_bool() && field(spec, "needs_approval").get_bool())
      approval = say("需要", "needed");
    t.add({std::to_string(num(w, "index") + 1), wave_spec(spec), rword(str(w, "state")),
           str(w, "terminals"), str(c, "scheduled"), str(c, "waiting_window"),
           str(c, "downloading"), str(c, "installing"), str(c, "success"), str(c, "failed"),
           str(c, "rolled_back"), str(c, "timed_out"), str(c, "declined"), str(c, "canceled"),
           str(c, "unreachable"), thresholds, when(w, "soak_until"), approval});
  }
  if (!t.empty()) t.print(std::cout);
}

void print_list(const bj::value& v) {
  Table t{say("编号", "ID"),      say("名称", "NAME"),      say("版本", "RELEASE"),
          say("目标", "TARGET"),  say("创建者", "CREATOR"), say("创建时间", "CREATED"),
          say("开始", "START"),   say("状态", "STATE"),     say("批次", "WAVE"),
          say("进度", "PROGRESS")};
  const auto& rows = field(v, "rollouts");
  std::size_t shown = 0;
  if (rows.is_array())
    for (const auto& r : rows.get_array()) {
      ++shown;
      auto start = field(r, "started").is_null() ? when(r, "start_at") : when(r, "started");
      t.add({str(r, "id"), str(r, "name"), str(r, "release"), target_text(field(r, "target")),
             str(r, "created_by"), when(r, "created"), start, rword(str(r, "state")),
             wave_no(r, "current_wave") + "/" + str(r, "waves"),
             progress_text(field(r, "progress"))});
    }
  if (!t.empty()) t.print(std::cout);
  print_page_footer(v, shown, "个", "灰度发布", "rollouts");
}

void print_preview(const bj::value& v) {
  std::cout << say("预览：共 ", "preview: ") << str(v, "total")
            << say(" 台终端参与", " terminals take part") << "\n";
  Table t{say("批次", "WAVE"), say("范围", "SPEC"), say("终端", "TERMINALS"),
          say("最早开始", "CAN START AT"), say("封网至", "FROZEN UNTIL")};
  if (auto& waves = field(v, "waves"); waves.is_array())
    for (const auto& w : waves.get_array()) {
      std::string spec = !field(w, "percent").is_null() ? str(w, "percent") + "%"
                         : !field(w, "groups").is_null() ? say("分组 ", "group ") + str(w, "groups")
                                                         : "-";
      t.add({std::to_string(num(w, "index") + 1), spec, str(w, "terminals"),
             when(w, "can_start_at"), when(w, "frozen_until")});
    }
  if (!t.empty()) t.print(std::cout);
  std::string excluded;
  if (auto& ex = field(v, "excluded"); ex.is_object())
    for (const auto& [why, n] : ex.get_object())
      if (n.is_int64() && n.get_int64() > 0)
        excluded += (excluded.empty() ? "" : say("，", ", ")) + rword(why) + " " +
                    std::to_string(n.get_int64());
  std::cout << say("排除：", "excluded: ") << (excluded.empty() ? say("无", "none") : excluded)
            << "\n"
            << say("（仅预览，未创建；去掉 --preview 即可创建）\n",
                   "(preview only; drop --preview to create it)\n");
}

void print_stop(const bj::value& v) {
  std::cout
      << say("版本 ", "release ") << str(v, "release") << say(" 已紧急停止：", " stopped: ")
      << str(v, "rollouts_stopped") << say(" 个灰度发布已停止，", " rollouts stopped, ")
      << str(v, "deployments_canceled")
      << say(" 个部署已取消。已在下载的终端将收到取消；已过不可回退点的安装由终端完成或回滚。\n",
             " deployments canceled. Terminals downloading it get the cancel; installs past "
             "the point of no return finish or roll back as the terminal decides.\n")
      << say("解除：posfleet rollout unstop --release ",
             "lift it with: posfleet rollout "
             "unstop --release ")
      << str(v, "release") << "\n";
}

// "90s", "30m", "1h", "2d" or plain seconds.
Expected<std::int64_t> parse_duration(const std::string& text) {
  std::size_t used = 0;
  long long n = -1;
  try {
    n = std::stoll(text, &used);
  } catch (...) {
    n = -1;
  }
  const std::string unit = n >= 0 ? text.substr(used) : "";
  const std::map<std::string, std::int64_t> kUnits{{"", 1},     {"s", 1},    {"m", 60},
                                                   {"min", 60}, {"h", 3600}, {"d", 86400}};
  auto it = kUnits.find(unit);
  if (n < 0 || it == kUnits.end() || n > 365LL * 86400)
    return make_error(
        Code::kInvalidArgument,
        say("时长 \"" + clean(text, 20) + "\" 应为秒数或 90s、30m、1h、2d",
            "duration \"" + clean(text, 20) + "\" must be seconds or like 90s, 30m, 1h, 2d"));
  return static_cast<std::int64_t>(n) * it->second;
}

// Unix seconds, UTC "2026-12-03T01:00:00Z", or local "2026-12-03 09:00[:00]".
Expected<std::int64_t> parse_time(const std::string& text) {
  if (!text.empty() &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }) &&
      text.size() < 12)
    return static_cast<std::int64_t>(std::stoll(text));
  if (auto t = parse_utc(text); t) return *t;
  for (const char* fmt : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"}) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), fmt, &tm);
    if (end && *end == '\0') {
      tm.tm_isdst = -1;
      const std::time_t t = std::mktime(&tm);
      if (t != -1) return static_cast<std::int64_t>(t);
    }
  }
  return make_error(Code::kInvalidArgument,
                    say("时间 \"" + clean(text, 40) +
                            "\" 应为本地时间 2026-12-03 09:00、UTC 时间 2026-12-03T01:00:00Z "
                            "或 Unix 秒数",
                        "time \"" + clean(text, 40) +
                            "\" must be local 2026-12-03 09:00, UTC 2026-12-03T01:00:00Z or unix "
                            "seconds"));
}

// One number for every wave, or one per wave ("95" or "90,95,95,99").
Expected<std::vector<double>> per_wave(const std::string& option, const std::string& text,
                                       std::size_t waves) {
  std::vector<double> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    if (part.empty() || !end || *end != '\0' || v < 0 || v > 100)
      return make_error(Code::kInvalidArgument,
                        option +
                            say(" 应为 0-100 的百分数，一个或每批一个：",
                                " must be a percentage 0-100, one or one per wave: ") +
                            clean(text, 40));
    out.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() == 1) out.resize(waves, out.front());
  if (out.size() != waves)
    return make_error(Code::kInvalidArgument,
                      option + say(" 给出 " + std::to_string(out.size()) + " 个值，但有 " +
                                       std::to_string(waves) + " 批",
                                   " gives " + std::to_string(out.size()) + " values for " +
                                       std::to_string(waves) + " waves"));
  return out;
}

bj::value number(double v) {
  if (v == static_cast<double>(static_cast<std::int64_t>(v)))
    return bj::value(static_cast<std::int64_t>(v));
  return bj::value(v);
}

Expected<bj::object> rollout_body(const RolloutOptions& o) {
  const int targets = !o.serials.empty() + !o.group.empty() + !o.filters.empty();
  if (targets != 1)
    return make_error(Code::kInvalidArgument,
                      say("请只指定一种目标：--serials、--group 或 --filter",
                          "name exactly one target: --serials, --group or --filter"));
  if (o.waves.empty() == o.wave_groups.empty())
    return make_error(Code::kInvalidArgument,
                      say("请给出 --waves（累计百分比，如 1,10,50,100）或 --wave-groups（按顺序的"
                          "分组，如 pilot,north,south）之一",
                          "give either --waves (cumulative percentages, e.g. 1,10,50,100) or "
                          "--wave-groups (groups in order, e.g. pilot,north,south)"));
  bj::object body{{"release", o.release}, {"offline_days", o.offline_days}};
  if (!o.name.empty()) body["name"] = o.name;
  if (!o.reason.empty()) body["reason"] = o.reason;
  if (!o.serials.empty()) {
    bj::array a;
    for (const auto& s : o.serials) a.push_back(bj::string(s));
    body["target"] = bj::object{{"serials", std::move(a)}};
  } else if (!o.group.empty()) {
    body["target"] = bj::object{{"group", o.group}};
  } else {
    auto f = filter_object(o.filters);
    if (!f) return f.error();
    body["target"] = bj::object{{"filter", std::move(*f)}};
  }
  const std::size_t n = o.waves.empty() ? o.wave_groups.size() : o.waves.size();
  auto success = per_wave("--success", o.success, n);
  if (!success) return success.error();
  auto error = per_wave("--error", o.error, n);
  if (!error) return error.error();
  auto soak = parse_duration(o.soak);
  if (!soak) return soak.error();
  for (int k : o.approval_before)
    if (k < 1 || static_cast<std::size_t>(k) > n)
      return make_error(
          Code::kInvalidArgument,
          say("--approval-before 的批次从 1 数到 " + std::to_string(n) + "：",
              "--approval-before counts waves from 1 to " + std::to_string(n) + ": ") +
              std::to_string(k));
  bj::array waves;
  for (std::size_t i = 0; i < n; ++i) {
    bj::object w;
    if (!o.waves.empty()) {
      char* end = nullptr;
      const double p = std::strtod(o.waves[i].c_str(), &end);
      if (o.waves[i].empty() || !end || *end != '\0' || p <= 0 || p > 100)
        return make_error(Code::kInvalidArgument,
                          say("--waves 应为 0-100 之间递增的累计百分比，例如 1,10,50,100：",
                              "--waves takes rising cumulative percentages up to 100, e.g. "
                              "1,10,50,100: ") +
                              clean(o.waves[i], 20));
      w["percent"] = number(p);
    } else {
      w["group"] = o.wave_groups[i];
    }
    w["success_threshold"] = number((*success)[i]);
    w["error_threshold"] = number((*error)[i]);
    w["soak_seconds"] = *soak;
    w["needs_approval"] = std::find(o.approval_before.begin(), o.approval_before.end(),
                                    static_cast<int>(i + 1)) != o.approval_before.end();
    waves.push_back(std::move(w));
  }
  body["waves"] = std::move(waves);
  if (!o.start_at.empty()) {
    auto t = parse_time(o.start_at);
    if (!t) return t.error();
    body["start_at"] = *t;
  }
  body["start"] = o.start;
  return body;
}

Status need_reason(const std::string& reason) {
  if (!reason.empty()) return ok_status();
  return make_error(Code::kInvalidArgument, say("请用 --reason 说明原因（记入审计日志）",
                                                "say why with --reason (kept in the audit log)"));
}

}  // namespace

void add_rollout_commands(CLI::App& app, ServerOptions& server, std::function<Status()>& action) {
  static RolloutOptions o;
  static std::string id, state, release, reason;
  static ListPage page;
  static int wave = 0;
  static std::string phase;
  static bool all = false;
  auto* ro = app.add_subcommand("rollout", say("灰度发布：分批把版本推送到终端",
                                               "staged rollouts: a release to terminals in waves"))
                 ->require_subcommand(1);

  auto* cr = ro->add_subcommand(
      "create", say("创建灰度发布（--preview 只预览各批终端数和排除原因）",
                    "create a rollout (--preview only counts each wave and the exclusions)"));
  cr->add_option("--release", o.release, say("版本号", "release version"))->required();
  cr->add_option("--serials", o.serials,
                 say("序列号，用逗号分隔：A,B,C", "serials, comma-separated: A,B,C"))
      ->delimiter(',');
  cr->add_option("--group", o.group, say("分组里的全部终端", "every terminal of a group"));
  cr->add_option("--filter", o.filters,
                 say("终端筛选条件 KEY=VALUE（可重复，须全部满足）：q、model、version、group、"
                     "mode、state、online、merchant",
                     "KEY=VALUE of the terminal filter (repeat; all must hold): q, model, version, "
                     "group, mode, state, online, merchant"));
  cr->add_option("--waves", o.waves,
                 say("累计百分比，例如 1,10,50,100", "cumulative percentages, e.g. 1,10,50,100"))
      ->delimiter(',');
  cr->add_option("--wave-groups", o.wave_groups,
                 say("按顺序的分组，例如 pilot,north,south（不在其中的终端不参与）",
                     "groups in order, e.g. pilot,north,south (a terminal in none is left out)"))
      ->delimiter(',');
  cr->add_option("--success", o.success,
                 say("成功率达到多少（% 可达终端）进入下一批；一个值或每批一个",
                     "success share (% of reachable terminals) to advance; one, or one per wave"))
      ->capture_default_str();
  cr->add_option("--error", o.error,
                 say("失败率超过多少（%）暂停；一个值或每批一个",
                     "failure share (%) above which it pauses; one, or one per wave"))
      ->capture_default_str();
  cr->add_option("--soak", o.soak,
                 say("每批成功后观察多久再进入下一批，例如 1h",
                     "how long to watch a wave before the next, e.g. 1h"))
      ->capture_default_str();
  cr->add_option("--approval-before", o.approval_before,
                 say("这些批次（从 1 数）开始前需要他人审批，例如 2,3",
                     "waves (from 1) that need someone else's approval to start, e.g. 2,3"))
      ->delimiter(',');
  cr->add_option("--offline-days", o.offline_days,
                 say("离线超过这么多天的终端不参与", "leave out terminals offline this many days"))
      ->check(CLI::Range(0, 3650))
      ->capture_default_str();
  cr->add_option("--start-at", o.start_at,
                 say("定时开始：本地时间 \"2026-12-03 09:00\"、UTC 2026-12-03T01:00:00Z 或 Unix 秒",
                     "scheduled start: local \"2026-12-03 09:00\", UTC 2026-12-03T01:00:00Z or "
                     "unix seconds"));
  cr->add_option("--name", o.name, say("名称", "a name for it"));
  cr->add_flag("--preview", o.preview, say("只预览，不创建", "count only, create nothing"));
  cr->add_flag("--start", o.start, say("创建后立即开始", "start it right away"));
  cr->add_option("--reason", o.reason, say("原因（记入审计日志）", "why (kept in the audit log)"));
  cr->callback([&] {
    action = [&]() -> Status {
      auto body = rollout_body(o);
      if (!body) return body.error();
      if (!o.preview)
        if (auto s = need_reason(o.reason); !s) return s;
      const bj::value b = std::move(*body);
      if (o.preview)
        return show(server, "POST", "/api/v1/rollouts/preview",
                    say("预览灰度发布", "preview a rollout"), &b, print_preview);
      return show(server, "POST", "/api/v1/rollouts",
                  say("创建灰度发布 ", "create a rollout of ") + o.release, &b, print_rollout);
    };
  });

  auto* ls = ro->add_subcommand("list", say("灰度发布列表，最新的在前", "rollouts, newest first"));
  ls->add_option("--state", state,
                 say("只看这个状态：draft、scheduled、running、waiting_approval、paused、"
                     "finished、canceled、stopped",
                     "only this state: draft, scheduled, running, waiting_approval, paused, "
                     "finished, canceled, stopped"))
      ->check(CLI::IsMember({"draft", "scheduled", "running", "waiting_approval", "paused",
                             "finished", "canceled", "stopped"}));
  ls->add_option("--release", release, say("只看这个版本", "only of this release"));
  ls->add_option("--limit", page.limit, say("每页行数，1-1000", "rows per page, 1-1000"))
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  ls->add_option("--offset", page.offset, say("跳过的行数", "rows to skip"))
      ->check(CLI::NonNegativeNumber);
  ls->callback([&] {
    action = [&] {
      std::string q = "/api/v1/rollouts?limit=" + std::to_string(page.limit) +
                      "&offset=" + std::to_string(page.offset);
      if (!state.empty()) q += "&state=" + url_encode(state);
      if (!release.empty()) q += "&release=" + url_encode(release);
      return show(server, "GET", q, say("列出灰度发布", "list rollouts"), nullptr, print_list);
    };
  });

  auto* sh = ro->add_subcommand(
      "show", say("灰度发布的状态和每批各状态的终端数", "a rollout's state and counts per wave"));
  sh->add_option("id", id, say("灰度发布编号", "rollout id"))->required();
  sh->callback([&] {
    action = [&] {
      return show(server, "GET", "/api/v1/rollouts/" + url_encode(id),
                  say("灰度发布 ", "rollout ") + id, nullptr, print_rollout);
    };
  });

  auto* te =
      ro->add_subcommand("terminals", say("灰度发布中的终端：批次、阶段、最新消息",
                                          "a rollout's terminals: wave, phase, last message"));
  te->add_option("id", id, say("灰度发布编号", "rollout id"))->required();
  te->add_option("--wave", wave, say("只看这一批（从 1 数）", "only this wave (from 1)"))
      ->check(CLI::Range(1, 1000));
  te->add_option("--phase", phase,
                 say("只看这个阶段，例如 failed", "only this phase, e.g. failed"));
  te->add_option("--limit", page.limit, say("每页行数，1-1000", "rows per page, 1-1000"))
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  te->add_option("--offset", page.offset, say("跳过的行数", "rows to skip"))
      ->check(CLI::NonNegativeNumber);
  te->callback([&] {
    action = [&] {
      std::string q = "/api/v1/rollouts/" + url_encode(id) +
                      "/terminals?limit=" + std::to_string(page.limit) +
                      "&offset=" + std::to_string(page.offset);
      if (wave > 0) q += "&wave=" + std::to_string(wave - 1);
      if (!phase.empty()) q += "&phase=" + url_encode(phase);
      return show(
          server, "GET", q, say("灰度发布 ", "rollout ") + id, nullptr, [](const bj::value& v) {
            Table t{say("终端", "TERMINAL"), say("批次", "WAVE"),       say("阶段", "PHASE"),
                    say("自", "SINCE"),      say("部署", "DEPLOYMENT"), say("最新消息", "MESSAGE")};
            std::size_t shown = 0;
            if (auto& rows = field(v, "terminals"); rows.is_array())
              for (const auto& r : rows.get_array()) {
                ++shown;
                t.add({str(r, "serial"), wave_no(r, "wave"), rword(str(r, "phase")),
                       when(r, "phase_since"), str(r, "deployment_id"), str(r, "message")});
              }
            if (!t.empty()) t.print(std::cout);
            print_page_footer(v, shown, "台", "终端", "terminals");
          });
    };
  });

  struct Act {
    const char* name;
    const char* zh;
    const char* en;
  };
  static const Act kActs[] = {
      {"start", "开始灰度发布（或按 start_at 定时）",
       "start a rollout (or schedule it by start_at)"},
      {"pause", "暂停：不再开始新的安装", "pause: no new installs start"},
      {"resume", "继续已暂停的灰度发布", "resume a paused rollout"},
      {"cancel", "取消灰度发布及其未开始安装的部署",
       "cancel a rollout and its deployments that have not started installing"},
      {"approve", "审批下一批（须由创建者以外的人）",
       "approve the next wave (someone other than the creator)"},
      {"retry", "为已开始各批中失败或超时的终端重新部署",
       "deploy again to the failed and timed-out terminals of started waves"},
  };
  for (const auto& act : kActs) {
    auto* c = ro->add_subcommand(act.name, say(act.zh, act.en));
    c->add_option("id", id, say("灰度发布编号", "rollout id"))->required();
    c->add_option("--reason", reason, say("原因（记入审计日志）", "why (kept in the audit log)"))
        ->required();
    const std::string name = act.name;
    c->callback([&, name] {
      action = [&, name] {
        const bj::value b = bj::object{{"reason", reason}};
        return show(server, "POST", "/api/v1/rollouts/" + url_encode(id) + "/" + name,
                    name + say(" 灰度发布 ", " rollout ") + id, &b, print_rollout);
      };
    });
  }

  auto* st = ro->add_subcommand(
      "stop", say("紧急停止：停止某版本的全部灰度发布并取消其未完成的部署",
                  "kill switch: stop every rollout of a release and cancel its open deployments"));
  st->add_flag("--all", all,
               say("确认停止该版本的全部灰度发布（必需）",
                   "confirm: every rollout of the release (required)"))
      ->required();
  st->add_option("--release", release, say("版本号", "release version"))->required();
  st->add_option("--reason", reason, say("原因（记入审计日志）", "why (kept in the audit log)"))
      ->required();
  st->callback([&] {
    action = [&] {
      const bj::value b = bj::object{{"reason", reason}};
      return show(server, "POST", "/api/v1/releases/" + url_encode(release) + "/stop",
                  say("紧急停止版本 ", "stop release ") + release, &b, print_stop);
    };
  });
  auto* un = ro->add_subcommand(
      "unstop", say("解除紧急停止：该版本可再次部署（管理员）",
                    "lift the kill switch: the release may be deployed again (administrators)"));
  un->add_option("--release", release, say("版本号", "release version"))->required();
  un->add_option("--reason", reason, say("原因（记入审计日志）", "why (kept in the audit log)"));
  un->callback([&] {
    action = [&] {
      const bj::value b = bj::object{{"reason", reason}};
      return show(server, "DELETE", "/api/v1/releases/" + url_encode(release) + "/stop",
                  say("解除紧急停止 ", "lift the stop of ") + release, &b, [](const bj::value&) {
                    std::cout << say("已解除：该版本可再次部署。\n",
                                     "lifted: the release may be deployed again.\n");
                  });
    };
  });
}

}  // namespace posfleet::cli
