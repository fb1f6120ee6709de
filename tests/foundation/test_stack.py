"""bench/stack.py's checks in a short run (counts and invariants, never timings).

The bench runs as the operator runs it, in a process of its own (it sets up Django for its own
database, which pytest's test database must not shadow), and writes its checks as JSON.
Marked `stack`: .ci/run gives it a step of its own after the PostgreSQL pass, so that its two
web nodes and two workers do not compete with the pytest workers for the machine's CPUs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
THROTTLE_LIMIT = 12  # bench/stack.py's booking limit per minute for the parity check
pytestmark = [pytest.mark.slow, pytest.mark.stack]


def test_stack_survives_its_faults(tmp_path):
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        skip_or_fail("the stack bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    import redis

    try:
        redis.Redis.from_url(os.environ.get("STACK_REDIS_URL", "redis://127.0.0.1:6379/9")).ping()
    except redis.RedisError:
        skip_or_fail("the stack bench needs Redis on 127.0.0.1:6379")
    out = tmp_path / "checks.json"
    run = subprocess.run(
        [sys.executable, "bench/stack.py", "--duration", "40", "--checks-json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    print(run.stdout[-4000:], run.stderr[-4000:])  # the figures, in the test's output on failure
    checks = json.loads(out.read_text())
    assert checks["sessions_wrong_seats"] == []
    assert checks["bookings_half_written"] == 0
    assert checks["reminders_due"] > 0
    assert checks["reminders_not_sent"] == checks["reminders_sent_twice"] == 0
    assert checks["messages_sent_twice"] == checks["messages_without_row"] == checks["sms_to_opted_out"] == 0
    assert checks["throttle"] == {"one node": THROTTLE_LIMIT, "two nodes": THROTTLE_LIMIT}
    assert checks["all_workers_killed_503_after"] is not None
    assert checks["healthz_with_no_workers"] == [200, 200]
    assert all(fault["healthz_worker"].get("503", 0) == 0 for fault in checks["faults"])
    assert run.returncode == 0
