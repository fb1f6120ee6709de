"""No tokens in logs: gunicorn's access log and Django's request warnings show token-bearing
paths with the token replaced (a real gunicorn, configured as compose.yaml runs it)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from backend.logs import redact

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ["Sq3cretManageToken_abc", "Sq3cretFeedToken-xyz", "Sq3cretApiToken123", "Sq3cretRefererTok"]


def test_redact_replaces_each_kind_of_token_and_leaves_other_paths():
    assert redact("GET /b/abc_DEF-123 HTTP/1.1") == "GET /b/<token> HTTP/1.1"
    assert redact("/b/abc/avboka/") == "/b/<token>/avboka/"
    assert redact("/feeds/private/abc.ics") == "/feeds/private/<token>.ics"
    assert redact("/feeds/bookings/abc.ics") == "/feeds/bookings/<token>.ics"
    assert redact("/api/v1/bookings/manage/abc/") == "/api/v1/bookings/manage/<token>/"
    assert redact("/feeds/x.ics?token=abc&lang=en") == "/feeds/x.ics?token=<token>&lang=en"
    assert redact("/api/v1/events/12/") == "/api/v1/events/12/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, **headers) -> int:
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http on loopback)
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorn_and_django_log_token_paths_redacted(tmp_path):
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    command = compose["services"]["web"]["command"]
    port = _free_port()
    command = [*command[:2], *[arg if arg != "0.0.0.0:8000" else f"127.0.0.1:{port}" for arg in command[2:]]]
    command[command.index("--workers") + 1] = "1"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", LOG_LEVEL="INFO")
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [str(bin_dir / command[0]), *command[1:]], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                _get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        assert _get(f"{base}/b/{SECRETS[0]}", Referer=f"{base}/b/{SECRETS[3]}") == 404
        assert _get(f"{base}/feeds/private/{SECRETS[1]}.ics") == 404
        assert _get(f"{base}/api/v1/bookings/manage/{SECRETS[2]}/") == 404
    finally:
        server.terminate()
        server.wait(timeout=20)
    log.seek(0)
    text = log.read()
    assert "GET /b/<token> HTTP" in text  # the access log line is there, redacted
    assert "Not Found: /feeds/private/<token>.ics" in text  # and Django's warning
    for secret in SECRETS:
        assert secret not in text, text
