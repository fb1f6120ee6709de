"""bench/stack.py's checks in a short run (counts and invariants, never timings)."""

import os

import pytest

from tests.conftest import skip_or_fail

pytestmark = pytest.mark.slow


def test_stack_survives_its_faults():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        skip_or_fail("the stack bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    import redis

    try:
        redis.Redis.from_url(os.environ.get("STACK_REDIS_URL", "redis://127.0.0.1:6379/9")).ping()
    except redis.RedisError:
        skip_or_fail("the stack bench needs Redis on 127.0.0.1:6379")
    from bench import stack

    checks = stack.run(40, quiet=True)
    assert checks["sessions_wrong_seats"] == []
    assert checks["bookings_half_written"] == 0
    assert checks["reminders_due"] > 0
    assert checks["reminders_not_sent"] == checks["reminders_sent_twice"] == 0
    assert checks["messages_sent_twice"] == checks["messages_without_row"] == checks["sms_to_opted_out"] == 0
    assert checks["throttle"] == {"one node": stack.THROTTLE_LIMIT, "two nodes": stack.THROTTLE_LIMIT}
    assert checks["all_workers_killed_503_after"] is not None
    assert checks["healthz_with_no_workers"] == [200, 200]
    assert all(fault["healthz_worker"].get(503, 0) == 0 for fault in checks["faults"])
