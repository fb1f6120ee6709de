"""A dropped database connection (server restart, failover, pg_terminate_backend) costs no request.

bench/stack.py saw eight 500s right after it terminated the database's connections: each web
process reused its kept connection once more before noticing. With CONN_HEALTH_CHECKS the next
request finds the connection dead and opens a new one. A real gunicorn worker, as compose runs
it, keeps its connection between requests (CONN_MAX_AGE)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.foundation.test_log_redaction import _free_port, _get

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _terminate_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("pool", ["0", "1"], ids=["kept connection", "DB_POOL"])
def test_a_request_after_the_database_dropped_its_connections_succeeds(postgres_only, tmp_path, pool):
    db = connection.settings_dict
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        API_THROTTLE_RATES="",
        DB_POOL=pool,
    )
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "backend.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/events/"
        for _attempt in range(150):
            try:
                _get(url)
                break
            except OSError:
                time.sleep(0.1)
        assert _get(url) == 200  # the worker now keeps a connection
        assert _terminate_other_connections() >= 1
        assert [_get(url) for _ in range(3)] == [200, 200, 200]
    finally:
        server.terminate()
        server.wait(timeout=20)
