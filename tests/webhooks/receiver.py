"""A real HTTP server on 127.0.0.1 that receives webhooks, for the tests.

``script`` holds what to do with the next requests: a status to answer, or ``"stall"`` (hold
the request until ``release`` is set: a worker killed meanwhile never gets an answer) or
``"slow"`` (answer after ``slow_seconds``, past the sender's time-out) or ``"big"`` (a 500 with
a body of 5 MB); when it is empty the
receiver answers 200. ``accepted`` keeps the requests it answers 2xx to, ``seen`` all.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self):
        self.script: list = []
        self.seen: list[dict] = []
        self.accepted: list[dict] = []
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.slow_seconds = 2.0
        self._lock = threading.Lock()
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self, port: int = 0) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {"headers": dict(self.headers), "body": body, "path": self.path}
                with receiver._lock:
                    receiver.seen.append(request)
                    action = receiver.script.pop(0) if receiver.script else 200
                if action == "stall":
                    receiver.stalled.set()
                    receiver.release.wait(60)
                    return  # no answer: the sender is gone
                if action == "slow":  # answered after the sender gave up: not delivered
                    time.sleep(receiver.slow_seconds)
                    action = 299
                payload = b"ok"
                if action == "big":  # a 5xx with a body of 5 MB
                    action, payload = 500, b"<html>" + b"x" * (5 * 1024 * 1024)
                if 200 <= action < 299:  # counted before answering: the sender may be quicker
                    with receiver._lock:
                        receiver.accepted.append(request)
                try:
                    self.send_response(action)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.accepted) >= count:
                break
            time.sleep(0.05)
        return list(self.accepted)
