"""End to end, real processes: a stuck deployment times out (docs/rollouts.md § Stuck terminals).

posfleetd sweeps for stuck deployments every 300 ms; the fleet's downloading limit is set short
through the CLI (PUT /api/v1/fleet/timeouts). A real posfleet-agent fetches its deployment
through a proxy that hangs the artifact download half-way; the agent is then killed mid-download
(a terminal switched off) and posfleetd stopped before the limit passes and started after it: the
timer lives in the database, so the new process ends the deployment `timed_out`, with its last feedback in its message, on the
terminal page and in the API, and one audit entry with the figures. The terminal comes back: its
next report gets 410 Gone and it drops the action — no download loop, nothing installed.
"""
import http.client
import http.server
import json
import os
import re
import sys
import threading
import time
import unittest
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Agent, FleetTestCase, publish_release, wait_until  # noqa: E402

SERIAL = "PF-STUCK"
LIMIT = 8  # seconds a deployment may stay downloading


class HangingProxy:
    """Forwards everything to posfleetd (whose address may change: `upstream`), rewriting its links
    to the proxy's own; while `hang` is set, an artifact download sends half its bytes and then
    nothing until released (or 120 s). Counts the terminal's polls and artifact downloads."""

    def __init__(self, upstream_url):
        self.upstream = upstream_url.rstrip("/")
        self.hang = threading.Event()
        self.release = threading.Event()
        self.hanging = threading.Event()  # a download is hanging now
        self.polls = 0
        self.downloads = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                up = urlparse(proxy.upstream)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(up.hostname, up.port, timeout=10)
                try:
                    conn.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
                    r = conn.getresponse()
                    data = r.read()
                except OSError:
                    self.send_error(502)  # posfleetd restarting
                    return
                finally:
                    conn.close()
                artifact = self.command == "GET" and "/artifacts/" in self.path and not self.path.endswith(".MD5SUM")
                if re.search(r"/controller/v1/[^/?]+/?(\?.*)?$", self.path):
                    proxy.polls += 1
                if artifact:
                    proxy.downloads += 1
                else:
                    data = data.replace(proxy.upstream.encode(), proxy.url.encode())
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    if artifact and proxy.hang.is_set() and r.status in (200, 206):
                        self.wfile.write(data[:len(data) // 2])
                        self.wfile.flush()
                        proxy.hanging.set()
                        proxy.release.wait(timeout=120)
                        self.wfile.write(data[len(data) // 2:])
                    else:
                        self.wfile.write(data)
                except OSError:
                    pass  # the terminal went away mid-download

            do_GET = do_POST = do_PUT = _forward

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class StuckTest(FleetTestCase, unittest.TestCase):
    SERVER_ARGS = ("--timeout-sweep-ms", "300")

    def deployment(self, dep):
        return self.server.api("GET", f"/api/v1/deployments/{dep}")

    def test_a_hung_download_times_out_survives_a_restart_and_the_terminal_drops_it(self):
        publish_release(self.cli, self.ws.path, "2.0.0", size=400_000)
        reg = self.cli.json("terminal", "register", "--serial", SERIAL, "--model", "A920")
        proxy = HangingProxy(self.server.url)
        self.addCleanup(proxy.stop)
        # Waiting and installing stay long; downloading is LIMIT seconds.
        self.cli.run("fleet", "timeouts", "--downloading", f"{LIMIT}s", "--waiting", "1h", "--installing", "1h",
                     "--reason", "e2e: a hung download is stuck after a few seconds")
        self.assertEqual(self.server.api("GET", "/api/v1/fleet/timeouts"),
                         {"waiting_seconds": 3600, "downloading_seconds": LIMIT, "installing_seconds": 3600})
        shown = self.cli.run("fleet", "timeouts").stdout
        self.assertIn(f"downloading: {LIMIT}s", shown)

        proxy.hang.set()
        # The rate floor stays out of the way: the download simply hangs, as on a dead link.
        agent = Agent(self.ws.path, proxy.url, SERIAL, reg["token"], "A920",
                      [os.path.join(self.ws.path, "keys/release.pub")],
                      download_min_rate=1, download_rate_window_seconds=3600)
        self.agents.append(agent)
        agent.start()
        dep = self.cli.json("deploy", "--release", "2.0.0", "--terminal", SERIAL)["id"]
        wait_until("the download to hang half-way", proxy.hanging.is_set, timeout=60)
        d = wait_until("the deployment to be downloading",
                       lambda: (lambda d: d if d["phase"] == "downloading" else None)(self.deployment(dep)))
        since = d["phase_since"]
        self.assertEqual(d["rollout_id"], 0)
        agent.kill()  # switched off mid-download

        # posfleetd stops before the limit passes and starts again after it: the timer is in the
        # database, so the new process times the deployment out.
        self.server.stop()
        wait_until("the limit to pass while posfleetd is down", lambda: time.time() > since + LIMIT + 1,
                   timeout=LIMIT + 30)
        self.server.log = open(self.server.log_path, "a")
        self.server._start()
        proxy.upstream = self.server.url.rstrip("/")
        self.assertEqual(self.server.api("GET", "/api/v1/fleet/timeouts")["downloading_seconds"], LIMIT)
        d = wait_until("the deployment to time out",
                       lambda: (lambda d: d if d["phase"] == "timed_out" else None)(self.deployment(dep)),
                       timeout=60)
        self.assertEqual((d["status"], d["result"]), ("finished", "failure"))
        self.assertGreaterEqual(d["phase_since"], since + LIMIT)
        self.assertIn("timed out: no progress in phase downloading for", d["message"])
        self.assertIn(f"(limit {LIMIT} s)", d["message"])
        # Its last feedback is kept: in the message and, whole, in the history.
        last_line = d["history"][-1]["details"][-1]
        self.assertIn(f'last feedback: "{last_line}"', d["message"])
        self.assertTrue(last_line.startswith("download"), last_line)

        # The terminal page and the deployment list show it.
        page = self.server.api("GET", f"/api/v1/terminals/{SERIAL}")
        self.assertEqual(page["deployments"][0]["phase"], "timed_out")
        self.assertEqual(page["deployments"][0]["history"][-1]["details"][-1], last_line)
        self.assertEqual(page["progress"]["phase"], "timed_out")
        listed = self.server.api("GET", f"/api/v1/deployments?terminal={SERIAL}")
        self.assertEqual(listed["deployments"][0]["phase"], "timed_out")

        # The audit log: the setting (before and after) and the sweep with its figures.
        entries = self.server.api("GET", "/api/v1/audit?limit=5000")["entries"]
        setting = [e for e in entries if e["action"] == "fleet.timeouts"]
        self.assertEqual(len(setting), 1, setting)
        self.assertIn('"downloading_seconds":86400', setting[0]["before"])
        self.assertIn(f'"downloading_seconds":{LIMIT}', setting[0]["after"])
        swept = [e for e in entries if e["action"] == "deployment.timed_out"]
        self.assertEqual(len(swept), 1, swept)
        figures = json.loads(swept[0]["after"])
        self.assertEqual(figures["count"], 1)
        self.assertEqual(figures["ids"], [dep])
        self.assertEqual(figures["phases"], {"downloading": 1})

        # The terminal comes back (and the link works again): told 410, it drops the action.
        history_len = len(d["history"])
        proxy.hang.clear()
        proxy.release.set()
        agent.start()
        wait_until("the agent to drop the action the server ended",
                   lambda: "the server has ended action" in agent.output(), timeout=60)
        st = wait_until("the agent to be idle",
                        lambda: (lambda s: s if s["update_state"] == "idle" else None)(agent.status()), timeout=60)
        self.assertEqual(st["version"], "1.0.0")  # nothing installed
        downloads, polls = proxy.downloads, proxy.polls
        # No loop: five more polls bring no new download and no new deployment.
        wait_until("five more polls", lambda: proxy.polls >= polls + 5, timeout=60)
        self.assertEqual(proxy.downloads, downloads)
        d = self.deployment(dep)
        self.assertEqual(d["phase"], "timed_out")
        self.assertLessEqual(len(d["history"]), history_len + 1)  # at most the refused report
        self.assertEqual(self.server.api("GET", f"/api/v1/deployments?terminal={SERIAL}")["total"], 1)


if __name__ == "__main__":
    unittest.main()
