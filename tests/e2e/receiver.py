"""A webhook receiver for the end-to-end tests: an HTTP server on 127.0.0.1 that records every
POST (path, query, headers, JSON body) and answers as a script says, so a test can read what
posfleetd sent and make a receiver fail, hang or be down for a while."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

OK = {"errcode": 0, "errmsg": "ok"}  # the robots' "accepted"


class Receiver:
    """Records POSTs; `script[path]` lists what to do with the next requests to that path
    ("ok", "fail" = 500, "hang" = no answer until released, "down" = 503 until `up` is set);
    once used up it answers 200 with the robots' {"errcode": 0}."""

    def __init__(self):
        self.requests, self.script, self.lock = [], {}, threading.Lock()
        self.release_hang, self.up = threading.Event(), threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                url = urlparse(self.path)
                with receiver.lock:
                    receiver.requests.append({"path": url.path, "query": parse_qs(url.query),
                                              "headers": dict(self.headers), "body": json.loads(body)})
                    steps = receiver.script.get(url.path, [])
                    step = steps.pop(0) if steps else "ok"
                if step == "down" and not receiver.up.is_set():
                    receiver.script.setdefault(url.path, []).insert(0, "down")
                    return self.answer(503, {"error": "down"})
                if step == "hang":
                    receiver.release_hang.wait(30)
                    return
                if step == "fail":
                    return self.answer(500, {"error": "try later"})
                self.answer(200, OK)

            def answer(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def to(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def stop(self):
        self.release_hang.set()
        self.httpd.shutdown()
        self.httpd.server_close()
