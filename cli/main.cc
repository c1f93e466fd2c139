// posfleet: the operator's command line. See README.md for a walk-through.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/http_client.h"
#include "core/signing.h"

namespace {

std::string env_or(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = posfleet::cli;
  using posfleet::cli::say;
  CLI::App app{
      say("posfleet：运维命令行（密钥、签名版本、终端、部署）",
          "posfleet: operator CLI for posfleet (keys, signed releases, terminals, deployments)")};
  app.require_subcommand(1);
  app.fallthrough();  // --server, --token and --json may follow the subcommand too
  cli::ServerOptions server{env_or("POSFLEET_SERVER"), env_or("POSFLEET_TOKEN"), false,
                            env_or("POSFLEET_CA_BUNDLE"),
                            env_or("POSFLEET_ALLOW_PLAIN_HTTP") == std::string("1")};
  app.add_option(
      "--server", server.server,
      say("posfleetd 地址（环境变量 POSFLEET_SERVER）", "posfleetd URL (env POSFLEET_SERVER)"));
  app.add_option(
      "--token", server.token,
      say("管理 API 令牌（环境变量 POSFLEET_TOKEN）", "management API token (env POSFLEET_TOKEN)"));
  app.add_flag("--json", server.json, say("输出 JSON", "print JSON"));
  app.add_option("--ca-bundle", server.ca_bundle,
                 say("只信任这个 CA（PEM）签发的服务器证书（环境变量 POSFLEET_CA_BUNDLE）",
                     "trust only server certificates issued by this CA (PEM) (env "
                     "POSFLEET_CA_BUNDLE)"));
  app.add_flag("--allow-plain-http", server.allow_plain_http,
               say("允许不加密的 http:// 地址（仅供开发；环境变量 POSFLEET_ALLOW_PLAIN_HTTP=1；"
                   "本机回环地址无需此项）",
                   "allow an unencrypted http:// server (development only; env "
                   "POSFLEET_ALLOW_PLAIN_HTTP=1; not needed for a loopback address)"));
  std::function<posfleet::Status()> action;

  auto* key = app.add_subcommand("key", say("签名密钥", "signing keys"))->require_subcommand(1);
  std::string key_out;
  auto* key_gen = key->add_subcommand(
      "generate", say("生成 ed25519 密钥对：OUT.key（私钥）和 OUT.pub",
                      "create an ed25519 key pair: OUT.key (secret) and OUT.pub"));
  key_gen
      ->add_option("--out", key_out,
                   say("路径前缀，例如 keys/release", "path prefix, e.g. keys/release"))
      ->required();
  key_gen->callback([&] { action = [&] { return cli::key_generate(key_out); }; });

  auto* release = app.add_subcommand("release", say("版本", "releases"))->require_subcommand(1);
  cli::CreateOptions create;
  auto* rc = release->add_subcommand("create",
                                     say("用组件文件生成未签名的版本目录",
                                         "make an unsigned release folder from component files"));
  rc->add_option("--dir", create.dir, say("要写入的版本目录", "release folder to write"))
      ->required();
  rc->add_option("--version", create.version,
                 say("版本号，例如 2.1.0", "release version, e.g. 2.1.0"))
      ->required();
  rc->add_option("--model", create.models,
                 say("适用的硬件型号（可重复）", "hardware model it is for (repeat)"))
      ->required();
  rc->add_option("--component", create.components,
                 say("NAME=FILE[@VERSION]（可重复）", "NAME=FILE[@VERSION] (repeat)"))
      ->required();
  rc->add_option("--notes-zh", create.notes_zh, say("中文版本说明", "release notes, Chinese"));
  rc->add_option("--notes-en", create.notes_en, say("英文版本说明", "release notes, English"));
  rc->add_option("--expires-days", create.expires_days,
                 say("签名清单多少天后过期", "days until the signed manifest expires"))
      ->capture_default_str();
  rc->add_option("--expires", create.expires_at,
                 say("过期时间（UTC），例如 2027-06-30T00:00:00Z",
                     "absolute expiry, UTC, e.g. 2027-06-30T00:00:00Z"));
  rc->add_option(
      "--mandatory", create.mandatory,
      say("商户不能跳过的组件（可重复）", "component the merchant cannot leave out (repeat)"));
  rc->add_option("--depends", create.depends,
                 say("NAME=OTHER：安装 NAME 时必须同时安装 OTHER（可重复）",
                     "NAME=OTHER: NAME needs OTHER installed with it (repeat)"));
  rc->add_flag("--security", create.security,
               say("标记为安全更新", "mark as a security-critical release"));
  rc->add_flag("--rollback", create.rollback,
               say("允许较新版本的终端安装此版本（回退）",
                   "allow terminals on a newer version to install this one"));
  rc->add_option("--sequence", create.sequence,
                 say("发布序号（默认：当前 Unix 时间）；终端拒绝低于已接受序号的发布",
                     "release sequence (default: now in unix seconds); terminals refuse a "
                     "release below one they accepted"));
  rc->add_option("--zchunk", create.zchunks,
                 say("NAME=FILE.zck：组件 NAME（.swu）所装映像的 zchunk 文件；只写 NAME："
                     "用组件文件本身生成（可重复）",
                     "NAME=FILE.zck: the zchunk file of the image component NAME (a .swu) "
                     "installs; NAME alone: make one of the component's file (repeat)"));
  rc->callback([&] { action = [&] { return cli::release_create(create); }; });

  std::string dir, key_file;
  auto* rs = release->add_subcommand("sign", say("用 .key 文件离线签名版本目录",
                                                 "sign a release folder offline with a .key file"));
  rs->add_option("--dir", dir, say("版本目录", "release folder"))->required();
  rs->add_option("--key", key_file, say("私钥文件（.key）", "secret key file (.key)"))->required();
  rs->callback([&] { action = [&] { return cli::release_sign(dir, key_file); }; });

  cli::DeltaOptions delta;
  auto* rd = release->add_subcommand(
      "delta", say("为新版本生成差分包（从旧版本的各组件），在签名之前运行",
                   "make delta patches from an older release's components to a new release's, "
                   "before signing it"));
  rd->add_option("--from", delta.from_dir, say("旧版本目录", "the older release folder"))
      ->required();
  rd->add_option("--to", delta.to_dir,
                 say("新版本目录（写入差分包）", "the new release folder (the patches go there)"))
      ->required();
  rd->callback([&] { action = [&] { return cli::release_delta(delta); }; });

  std::string zchunk_image;
  auto* rz = release->add_subcommand(
      "zchunk", say("为映像生成 zchunk 文件及其头部（供 swupdate 差分更新的 .swu 使用）",
                    "make the zchunk file of an image and its header (for a .swu that swupdate "
                    "updates by chunks)"));
  rz->add_option("IMAGE", zchunk_image, say("映像文件", "the image file"))->required();
  rz->callback([&] { action = [&] { return cli::release_zchunk(zchunk_image); }; });

  auto* rp = release->add_subcommand("publish", say("把已签名的版本目录上传到 posfleetd",
                                                    "upload a signed release folder to posfleetd"));
  rp->add_option("--dir", dir, say("版本目录", "release folder"))->required();
  rp->callback([&] { action = [&] { return cli::release_publish(server, dir); }; });
  release->add_subcommand("list", say("服务器上的版本", "releases on the server"))->callback([&] {
    action = [&] { return cli::release_list(server); };
  });

  auto* root = app.add_subcommand("root", say("信任根文档（可轮换的发布密钥）",
                                              "the root of trust (rotatable release keys)"))
                   ->require_subcommand(1);
  cli::RootInitOptions rinit;
  auto* ri = root->add_subcommand("init", say("生成根密钥、发布密钥和第 1 版根文档",
                                              "make root keys, release keys and root 1"));
  ri->add_option("--dir", rinit.dir, say("写入目录", "folder to write"))->required();
  ri->add_option("--root-keys", rinit.root_keys, say("根密钥数量", "number of root keys"));
  ri->add_option("--root-threshold", rinit.root_threshold,
                 say("根文档所需签名数", "root signatures required"));
  ri->add_option("--release-keys", rinit.release_keys,
                 say("发布密钥数量", "number of release keys"));
  ri->add_option("--release-threshold", rinit.release_threshold,
                 say("发布所需签名数", "release signatures required"));
  ri->add_option("--expires-days", rinit.expires_days, say("有效天数", "days until it expires"));
  ri->callback([&] { action = [&] { return cli::root_init(rinit); }; });
  cli::RootNextOptions rnext;
  auto* rn = root->add_subcommand(
      "next", say("生成下一版本（未签名）的根文档", "make the next root version, unsigned"));
  rn->add_option("--from", rnext.from, say("当前根文档", "the current root file"))->required();
  rn->add_option("--out", rnext.out, say("新根文档", "the new root file"))->required();
  rn->add_option("--root-key", rnext.root_keys,
                 say("新的根密钥 .pub（可重复；替换原列表）",
                     "new root key .pub (repeat; replaces the list)"));
  rn->add_option(
      "--release-key", rnext.release_keys,
      say("新的发布密钥 .pub（可重复；替换原列表，未列出的即被撤销）",
          "new release key .pub (repeat; replaces the list: a key left out is revoked)"));
  rn->add_option("--root-threshold", rnext.root_threshold,
                 say("根文档所需签名数", "root signatures required"));
  rn->add_option("--release-threshold", rnext.release_threshold,
                 say("发布所需签名数", "release signatures required"));
  rn->add_option("--expires-days", rnext.expires_days, say("有效天数", "days until it expires"));
  rn->callback([&] { action = [&] { return cli::root_next(rnext); }; });
  std::string root_file;
  auto* rsg =
      root->add_subcommand("sign", say("用一把根密钥签名根文档", "sign a root with a root key"));
  rsg->add_option("--file", root_file, say("根文档", "root file"))->required();
  rsg->add_option("--key", key_file, say("根私钥（.key）", "root secret key (.key)"))->required();
  rsg->callback([&] { action = [&] { return cli::root_sign(root_file, key_file); }; });
  auto* rpb = root->add_subcommand(
      "publish", say("把已签名的根文档上传到 posfleetd", "upload a signed root to posfleetd"));
  rpb->add_option("--file", root_file, say("根文档", "root file"))->required();
  rpb->callback([&] { action = [&] { return cli::root_publish(server, root_file); }; });

  auto* terminal = app.add_subcommand("terminal", say("终端", "terminals"))->require_subcommand(1);
  std::string serial, model, time_zone;
  bool token_only = false;
  auto* tr = terminal->add_subcommand(
      "register",
      say("登记终端；只显示一次它的 DDI 令牌", "register a terminal; prints its DDI token once"));
  tr->add_option("--serial", serial, say("序列号", "serial number"))->required();
  tr->add_option("--model", model, say("硬件型号", "hardware model"))->required();
  tr->add_flag("--token-only", token_only,
               say("只输出 DDI 令牌，例如 TOKEN=$(posfleet terminal register …)",
                   "print only the DDI token, e.g. TOKEN=$(posfleet terminal register …)"));
  tr->add_option("--time-zone", time_zone,
                 say("终端时区（IANA，例如 Asia/Urumqi）；默认取商户或全局的",
                     "its time zone (IANA, e.g. Asia/Urumqi); default: its merchant's or the "
                     "fleet's"));
  tr->callback([&] {
    action = [&] { return cli::terminal_register(server, serial, model, token_only, time_zone); };
  });
  auto* ts = terminal->add_subcommand(
      "show", say("终端的版本和部署", "a terminal's version and deployments"));
  ts->add_option("serial", serial, say("序列号", "serial number"))->required();
  ts->callback([&] { action = [&] { return cli::terminal_show(server, serial); }; });
  cli::ListPage page;
  auto page_opts = [&](CLI::App* c) {
    c->add_option("--limit", page.limit, say("每页行数，1-1000", "rows per page, 1-1000"))
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    c->add_option(
         "--offset", page.offset,
         say("跳过的行数（表格下方会给出下一页）", "rows to skip (the footer names the next page)"))
        ->check(CLI::NonNegativeNumber);
  };
  auto* tl =
      terminal->add_subcommand("list", say("终端列表，分页显示", "terminals, a page at a time"));
  page_opts(tl);
  tl->add_option("--after", page.after,
                 say("从这个序列号之后列起（表格下方会给出下一页；再深也一样快）",
                     "list from the serial after this one (the footer names the next page; as "
                     "quick however deep)"));
  tl->add_option("--filter", page.filters,
                 say("筛选条件 KEY=VALUE（可重复，须全部满足）：q、model、version、group、mode、"
                     "state、online、merchant、pending、organisation、health（low_storage、"
                     "weak_signal、low_battery）、not_seen_days",
                     "KEY=VALUE of the terminal filter (repeat; all must hold): q, model, "
                     "version, group, mode, state, online, merchant, pending, organisation, "
                     "health (low_storage, weak_signal, low_battery), not_seen_days"));
  tl->callback([&] { action = [&] { return cli::terminal_list(server, page); }; });

  cli::DeployOptions dep;
  auto* dp = app.add_subcommand("deploy",
                                say("把版本部署到一台终端、多台终端、一个分组或筛选出的终端",
                                    "assign a release to a terminal, a list, a group or a filter"));
  dp->add_option("--release", dep.release, say("版本号", "release version"))->required();
  dp->add_option("--terminal", dep.terminal, say("一台终端的序列号", "one terminal's serial"));
  dp->add_option("--terminals", dep.terminals,
                 say("序列号，用逗号分隔：A,B,C", "serials, comma-separated: A,B,C"))
      ->delimiter(',');
  dp->add_option("--group", dep.group, say("分组里的全部终端", "every terminal of a group"));
  dp->add_option("--filter", dep.filters,
                 say("终端筛选条件 KEY=VALUE（可重复，须全部满足）：q、model、version、group、"
                     "mode、state、online、merchant、pending、health、not_seen_days",
                     "KEY=VALUE of the terminal filter (repeat; all must hold): q, model, version, "
                     "group, mode, state, online, merchant, pending, health, not_seen_days"));
  dp->add_option("--reason", dep.reason,
                 say("原因（记入审计日志）", "why (kept in the audit log)"));
  dp->add_flag("--dry-run", dep.dry_run,
               say("只显示将创建多少个部署，不实际创建",
                   "show how many deployments it would create, create none"));
  dp->callback([&] { action = [&] { return cli::deploy(server, dep); }; });

  std::string id;
  auto* deployment =
      app.add_subcommand("deployment", say("部署", "deployments"))->require_subcommand(1);
  cli::DeploymentFilter df;
  auto* dl = deployment->add_subcommand(
      "list", say("部署列表，最新的在前，分页显示", "deployments, newest first, a page at a time"));
  dl->add_option("--release", df.release, say("只看这个版本", "of this release version"));
  dl->add_option("--terminal", df.terminal, say("只看这台终端", "of this terminal"));
  dl->add_option("--status", df.status,
                 say("scheduled、running、canceling、canceled 或 finished",
                     "scheduled, running, canceling, canceled or finished"))
      ->check(CLI::IsMember({"scheduled", "running", "canceling", "canceled", "finished"}));
  dl->add_option("--result", df.result, say("none、success 或 failure", "none, success or failure"))
      ->check(CLI::IsMember({"none", "success", "failure"}));
  page_opts(dl);
  dl->callback([&] {
    df.page = page;
    action = [&] { return cli::deployment_list(server, df); };
  });
  auto* ds = deployment->add_subcommand(
      "show", say("部署的状态和历史", "a deployment's status and history"));
  ds->add_option("id", id, say("部署编号", "deployment id"))->required();
  ds->callback([&] { action = [&] { return cli::deployment_show(server, id); }; });
  int wait_seconds = 600;
  auto* dw = deployment->add_subcommand(
      "wait", say("等待部署结束；未成功则返回失败",
                  "wait until a deployment has ended; fails unless it succeeded"));
  dw->add_option("id", id, say("部署编号", "deployment id"))->required();
  dw->add_option("--timeout", wait_seconds,
                 say("最多等待的秒数", "give up after this many seconds"))
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  dw->callback([&] { action = [&] { return cli::deployment_wait(server, id, wait_seconds); }; });
  auto* dc = deployment->add_subcommand(
      "cancel", say("请终端停止一个部署", "ask the terminal to stop a deployment"));
  dc->add_option("id", id, say("部署编号", "deployment id"))->required();
  dc->callback([&] { action = [&] { return cli::deployment_cancel(server, id); }; });

  cli::add_fleet_commands(app, server, action);
  cli::add_credential_commands(app, server, action);
  cli::add_device_commands(app, server, action);
  cli::add_account_commands(app, server, action);
  cli::add_webhook_commands(app, server, action);
  cli::add_rollout_commands(app, server, action);
  cli::add_freeze_commands(app, server, action);
  cli::add_org_commands(app, server, action);
  cli::add_param_commands(app, server, action);
  cli::add_control_commands(app, server, action);
  cli::add_health_commands(app, server, action);
  cli::add_import_commands(app, server, action);

  CLI11_PARSE(app, argc, argv);
  if (!posfleet::init_crypto()) return 1;
  posfleet::HttpClient::global_init();
  auto status = action();
  if (!status) {
    // Messages from the server are cleaned where they are read (api_client.h).
    std::cerr << "posfleet: " << status.error().message
              << (status.error().context.empty() ? "" : " [" + status.error().context + "]")
              << "\n";
    return status.error().code == posfleet::Code::kNotFound ? 3 : 1;
  }
  return 0;
}
