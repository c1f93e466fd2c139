"""End to end: the terminal's POS menu (`posfleet-agent menu`) driven through a
real pseudo-terminal (tmux) against a running agent daemon and posfleetd.
The merchant turns automatic updates off (seed §1.1) or on, in Chinese and in
English; an operator's lock is shown and enforced; a support ticket reaches the
back office (seed §1.3); About shows the terminal.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, Cli, Server, Workspace, binary, publish_release, wait_until  # noqa: E402


class Menu:
    """One program in a tmux pane of its own, on a private tmux server whose
    socket lives in `workdir` (removed with it).

    Output is read from the pane's whole history; expect() only looks at what
    came after the text the previous expect() consumed, so a screen drawn
    again (same title) is told apart from its earlier drawing."""

    def __init__(self, command, workdir, width=100, height=40):
        self.socket_path = os.path.join(workdir, "tmux-" + uuid.uuid4().hex[:8])
        # UTF-8 forced (-u, C.UTF-8) so Chinese renders whatever locale ctest runs in.
        self.env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
        # The shell keeps the pane open after the menu exits, so its last screen
        # and its exit code stay readable.
        shell = f"{shlex.join(command)}; echo \"[menu exited $?]\"; sleep 600"
        self._tmux("new-session", "-d", "-x", str(width), "-y", str(height), "-s", "menu", shell)
        self.mark = 0

    def _tmux(self, *args):
        return subprocess.run(["tmux", "-u", "-f", "/dev/null", "-S", self.socket_path, *args], env=self.env,
                              capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=10,
                              check=True).stdout

    def text(self):
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "menu").rstrip()

    def expect(self, *fragments, timeout=30):
        """Waits until the fragments appear in output newer than the last
        expect(), each after the one before it (so a line a screen ends with is
        not taken from the screen before it); returns that new output."""
        def in_order(new):
            at = 0
            for f in fragments:
                at = new.find(f, at)
                if at < 0:
                    return False
                at += len(f)
            return True

        def seen():
            new = self.text()[self.mark:]
            return new if in_order(new) else None
        new = wait_until(f"menu to show {fragments!r}", seen, timeout=timeout)
        self.mark += len(new)
        return new

    def send(self, *lines):
        """Types each line literally and presses Enter after it. The menu reads
        line by line, so several lines may be sent before it draws anything."""
        for line in lines:
            if line:
                self._tmux("send-keys", "-t", "menu", "-l", line)
            self._tmux("send-keys", "-t", "menu", "Enter")

    def close(self):
        subprocess.run(["tmux", "-S", self.socket_path, "kill-server"], env=self.env, capture_output=True, timeout=10)
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)


class MenuTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("tmux"):
            raise AssertionError("tmux is not installed; the menu tests need it (scripts/install-deps.sh installs it)")

    def setUp(self):
        # A short name: the agent's socket path must fit in sun_path (107 bytes).
        self.ws = Workspace("menu")
        self.server = Server(self.ws.path)
        self.cli = Cli(self.server, self.ws.path)
        self.cli.run("key", "generate", "--out", "keys/release")
        self.agent = None
        self.menus = []

    def tearDown(self):
        failed = any(e for t, e in (self._outcome.result.errors + self._outcome.result.failures)
                     if t is self) if hasattr(self._outcome, "result") else False
        for m in self.menus:
            if failed:
                print(f"--- menu screen ---\n{m.text()}", file=sys.stderr)
            m.close()
        if self.agent:
            self.agent.stop()
            if failed:
                print(f"--- agent log ---\n{self.agent.output()}", file=sys.stderr)
        self.server.stop()
        if failed:
            print("--- posfleetd log ---\n" + self.server.output(), file=sys.stderr)
        self.ws.cleanup()

    # helpers ---------------------------------------------------------------

    def start_terminal(self, serial):
        reg = self.cli.json("terminal", "register", "--serial", serial, "--model", "A920")
        self.agent = Agent(self.ws.path, self.server.url, serial, reg["token"], "A920",
                           [os.path.join(self.ws.path, "keys/release.pub")])
        self.agent.start()  # returns once the local socket answers
        return self.agent

    def open_menu(self, *extra):
        menu = Menu([binary("POSFLEET_AGENT"), "-c", self.agent.config_path, "menu", *extra], self.ws.path)
        self.menus.append(menu)
        return menu

    def release(self, version):
        publish_release(self.cli, self.ws.path, version)

    def set_hw(self, name, content):
        d = os.path.join(self.agent.device_dir, "hw")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name + ".json.new"), "w") as f:
            json.dump(content, f)
        os.replace(os.path.join(d, name + ".json.new"), os.path.join(d, name + ".json"))

    def boots(self):
        with open(os.path.join(self.agent.device_dir, "boot.json")) as f:
            return json.load(f)["boots"]

    def server_mode(self, serial):
        return self.cli.json("policy", "show", "--terminal", serial)["effective"]["mode"]

    def wait_server_mode(self, serial, mode):
        wait_until(f"the server's policy for {serial} to be {mode}", lambda: self.server_mode(serial) == mode)

    # scenarios -------------------------------------------------------------

    def test_turning_updates_off_in_chinese_reaches_the_server(self):
        self.start_terminal("PF0101")
        m = self.open_menu()
        m.expect("== 主菜单 ==", "1. 设置", "2. 关于本机", "3. 联系客服", "0. 退出")
        m.send("1")
        m.expect("== 设置 ==", "1. 软件更新", "2. 语言 / Language")
        m.send("1")
        m.expect("== 软件更新 ==", "1. 自动更新（当前：开启）", "2. 检查更新", "3. 更新通知")
        m.send("1")
        m.expect("== 自动更新 ==", "当前：开启", "1. 开启", "2. 手动", "3. 永不")
        m.send("3")
        m.expect("== 确认关闭更新 ==", "交易安全", "1. 确认", "0. 取消")
        m.send("1")
        m.expect("== 自动更新 ==")
        self.wait_server_mode("PF0101", "never")
        # Each screen is drawn afresh from the daemon: leave and come back.
        m.send("0", "1")
        m.expect("== 自动更新 ==", "当前：永不")
        m.send("0", "0", "0", "0")
        m.expect("[menu exited 0]")

    def test_english_by_flag_turns_updates_on(self):
        self.start_terminal("PF0102")
        m = self.open_menu("--lang", "en")
        m.expect("== Main menu ==", "1. Settings", "0. Exit")
        m.send("1", "1", "1")
        m.expect("== Automatic update ==", "1. On", "2. Manual", "3. Never", "0. Back")
        m.send("2")  # Manual first, so that On is a real change
        m.expect("== Automatic update ==")
        self.wait_server_mode("PF0102", "manual")
        m.send("1")
        m.expect("== Automatic update ==")
        self.wait_server_mode("PF0102", "auto")
        m.send("0", "1")
        m.expect("== Automatic update ==", "Current: On")

    def test_english_chosen_in_settings(self):
        self.start_terminal("PF0103")
        m = self.open_menu()
        m.expect("== 主菜单 ==")
        m.send("1", "2")
        m.expect("== 语言 / Language ==", "1. 中文", "2. English")
        m.send("2")
        m.expect("Language set to English.", "== Settings ==", "1. Software update")
        self.assertEqual(self.agent.call({"cmd": "status"})["language"], "en")
        # The setting outlives this menu: the next one starts in English.
        m.send("0", "0")
        m.expect("[menu exited 0]")
        self.open_menu().expect("== Main menu ==")

    def test_a_locked_policy_is_shown_with_its_reason_and_refused(self):
        self.start_terminal("PF0104")
        self.cli.run("policy", "set", "--terminal", "PF0104", "--mode", "auto", "--lock", "--lock-reason", "peak season", "--reason", "peak season")

        def locked():
            policy = self.agent.call({"cmd": "status"})["policy"]
            return policy["locked"] and policy.get("lock_reason") == "peak season"
        wait_until("the agent to learn of the lock", locked)
        m = self.open_menu()
        m.expect("== 主菜单 ==")
        m.send("1", "1", "1")
        m.expect("== 自动更新 ==", "已由管理员锁定：peak season", "1. 开启（已锁定）", "3. 永不（已锁定）")
        m.send("3")
        m.expect("无法更改：已由管理员锁定：peak season", "== 自动更新 ==")
        self.assertNotIn("== 确认关闭更新 ==", m.text())
        time.sleep(1)  # a change, had one slipped through, would reach the server within a poll
        self.assertEqual(self.server_mode("PF0104"), "auto")

    def test_contact_support_creates_a_ticket(self):
        self.start_terminal("PF0105")
        m = self.open_menu()
        m.expect("== 主菜单 ==")
        m.send("3")
        m.expect("== 联系客服 ==", "PF0105", "请输入留言")
        m.send("please turn off updates")
        done = m.expect("已创建客服工单", "0. 返回")

        def listed():
            out = self.cli.json("support", "tickets")
            tickets = out.get("tickets", out) if isinstance(out, dict) else out
            return [t for t in tickets if "PF0105" in json.dumps(t)]
        tickets = wait_until("the ticket in the back office", listed)
        self.assertIn("please turn off updates", json.dumps(tickets, ensure_ascii=False))
        self.assertIn(str(tickets[0]["id"]), done)

    def test_a_refused_or_over_quota_ticket_does_not_wedge_the_queue(self):
        # A ticket the server refuses for good (too long: kept by an older agent
        # before the menu counted characters) sits at the head of the queue.
        reg = self.cli.json("terminal", "register", "--serial", "PF0109", "--model", "A920")
        self.agent = Agent(self.ws.path, self.server.url, "PF0109", reg["token"], "A920",
                           [os.path.join(self.ws.path, "keys/release.pub")])
        os.makedirs(os.path.join(self.agent.device_dir, "state"), exist_ok=True)
        with open(os.path.join(self.agent.device_dir, "state", "terminal.json"), "w") as f:
            json.dump({"queued_tickets": ["打" * 2001]}, f)
        self.agent.start()

        def notice(kind):
            out = self.agent.call({"cmd": "notifications"})["notifications"]
            return [n for n in out if n["kind"] == kind]
        refused = wait_until("the merchant to be told of the refused ticket",
                             lambda: notice("ticket_refused"))
        self.assertIn("2000", refused[0]["text"]["en"])
        self.assertIn("重新提交", refused[0]["text"]["zh-CN"])
        # It no longer blocks the next one; the menu itself counts characters.
        first = self.agent.call({"cmd": "ticket", "message": "打" * 2000})
        self.assertIn("ticket_id", first, first)
        too_long = self.agent.call({"cmd": "ticket", "message": "打" * 2001})
        self.assertFalse(too_long["ok"])
        self.assertIn("2000", too_long["message_zh"])
        for i in range(19):
            self.assertIn("ticket_id", self.agent.call({"cmd": "ticket", "message": f"ticket {i}"}))
        # The 21st of the day: the merchant hears of the daily limit, not "offline".
        over = self.agent.call({"cmd": "ticket", "message": "ticket 21"})
        self.assertTrue(over.get("deferred"), over)
        self.assertIn("20", over["message_en"])
        self.assertIn("上限", over["message_zh"])
        self.assertTrue(notice("ticket_deferred"))
        # The loop keeps polling meanwhile: a change of policy still arrives.
        self.cli.run("policy", "set", "--terminal", "PF0109", "--mode", "never",
                     "--reason", "merchant asked")
        wait_until("the agent to learn of never",
                   lambda: self.agent.call({"cmd": "status"})["policy"]["mode"] == "never")
        out = self.cli.json("support", "tickets")
        tickets = out.get("tickets", out) if isinstance(out, dict) else out
        self.assertEqual(len([t for t in tickets if "PF0109" in json.dumps(t)]), 20)

    def test_about_shows_version_and_serial(self):
        self.start_terminal("PF0106")
        m = self.open_menu()
        m.expect("== 主菜单 ==")
        m.send("2")
        m.expect("== 关于本机 ==", "软件版本：1.0.0", "序列号：PF0106", "型号：A920", "0. 返回")

    def test_check_with_updates_off_says_one_waits_and_how_to_turn_them_on(self):
        self.start_terminal("PF0108")
        self.cli.run("policy", "set", "--terminal", "PF0108", "--mode", "never", "--reason", "merchant asked")
        wait_until("the agent to learn of never", lambda: self.agent.call({"cmd": "status"})["policy"]["mode"] == "never")
        self.release("2.0.0")
        self.cli.json("deploy", "--release", "2.0.0", "--terminal", "PF0108")
        m = self.open_menu()
        m.expect("== 主菜单 ==")
        m.send("1", "1", "2")
        screen = m.expect("== 检查更新 ==", "0. 返回")
        self.assertIn("有可用更新 2.0.0，但自动更新已关闭（永不），不会安装", screen)
        self.assertIn("设置 → 软件更新 → 自动更新", screen)
        self.assertNotIn("没有可用更新", screen)

    def test_restart_from_the_menu_resumes_the_update_and_the_screen_follows_it(self):
        self.cli.run("policy", "set", "--window", "00:00-00:00", "--reason", "installs at any hour in this test")
        self.start_terminal("PF0109")
        self.agent.stop()
        self.agent.write_config(precheck_retry_seconds=1)
        self.set_hw("battery", {"percent": 12, "mains": False})  # the update waits in its pre-checks
        self.agent.start()
        self.release("2.0.0")
        dep = self.cli.json("deploy", "--release", "2.0.0", "--terminal", "PF0109")["id"]
        wait_until("the update to wait for the battery", lambda: self.agent.call({"cmd": "status"})["update_state"] == "precheck")
        boots = self.boots()
        m = self.open_menu()
        m.expect("== 主菜单 ==")
        m.send("1")
        m.expect("== 设置 ==", "3. 重启设备", "4. 恢复默认设置")
        m.send("3")
        m.expect("== 重启设备 ==", "正在进行的更新会在重启后继续", "1. 确认重启", "0. 取消")
        m.send("1")
        screen = m.expect("【已完成】设备已重启，软件版本 1.0.0", "正在更新：正在做安装前检查", timeout=90)
        self.assertNotIn("precheck", screen)
        self.assertEqual(self.boots(), boots + 1)
        self.assertIn("restart: device rebooted", self.agent.output())
        # The software update screen follows the update by itself, no key pressed.
        m.send("0", "1")
        m.expect("== 软件更新 ==", "正在更新：")
        self.set_hw("battery", {"percent": 12, "mains": True})
        m.expect("【已完成】已更新到版本 2.0.0，运行正常。", timeout=60)
        self.assertEqual(self.cli.json("deployment", "show", str(dep))["status"], "finished")
        m.send("0", "0", "2")
        about = m.expect("== 关于本机 ==", "0. 返回")
        self.assertIn("软件版本：2.0.0", about)
        self.assertRegex(about, r"最近一次更新：版本 2\.0\.0，成功（\d{4}-\d\d-\d\d \d\d:\d\d）")
        self.assertNotIn("UTC", about)
        self.assertNotIn("installed 2.0.0 on slot", about)

    def test_reset_settings_goes_back_to_the_fleet_setting_and_keeps_the_sales(self):
        self.start_terminal("PF0110")
        subprocess.run([binary("POSFLEET_AGENT"), "-c", self.agent.config_path, "pay", "--amount", "100", "--id",
                        "T-1"], check=True, capture_output=True, timeout=60)
        journal = os.path.join(self.agent.device_dir, "data", "journal.jsonl")
        with open(journal) as f:
            sales = f.read()
        self.agent.call({"cmd": "set", "key": "update-mode", "value": "never"})
        self.wait_server_mode("PF0110", "never")
        m = self.open_menu()
        m.expect("== 主菜单 ==")
        m.send("1", "4")
        m.expect("== 恢复默认设置 ==", "交易记录、商户数据和语言设置都会保留", "1. 确认恢复", "0. 取消")
        m.send("1")
        m.expect("【已完成】已恢复默认设置：自动更新为开启")
        self.wait_server_mode("PF0110", "auto")
        entries = self.server.api("GET", "/api/v1/audit?limit=5000")["entries"]
        reset = [e for e in entries if e["action"] == "policy.reset.applied"]
        self.assertEqual(len(reset), 1, entries[-5:])
        self.assertEqual((reset[0]["path"], reset[0]["target"]), ("terminal", "terminal:PF0110"))
        with open(journal) as f:
            self.assertEqual(f.read(), sales)

    def test_without_the_daemon_the_menu_says_what_to_do(self):
        reg = self.cli.json("terminal", "register", "--serial", "PF0107", "--model", "A920")
        agent = Agent(self.ws.path, self.server.url, "PF0107", reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")])
        p = subprocess.run([binary("POSFLEET_AGENT"), "-c", agent.config_path, "menu"], input="",
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("无法连接更新服务，请确认 posfleet-agent run 正在运行", p.stdout)


if __name__ == "__main__":
    unittest.main()
