#!/usr/bin/python3
"""Minimal hawkBit DDI v1 stand-in used to pin down what swupdate's suricatta
client really sends and accepts (Debian 12, swupdate 2022.12).

It is *not* posfleetd.  It exists so that
  * the protocol assumptions in swupdate_test.py can be checked against the
    real swupdate binary without a posfleetd build (FakeServerTest), and
  * every request swupdate makes is recorded verbatim (method, path,
    headers, body) for inspection.

Only the DDI subset swupdate uses is implemented: base poll, deploymentBase,
feedback, configData, artifact download.  One deployment (action) at a time.

Run standalone for manual experiments:
  python3 fake_hawkbit.py SWU_FILE [PORT]     (prints each request as JSON)
"""

import hashlib
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeHawkbit:
    def __init__(self, swu_path, tenant="DEFAULT", device="SWU0001",
                 action_id=7, poll_sleep="00:00:01", with_config_link=True,
                 feedback_status=200, verbose=False):
        with open(swu_path, "rb") as f:
            self.swu = f.read()
        self.tenant = tenant
        self.device = device
        self.action_id = action_id
        self.poll_sleep = poll_sleep
        self.with_config_link = with_config_link
        self.feedback_status = feedback_status
        self.verbose = verbose
        self.action_open = True
        self.config_data = None     # last PUT configData body
        self.requests = []          # dicts: method, path, headers, body
        self.feedback = []          # parsed feedback bodies, in order
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.httpd.server_address[1]
        self.base = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- replies -----------------------------------------------------------
    def _ctl(self):
        return "%s/%s/controller/v1/%s" % (self.base, self.tenant, self.device)

    def base_poll(self):
        links = {}
        if self.action_open:
            links["deploymentBase"] = {
                "href": "%s/deploymentBase/%d?c=-2129030598"
                        % (self._ctl(), self.action_id)}
        # Like hawkBit: ask for attributes until the device has sent them.
        if self.with_config_link and self.config_data is None:
            links["configData"] = {"href": self._ctl() + "/configData"}
        reply = {"config": {"polling": {"sleep": self.poll_sleep}}}
        if links:
            reply["_links"] = links
        return reply

    def deployment_base(self):
        art = "%s/softwaremodules/1/artifacts/test.swu" % self._ctl()
        return {
            "id": str(self.action_id),      # hawkBit sends a string
            "deployment": {
                "download": "forced",
                "update": "forced",
                "chunks": [{
                    "part": "os",
                    "version": "1.0.0",
                    "name": "firmware",
                    "artifacts": [{
                        "filename": "test.swu",
                        "hashes": {
                            "sha1": hashlib.sha1(self.swu).hexdigest(),
                            "md5": hashlib.md5(self.swu).hexdigest(),
                            "sha256": hashlib.sha256(self.swu).hexdigest(),
                        },
                        "size": len(self.swu),
                        "_links": {
                            "download-http": {"href": art},
                            "md5sum-http": {"href": art + ".MD5SUM"},
                        },
                    }],
                }],
            },
        }

    # -- HTTP plumbing -----------------------------------------------------
    def _handler(self):
        fake = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _send(self, status, payload=None, ctype="application/json"):
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload).encode()
                payload = payload or b""
                self.send_response(status)
                if payload:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def _record(self, body):
                rec = {"method": self.command, "path": self.path,
                       "headers": dict(self.headers.items()),
                       "body": body.decode("utf-8", "replace")}
                with fake.lock:
                    fake.requests.append(rec)
                if fake.verbose:
                    print(json.dumps(rec), flush=True)

            def _route(self):
                body = self._body()
                self._record(body)
                path = self.path.split("?", 1)[0]
                ctl = "/%s/controller/v1/%s" % (fake.tenant, fake.device)
                m = re.fullmatch(re.escape(ctl) + r"(/.*)?", path)
                if not m:
                    return self._send(404)
                sub = m.group(1) or ""
                if sub == "" and self.command == "GET":
                    return self._send(200, fake.base_poll())
                if sub == "/deploymentBase/%d" % fake.action_id \
                        and self.command == "GET":
                    return self._send(200, fake.deployment_base())
                if sub == "/deploymentBase/%d/feedback" % fake.action_id \
                        and self.command == "POST":
                    # strict=False: swupdate copies raw error strings (with
                    # trailing newlines) into "details" without escaping.
                    fb = json.loads(body, strict=False)
                    with fake.lock:
                        fake.feedback.append(fb)
                        if fb["status"]["execution"] == "closed":
                            fake.action_open = False
                    return self._send(fake.feedback_status)
                if sub == "/configData" and self.command == "PUT":
                    with fake.lock:
                        fake.config_data = json.loads(body, strict=False)
                    return self._send(200)
                if sub.startswith("/softwaremodules/1/artifacts/test.swu") \
                        and self.command in ("GET", "HEAD"):
                    if sub.endswith(".MD5SUM"):
                        line = "%s  test.swu" % hashlib.md5(fake.swu).hexdigest()
                        return self._send(200, line.encode(), "text/plain")
                    return self._send(200, fake.swu, "application/octet-stream")
                return self._send(404)

            do_GET = do_POST = do_PUT = do_HEAD = _route

        return H


if __name__ == "__main__":
    srv = FakeHawkbit(sys.argv[1], verbose=True)
    if len(sys.argv) > 2:
        srv.httpd.server_close()
        srv.httpd = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])),
                                        srv._handler())
        srv.port = int(sys.argv[2])
        srv.base = "http://127.0.0.1:%d" % srv.port
        srv.thread = threading.Thread(target=srv.httpd.serve_forever,
                                      daemon=True)
    print("fake hawkBit on", srv.base, flush=True)
    srv.start()
    try:
        srv.thread.join()
    except KeyboardInterrupt:
        srv.stop()
