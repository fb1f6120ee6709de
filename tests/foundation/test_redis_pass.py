"""The production path in the Redis pass of .ci/run (REDIS_URL set): the cache really is Redis,
each test worker keeps its own keys, and clearing them leaves everyone else's alone."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.conftest import clear_cache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the Redis pass only (REDIS_URL)")


def test_the_cache_is_the_configured_redis_with_this_workers_own_prefix():
    import redis

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("probe", "here", 30)
    outside = redis.Redis.from_url(os.environ["REDIS_URL"])
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert os.environ.get("PYTEST_XDIST_WORKER", "main") in prefix
    assert outside.exists(f"{prefix}:1:probe")
    # Another worker's (or another run's) key survives this worker's clearing.
    outside.set("lasrum-someone-else:1:probe", "theirs", ex=30)
    clear_cache()
    assert not outside.exists(f"{prefix}:1:probe")
    assert outside.get("lasrum-someone-else:1:probe") == b"theirs"
    outside.delete("lasrum-someone-else:1:probe")
