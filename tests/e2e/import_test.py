"""End to end, real processes: importing terminals from a file (issue 16).

An operator imports a CSV (Chinese header, quoted fields, a byte-order mark as Excel writes it)
with the CLI. A dry run of a file with bad rows names each by line and field — a malformed
serial, a serial twice, one already registered, a missing model, an unknown merchant, an
unknown time zone — and writes nothing; importing it for real also writes nothing. Corrected,
the file imports whole: each terminal with its merchant organisation, group and zone, and a
token that a real poll is accepted with. Both backends (e2e_import_pg).
"""
import json
import os
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Cli, FleetTestCase  # noqa: E402


class ImportTest(FleetTestCase, unittest.TestCase):

    def write(self, name, text):
        path = os.path.join(self.ws.path, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_bad_rows_by_line_and_field_then_all_or_none(self):
        shop = self.cli.json("org", "add", "西湖茶馆", "--kind", "merchant")
        self.cli.json("terminal", "register", "--serial", "IMP-OLD", "--model", "A920")
        bad = self.write("bad.csv", "\ufeff序列号,型号,商户,分组,时区\n"
                                    f"IMP-1,A920,{shop['id']},\"门店,一楼\",Asia/Shanghai\n"
                                    "IMP 2,A920,,,\n"
                                    "IMP-1,A920,,,\n"
                                    "IMP-OLD,A920,,,\n"
                                    "IMP-3,,,,\n"
                                    "IMP-4,A920,99999,,\n"
                                    "IMP-5,A920,,,Mars/Olympus\n")
        for args in (("--dry-run",), ()):
            run = self.cli.run("terminal", "import", bad, *args, check=False)
            self.assertNotEqual(run.returncode, 0)
            out = run.stdout + run.stderr
            for line, field, words in ((3, "serial", "the serial must be 1-64 letters"),
                                       (4, "serial", "the same serial as line 2"),
                                       (5, "serial", "a terminal with this serial is registered already"),
                                       (6, "model", "the model is missing"),
                                       (7, "merchant", "no such merchant"),
                                       (8, "time_zone", "an unknown time zone")):
                self.assertIn(f"line {line} {field}: {words}", out)
            self.assertIn("nothing was imported", out)
            self.assertNotIn("IMP-1", [t["serial"] for t in self.cli.json("terminal", "list")["terminals"]])
        # In Chinese too.
        zh = Cli(self.server, self.ws.path, env={"LANG": "zh_CN.UTF-8"}).run("terminal", "import", bad, "--dry-run",
                                                                               check=False)
        self.assertIn("第 4 行 serial：与第 2 行的序列号重复", zh.stdout, zh.stdout + zh.stderr)

        good = self.write("good.csv", "serial,model,merchant,group,time_zone\r\n"
                                      f"IMP-1,A920,{shop['id']},\"门店,一楼\",Asia/Shanghai\r\n"
                                      "IMP-2,A80,,,\r\n")
        self.cli.run("terminal", "import", good, "--dry-run")
        self.assertNotIn("IMP-2", [t["serial"] for t in self.cli.json("terminal", "list")["terminals"]])
        tokens = os.path.join(self.ws.path, "tokens.csv")
        self.cli.run("terminal", "import", good, "--tokens-out", tokens)
        self.assertEqual(os.stat(tokens).st_mode & 0o777, 0o600)
        with open(tokens) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "serial,token")
        token = dict(line.split(",") for line in lines[1:])
        one = self.cli.json("terminal", "show", "IMP-1")
        self.assertEqual((one["group"], one["time_zone"]), ("门店,一楼", "Asia/Shanghai"))
        orgs = self.cli.json("org", "list")["organisations"]
        self.assertEqual({o["name"]: o["terminals"] for o in orgs}["西湖茶馆"], 1)
        # The token a terminal gets is the one its polls are accepted with.
        req = urllib.request.Request(f"{self.server.url}/DEFAULT/controller/v1/IMP-2",
                                     headers={"Authorization": "TargetToken " + token["IMP-2"]})
        with urllib.request.urlopen(req, timeout=10) as r:
            status = r.status
        self.assertEqual(status, 200)
        again = self.cli.run("terminal", "import", good, check=False)
        self.assertIn("registered already", again.stdout + again.stderr)
        actions = [e["action"] for e in self.cli.json("audit", "list")["entries"]]
        self.assertIn("terminal.import", actions)


if __name__ == "__main__":
    unittest.main()
