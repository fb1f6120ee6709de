"""A fake of Twilio's Messages API on 127.0.0.1, for the real twilio client to talk to.

POST /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP basic auth (account SID and
auth token) and form fields To, From or MessagingServiceSid, Body, StatusCallback,
ValidityPeriod. Answers as Twilio's API reference documents: 201 with a Message resource (JSON),
or an error body {"code", "message", "more_info", "status"} with the HTTP status.

`script` (a list of error codes or HTTP statuses, consumed one per request) and `fail_numbers`
(To → error code) choose errors; everything else is accepted. `delay` (seconds) holds each
answer back after the request is recorded in `attempts`, as a slow gateway would.
"""

import base64
import json
import threading
import time
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ERRORS = {
    # code: (HTTP status, message)
    20003: (401, "Authenticate"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    21635: (400, "The 'To' number provided is not a valid mobile number."),
}
HTTP_TO_CODE = {429: 20429, 500: 20500, 503: 20500}


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[dict] = []  # accepted messages' form fields
        self.attempts: list[dict] = []  # every authorised request, errors included
        self.script: list[int] = []
        self.fail_numbers: dict[str, int] = {}
        self.delay = 0.0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: without TCP_NODELAY, Nagle's algorithm and the
            # client's delayed ACK add ~40 ms to every answer (Twilio itself has no such pause).
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _answer(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, code: int, to: str = ""):
                status, message = ERRORS[code]
                self._answer(
                    status,
                    {
                        "code": code,
                        "message": message.format(to=to),
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status,
                    },
                )

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected = f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
                if self.path != expected:
                    return self._answer(
                        404,
                        {
                            "code": 20404,
                            "message": "The requested resource was not found",
                            "more_info": "https://www.twilio.com/docs/errors/20404",
                            "status": 404,
                        },
                    )
                credentials = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {credentials}":
                    return self._error(20003)
                to = form.get("To", "")
                with fake.lock:
                    fake.attempts.append(form)
                    scripted = fake.script.pop(0) if fake.script else None
                if fake.delay:
                    time.sleep(fake.delay)
                code = fake.fail_numbers.get(to) or scripted
                if code:
                    return self._error(HTTP_TO_CODE.get(code, code), to)
                if (
                    not to
                    or not form.get("Body")
                    or not (form.get("From") or form.get("MessagingServiceSid"))
                ):
                    return self._answer(
                        400,
                        {
                            "code": 21604,
                            "message": "A 'To' phone number is required.",
                            "more_info": "https://www.twilio.com/docs/errors/21604",
                            "status": 400,
                        },
                    )
                sid = "SM" + uuid.uuid4().hex
                with fake.lock:
                    fake.requests.append({**form, "Sid": sid})
                now = formatdate(usegmt=True).replace("GMT", "+0000")
                self._answer(
                    201,
                    {
                        "account_sid": fake.account_sid,
                        "api_version": "2010-04-01",
                        "body": form["Body"],
                        "date_created": now,
                        "date_sent": None,
                        "date_updated": now,
                        "direction": "outbound-api",
                        "error_code": None,
                        "error_message": None,
                        "from": form.get("From"),
                        "messaging_service_sid": form.get("MessagingServiceSid"),
                        "num_media": "0",
                        "num_segments": "1",
                        "price": None,
                        "price_unit": "USD",
                        "sid": sid,
                        "status": "accepted" if form.get("MessagingServiceSid") else "queued",
                        "subresource_uris": {
                            "media": f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}/Media.json"
                        },
                        "to": to,
                        "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}.json",
                    },
                )

        return Handler
