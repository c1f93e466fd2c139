"""A hostile DDI controller on 127.0.0.1 for the update-attack tests.

It speaks just enough hawkBit DDI v1 (docs/protocol.md) for posfleet-agent:
the base poll (with posfleet's policy extension: auto, window all day),
deploymentBase, feedback, cancelAction, configData and artifact downloads.
The releases it offers are real ones, signed offline by the CLI (or by
sign_manifest() below for manifests the CLI refuses to make); what it does
wrong is chosen per action:

  ok        serves the artifact, with Range
  404       answers 404 for good
  short     announces the signed length, sends half, closes; a Range past
            what it has answers 416 (a stored artifact shorter than signed)
  trickle   announces the signed length and sends 2 bytes a second

Everything it saw is kept (polls, artifact requests, feedback) for the test to
wait on. Trickling stops when the client goes away or at stop().
"""
import base64
import http.server
import json
import re
import threading
import time


def canonical(value):
    """posfleet's canonical JSON (core/json.cc): keys sorted, no whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign_manifest(signed, key_path):
    """An envelope for `signed`, signed with the ed25519 key file the CLI wrote,
    bypassing every check the CLI makes (an attacker holding a key would)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    with open(key_path) as f:
        key = json.load(f)
    secret = base64.b64decode(key["secret"])
    sig = Ed25519PrivateKey.from_private_bytes(secret[:32]).sign(canonical(signed).encode())
    return {"signed": signed, "signatures": [{"keyid": key["keyid"], "sig": base64.b64encode(sig).decode()}]}


class Action:
    def __init__(self, action_id, manifest, files, mode):
        self.id, self.manifest, self.files, self.mode = action_id, manifest, files, mode


class HostileDdi:
    POLICY = {"mode": "auto", "window": {"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "00:00",
                                         "tz": "Asia/Shanghai"}, "revision": 1}

    def __init__(self, serial, tenant="DEFAULT"):
        self.base = f"/{tenant}/controller/v1/{serial}"
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.action = None          # the open Action, or None
        self.cancel_requested = False
        self.polls = 0
        self.artifact_requests = []  # (action id, filename, Range header or "")
        self.feedback = []           # (kind, action id, status object): kind deployment | cancel
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                outer._get(self)

            def do_POST(self):
                outer._post(self)

            do_PUT = do_POST

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    # what the test does ------------------------------------------------------

    def offer(self, action_id, manifest, files, mode="ok"):
        """Opens action `action_id`: `manifest` is the signed envelope (a dict),
        `files` maps DDI filename -> bytes actually stored."""
        with self.lock:
            self.action = Action(action_id, manifest, files, mode)
            self.cancel_requested = False

    def cancel(self):
        with self.lock:
            self.cancel_requested = True

    def closed(self, action_id, kind="deployment"):
        """The status of the closing feedback for the action, or None."""
        with self.lock:
            for k, aid, status in self.feedback:
                if k == kind and aid == action_id and status.get("execution") in ("closed", "rejected", "canceled"):
                    return status
        return None

    def details(self, action_id):
        with self.lock:
            return [d for _, aid, s in self.feedback if aid == action_id for d in s.get("details", [])]

    def downloads_of(self, action_id):
        with self.lock:
            return [r for r in self.artifact_requests if r[0] == action_id]

    def stop(self):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # the protocol ------------------------------------------------------------

    def _reply(self, h, status, body=b"", content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def _get(self, h):
        path = h.path.split("?")[0]
        with self.lock:
            action = self.action
            cancel = self.cancel_requested
        if path == self.base:
            with self.lock:
                self.polls += 1
            links = {}
            if action and cancel:
                links["cancelAction"] = {"href": f"{self.url}{self.base}/cancelAction/{action.id}"}
            elif action:
                links["deploymentBase"] = {"href": f"{self.url}{self.base}/deploymentBase/{action.id}"}
            return self._reply(h, 200, {"config": {"polling": {"sleep": "00:00:01"}}, "_links": links,
                                        "posfleet": {"policy": self.POLICY, "notifications": [], "offer": None}})
        m = re.fullmatch(re.escape(self.base) + r"/deploymentBase/(\d+)", path)
        if m and action and int(m.group(1)) == action.id:
            return self._reply(h, 200, self._deployment(action))
        m = re.fullmatch(re.escape(self.base) + r"/cancelAction/(\d+)", path)
        if m and action and cancel:
            return self._reply(h, 200, {"id": m.group(1), "cancelAction": {"stopId": str(action.id)}})
        m = re.fullmatch(r"/artifacts/(\d+)/(.+)", path)
        if m:
            return self._artifact(h, int(m.group(1)), m.group(2))
        return self._reply(h, 404, {"error": {"code": "not_found", "message": "no such resource"}})

    def _deployment(self, action):
        chunks = []
        for c in action.manifest["signed"]["components"]:
            name = c["filename"]
            chunks.append({"part": c["name"], "name": c["name"], "version": c["version"], "artifacts": [{
                "filename": name, "size": c["length"], "hashes": {"sha256": c["sha256"]},
                "_links": {"download-http": {"href": f"{self.url}/artifacts/{action.id}/{_quote(name)}"}}}]})
        return {"id": str(action.id), "deployment": {"download": "forced", "update": "forced", "chunks": chunks},
                "posfleet": {"manifest": action.manifest}}

    def _artifact(self, h, action_id, quoted):
        from urllib.parse import unquote
        name = unquote(quoted)
        rng = h.headers.get("Range") or ""
        with self.lock:
            self.artifact_requests.append((action_id, name, rng))
            action = self.action
        if not action or action.id != action_id or name not in action.files or action.mode == "404":
            return self._reply(h, 404, {"error": {"code": "not_found", "message": "no such artifact"}})
        data = action.files[name]
        signed = next(c["length"] for c in action.manifest["signed"]["components"] if c["filename"] == name)
        start = int(re.match(r"bytes=(\d+)-", rng).group(1)) if rng.startswith("bytes=") else 0
        if action.mode == "short":
            if start >= len(data):
                return self._reply(h, 416, b"", headers=[("Content-Range", f"bytes */{len(data)}")])
            self._head(h, start, signed)
            h.wfile.write(data[start:])
            h.close_connection = True
            return
        if action.mode == "trickle":
            self._head(h, start, signed)
            for i in range(start, signed):
                if self.stopping.is_set():
                    break
                try:
                    h.wfile.write(data[i:i + 1])
                    h.wfile.flush()
                except OSError:
                    break  # the client gave up
                time.sleep(0.5)
            h.close_connection = True
            return
        self._head(h, start, len(data))
        h.wfile.write(data[start:])

    def _head(self, h, start, total):
        h.send_response(206 if start else 200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(total - start))
        if start:
            h.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
        h.end_headers()

    def _post(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(min(length, 1 << 20))
        path = h.path.split("?")[0]
        m = re.fullmatch(re.escape(self.base) + r"/(deploymentBase|cancelAction)/(\d+)/feedback", path)
        if m:
            status = json.loads(body or b"{}").get("status", {})
            kind = "deployment" if m.group(1) == "deploymentBase" else "cancel"
            with self.lock:
                self.feedback.append((kind, int(m.group(2)), status))
                ends = status.get("execution") in ("closed", "canceled") or \
                    (kind == "deployment" and status.get("execution") == "rejected")
                if ends and self.action and self.action.id == int(m.group(2)):
                    self.action = None
                self.cancel_requested = self.cancel_requested and not (kind == "cancel")
            return self._reply(h, 200, b"")
        return self._reply(h, 200, b"{}")  # configData and the rest: accepted


def _quote(name):
    from urllib.parse import quote
    return quote(name, safe="")
