"""The posfleet CLI as a person and a script read it, through the real binary
against a real posfleetd: every command prints text for people by default
(Chinese with LANG=zh_CN.UTF-8, English with LANG=C, times in local time) and
exact JSON with --json; deploy reaches a list, a group or a filter;
`deployment list` filters and pages; an error answer is shown as its code and
message, cleaned, never as the raw body.
"""
import http.server
import json
import os
import subprocess
import sys
import threading
import unittest
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BOOTSTRAP_TOKEN, FleetTestCase, binary  # noqa: E402

ZH = {"LANG": "zh_CN.UTF-8"}
EN = {"LANG": "C"}


class CliTest(FleetTestCase, unittest.TestCase):
    def run_cli(self, *args, env=EN, server=None, check=True):
        full = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "TZ")}
        full.update(POSFLEET_SERVER=server or self.server.url, POSFLEET_TOKEN=BOOTSTRAP_TOKEN, **env)
        p = subprocess.run([binary("POSFLEET_CLI"), *args], cwd=self.ws.path, env=full, capture_output=True,
                           timeout=60)
        out, err = p.stdout.decode("utf-8"), p.stderr.decode("utf-8")  # must be valid UTF-8, whatever the server sent
        if check and p.returncode != 0:
            raise AssertionError(f"posfleet {' '.join(args)} failed ({p.returncode}):\n{out}{err}")
        return p.returncode, out, err

    def publish(self, version, models=("A920",), extra=()):
        with open(os.path.join(self.ws.path, f"os-{version}.img"), "wb") as f:
            f.write(os.urandom(20_000))
        args = ["release", "create", "--dir", f"rel-{version}", "--version", version,
                "--component", f"os=os-{version}.img", *extra]
        for m in models:
            args += ["--model", m]
        self.cli.run(*args)
        self.cli.run("release", "sign", "--dir", f"rel-{version}", "--key", "keys/release.key")
        self.cli.run("release", "publish", "--dir", f"rel-{version}")

    def fleet(self):
        """Release 2.1.0 (A920), terminals PF-1..PF-3 (A920, two in group north) and PF-9 (A930)."""
        self.publish("2.1.0")
        for serial, model in (("PF-1", "A920"), ("PF-2", "A920"), ("PF-3", "A920"), ("PF-9", "A930")):
            self.cli.run("terminal", "register", "--serial", serial, "--model", model)
        for serial in ("PF-1", "PF-2"):
            self.cli.run("terminal", "group", serial, "--group", "north")

    def assert_human(self, args, zh_words, en_words, en_args=None, json_args=None, data_in_chinese=False):
        """Runs args with LANG=zh_CN.UTF-8, en_args (default: args) with LANG=C and json_args
        (default: args) with --json: no raw JSON in the first two, each language's words
        there, no Chinese in the English unless the data is; returns the parsed JSON."""
        _, zh, _ = self.run_cli(*args, env=ZH)
        _, en, _ = self.run_cli(*(en_args or args), env=EN)
        for text, words in ((zh, zh_words), (en, en_words)):
            self.assertNotIn('{"', text, f"raw JSON from {args}: {text}")
            for w in words:
                self.assertIn(w, text, f"{args}: {text}")
        if not data_in_chinese:
            self.assertFalse(any("\u4e00" <= ch <= "\u9fff" for ch in en), f"{args} in English shows Chinese: {en}")
        _, out, _ = self.run_cli("--json", *(json_args or args))
        return json.loads(out)

    # every command ---------------------------------------------------------

    def test_every_command_prints_for_people_by_default_and_exact_json_with_flag(self):
        self.fleet()
        self.publish("2.2.0", extra=("--security",))
        deadline = (datetime.now(timezone.utc) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assert_human(("release", "list"), ["版本", "2.1.0", "是"], ["VERSION", "2.1.0", "yes"])
        self.assert_human(("terminal", "list"), ["序列号", "PF-9", "共 4"], ["SERIAL", "PF-9", "of 4 terminals"])
        page = self.assert_human(("terminal", "list", "--limit", "2", "--after", "PF-1"),
                                 ["PF-2", "PF-3", "在 PF-1 之后", "下一页：--after PF-3"],
                                 ["PF-2", "PF-3", "2 after PF-1 (of 4)", "next page: --after PF-3"])
        self.assertEqual([t["serial"] for t in page["terminals"]], ["PF-2", "PF-3"])
        self.assertEqual(page["next_after"], "PF-3")
        self.assert_human(("terminal", "show", "PF-1"), ["终端 PF-1", "分组"], ["terminal PF-1", "group"])
        self.assert_human(("terminal", "group", "PF-3", "--group", "south"), ["现属于分组 south"],
                          ["is in group south"])
        self.assert_human(("policy", "show", "--group", "north"), ["更新模式"], ["mode"])
        deploy = ("deploy", "--release", "2.1.0", "--terminal")
        d = self.assert_human((*deploy, "PF-1"), ["部署 1", "待开始"], ["deployment 2", "scheduled"],
                              en_args=(*deploy, "PF-2"), json_args=(*deploy, "PF-3"))
        self.assertEqual((d["id"], d["terminal"], d["status"]), (3, "PF-3", "scheduled"))
        self.assert_human(("deployment", "show", "1"), ["到终端 PF-1"], ["to terminal PF-1"])
        self.assert_human(("deployment", "list"), ["编号", "PF-1", "共 3 个部署"], ["ID", "PF-1", "1-3 of 3 deployments"])
        self.assert_human(("release", "deadline", "2.2.0", "--deadline", deadline, "--reason", "bank"),
                          ["截止时间"], ["deadline"])
        m = self.assert_human(("merchant", "create", "--name", "张三", "--phone", "13800138000", "--resident-id",
                               "11010519491231002X"), ["商户 1"], ["merchant 2"], data_in_chinese=True)
        self.assertEqual(m["phone"], "138****8000")
        self.assert_human(("merchant", "link", "1", "--terminal", "PF-1"), ["终端 PF-1"], ["terminal PF-1"],
                          data_in_chinese=True)
        self.assert_human(("support", "tickets"), ["没有"], ["no tickets"])
        self.assert_human(("support", "verify", "--terminal", "PF-1", "--name", "张三", "--id-last4", "002X"),
                          ["验证码已发送到 138****8000"], ["code sent to 138****8000"])
        self.assert_human(("sms", "outbox"), ["code is"], ["code is"], data_in_chinese=True)
        self.assert_human(("deployment", "cancel", "1"), ["已取消"], ["canceled"], en_args=("deployment", "cancel", "2"),
                          json_args=("deployment", "cancel", "3"))

    def test_help_is_in_the_readers_language(self):
        self.assertIn("把版本部署到一台终端、多台终端、一个分组或筛选出的终端", self.run_cli("--help", env=ZH)[1])
        self.assertIn("assign a release to a terminal, a list, a group or a filter", self.run_cli("--help")[1])
        self.assertIn("终端筛选条件", self.run_cli("deploy", "--help", env=ZH)[1])

    def test_times_are_shown_in_the_readers_time_zone(self):
        self.fleet()
        expires = self.cli.json("release", "list")["releases"][0]["expires"]
        utc = datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ")
        shanghai = (utc + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S CST")
        _, out, _ = self.run_cli("release", "list", env={"LANG": "C", "TZ": "Asia/Shanghai"})
        self.assertIn(shanghai, out)
        _, out, _ = self.run_cli("release", "list", env={"LANG": "C", "TZ": "UTC"})
        self.assertIn(utc.strftime("%Y-%m-%d %H:%M:%S UTC"), out)

    # deploy to many --------------------------------------------------------

    def test_deploy_to_a_list_a_group_and_a_filter(self):
        self.fleet()
        preview = json.loads(self.run_cli("--json", "deploy", "--release", "2.1.0", "--filter", "model=A920",
                                          "--dry-run")[1])
        self.assertEqual((preview["matched"], preview["created"], preview["dry_run"]), (3, 3, True))
        self.assertEqual(self.cli.json("deployment", "list")["total"], 0)  # a preview creates nothing

        _, out, _ = self.run_cli("deploy", "--release", "2.1.0", "--terminals", "PF-1,PF-9")
        self.assertIn("created 1 deployments", out)
        self.assertIn("wrong model 1", out)
        _, out, _ = self.run_cli("deploy", "--release", "2.1.0", "--group", "north", env=ZH)
        self.assertIn("已创建 1 个部署", out)
        self.assertIn("已有未完成的部署 1", out)
        d = json.loads(self.run_cli("--json", "deploy", "--release", "2.1.0", "--filter", "model=A920")[1])
        self.assertEqual(d["created"], 1)  # PF-3, the one left
        self.assertEqual(sorted(x["terminal"] for x in self.cli.json("deployment", "list")["deployments"]),
                         ["PF-1", "PF-2", "PF-3"])

        rc, _, err = self.run_cli("deploy", "--release", "2.1.0", "--group", "north", "--terminal", "PF-1",
                                  check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("exactly one target", err)
        rc, _, err = self.run_cli("deploy", "--release", "2.1.0", "--filter", "colour=red", check=False)
        self.assertIn("not a filter field", err)
        self.assertIn("[invalid_argument, HTTP 400]", err)

    # deployment list -------------------------------------------------------

    def test_deployment_list_filters_and_pages(self):
        self.fleet()
        self.publish("2.0.0")
        self.cli.run("deploy", "--release", "2.1.0", "--terminals", "PF-1,PF-2")
        self.cli.run("deploy", "--release", "2.0.0", "--terminal", "PF-3")
        self.cli.run("deployment", "cancel", "1")
        by_release = self.cli.json("deployment", "list", "--release", "2.1.0")
        self.assertEqual((by_release["total"], [d["id"] for d in by_release["deployments"]]), (2, [2, 1]))
        self.assertEqual([d["id"] for d in self.cli.json("deployment", "list", "--terminal", "PF-3")["deployments"]],
                         [3])
        self.assertEqual([d["id"] for d in self.cli.json("deployment", "list", "--status", "canceled")
                          ["deployments"]], [1])
        page = self.cli.json("deployment", "list", "--limit", "1", "--offset", "1")
        self.assertEqual((page["total"], page["limit"], [d["id"] for d in page["deployments"]]), (3, 1, [2]))
        _, out, _ = self.run_cli("deployment", "list", "--limit", "1")
        self.assertIn("1-1 of 3 deployments; next page: --offset 1", out)
        _, out, _ = self.run_cli("deployment", "list", "--limit", "1", env=ZH)
        self.assertIn("1-1 / 共 3 个部署；下一页：--offset 1", out)
        rc, _, err = self.run_cli("deployment", "list", "--limit", "5000", check=False)
        self.assertNotEqual(rc, 0)  # paging is bounded
        rc, _, err = self.run_cli("deployment", "list", "--release", "9.9.9", check=False)
        self.assertEqual(rc, 3)
        self.assertIn("[not_found, HTTP 404]", err)

    # errors ----------------------------------------------------------------

    def test_server_errors_show_code_and_message_never_the_raw_body(self):
        self.fleet()
        rc, out, err = self.run_cli("deploy", "--release", "9.9.9", "--terminal", "PF-1", check=False)
        self.assertEqual(rc, 3)
        self.assertEqual(out, "")
        self.assertIn("posfleet: deploy 9.9.9 to PF-1: ", err)
        self.assertIn("[not_found, HTTP 404]", err)
        self.assertNotIn("{", err)
        _, _, err = self.run_cli("deploy", "--release", "9.9.9", "--terminal", "PF-1", env=ZH, check=False)
        self.assertIn("部署 9.9.9 到 PF-1", err)

        # A hostile or wrong server: HTML, escape sequences and broken UTF-8 in
        # its answers reach the operator's terminal only as clean text.
        bodies = {"/api/v1/releases": (502, b"<html><body>Bad gateway \x1b[2J</body></html>"),
                  "/api/v1/terminals?limit=50&offset=0":
                      (409, b'{"error":{"code":"conflict\\u001b[31m","message":"bad \\u202e\\u001b]0;pwned\\u0007"}}'),
                  "/api/v1/deployments?limit=50&offset=0": (200, b"<!doctype html><html>console</html>")}

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                status, body = bodies.get(self.path, (404, b""))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{httpd.server_address[1]}"
            for args in (("release", "list"), ("terminal", "list"), ("deployment", "list")):
                rc, out, err = self.run_cli(*args, server=url, check=False)
                self.assertNotEqual(rc, 0, args)
                self.assertNotIn("<html", err.lower())
                self.assertNotIn("\x1b", err)
                self.assertNotIn("\x07", err)
            _, _, err = self.run_cli("release", "list", server=url, check=False)
            self.assertIn("not a posfleet error (is --server the posfleetd URL?) [HTTP 502]", err)
            _, _, err = self.run_cli("terminal", "list", server=url, check=False)
            self.assertIn("list terminals: bad  ", err)
            self.assertIn("]0;pwned", err)
            self.assertIn("[conflict [31m, HTTP 409]", err)
            self.assertNotIn("\u202e", err)
            _, _, err = self.run_cli("deployment", "list", server=url, check=False)
            self.assertIn("not JSON (is --server the posfleetd URL?)", err)
        finally:
            httpd.shutdown()
            httpd.server_close()


if __name__ == "__main__":
    unittest.main()
