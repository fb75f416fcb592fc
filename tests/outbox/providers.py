"""A local HTTP server, in a thread of the test process, that speaks the providers' APIs as they
document them: Meta's WhatsApp Cloud API (``POST /v21.0/<phone-number-id>/messages``, bearer
token, ``{"messages": [{"id": "wamid..."}]}`` or ``{"error": {"code": ..., ...}}``) and Twilio's
Messages API (``POST /2010-04-01/Accounts/<sid>/Messages.json``, HTTP basic auth, form-encoded,
``201 {"sid": "SM...", "status": "queued"}`` or ``{"code": ..., "message": ..., "status": 400}``).
Tests script the next answers, read the requests received, and can hold a request (to kill the
worker that made it)."""

import base64
import json
import threading
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

PHONE_NUMBER_ID, META_TOKEN = "109876543210", "EAAG-test-token"
TWILIO_SID, TWILIO_TOKEN = "AC" + "0" * 32, "twilio-auth-token"

META_ERRORS = {
    "not_on_whatsapp": (400, 131026, "Message undeliverable", "Receiver is incapable of receiving this message"),
    "template": (400, 132001, "Template name does not exist in the translation", "template name (meeting_booked) does not exist in fr"),
    "throttled": (429, 130429, "Rate limit hit", "Cloud API message throughput has been reached."),
    "down": (503, 131016, "Service unavailable", "A service is temporarily unavailable."),
}  # fmt: skip
TWILIO_ERRORS = {
    "invalid": (400, 21211, "The 'To' number +22600 is not a valid phone number."),
    "throttled": (429, 20429, "Too Many Requests"),
}


class ProviderServer:
    def __init__(self):
        self.requests: list[dict] = []
        self.meta_answers: deque[str] = deque()  # names of META_ERRORS, "ok" (the default)
        self.twilio_answers: deque[str] = deque()
        self.hold = threading.Event()  # set: the next message request waits for release
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if server.hold.is_set():
                    server.hold.clear()
                    server.held.set()
                    server.release.wait(30)
                    return  # the caller was killed meanwhile: nobody reads an answer
                if self.path == f"/v21.0/{PHONE_NUMBER_ID}/messages":
                    self.meta(body)
                elif self.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json":
                    self.twilio(body)
                else:
                    self.answer(404, {"error": "not found"})

            def answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def meta(self, body):
                if self.headers.get("Authorization") != f"Bearer {META_TOKEN}":
                    return self.answer(
                        401, {"error": {"code": 190, "message": "Invalid OAuth access token"}}
                    )
                payload = json.loads(body)
                with server.lock:
                    answer = server.meta_answers.popleft() if server.meta_answers else "ok"
                    server.requests.append({"provider": "meta", "body": payload, "answer": answer})
                if answer == "ok":
                    wamid = "wamid." + uuid.uuid4().hex
                    return self.answer(200, {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": payload["to"], "wa_id": payload["to"]}],
                        "messages": [{"id": wamid}],
                    })  # fmt: skip
                status, code, title, details = META_ERRORS[answer]
                self.answer(status, {"error": {
                    "message": f"({code}) {title}", "type": "OAuthException", "code": code,
                    "error_data": {"messaging_product": "whatsapp", "details": details},
                    "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
                }})  # fmt: skip

            def twilio(self, body):
                expected = (
                    "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
                )
                if self.headers.get("Authorization") != expected:
                    return self.answer(
                        401, {"code": 20003, "message": "Authenticate", "status": 401}
                    )
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                with server.lock:
                    answer = server.twilio_answers.popleft() if server.twilio_answers else "ok"
                    server.requests.append({"provider": "twilio", "body": form, "answer": answer})
                if answer == "ok":
                    return self.answer(201, {
                        "sid": "SM" + uuid.uuid4().hex, "status": "queued", "to": form["To"],
                        "body": form["Body"], "error_code": None, "error_message": None,
                    })  # fmt: skip
                status, code, message = TWILIO_ERRORS[answer]
                self.answer(
                    status,
                    {
                        "code": code,
                        "message": message,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status,
                    },
                )

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def whatsapp_url(self):
        return f"meta+http://{PHONE_NUMBER_ID}:{META_TOKEN}@127.0.0.1:{self.port}/v21.0"

    @property
    def sms_url(self):
        return (
            f"twilio+http://{TWILIO_SID}:{TWILIO_TOKEN}@127.0.0.1:{self.port}?from=%2B15005550006"
        )

    def sent(self, provider=None, answer="ok") -> list[dict]:
        with self.lock:
            return [
                r for r in self.requests
                if (provider is None or r["provider"] == provider) and r["answer"] == answer
            ]  # fmt: skip

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
