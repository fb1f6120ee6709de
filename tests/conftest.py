"""Shared fixtures: the region's reference data and personas.

Personas (as in Healthchecks and the HackSoft styleguide): a librarian at one library, a
librarian at another, a regional organiser, a creator, and an anonymous visitor.
"""

import os

import pytest
from django.conf import settings

from booking.models import Library, Region, StaffRole
from tests.factories import make_creator, make_user

REQUIRE_ALL = os.environ.get("LASRUM_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str):
    """Skip loudly on a bare machine; under LASRUM_REQUIRE_ALL=1 (CI) a missing part fails."""
    if REQUIRE_ALL:
        pytest.fail(f"LASRUM_REQUIRE_ALL=1 but {reason}")
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


def _test_cache_prefix() -> str:
    """Keys of this run and this pytest-xdist worker: a shared Redis is never flushed."""
    run = os.environ.get("LASRUM_TEST_DB") or f"-{os.getppid()}"
    return f"lasrum-test{run}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@pytest.fixture(scope="session", autouse=True)
def _own_cache_keys_and_queue():
    """With REDIS_URL (the Redis pass) each worker of each run has its own cache prefix and
    django-q cluster name, so parallel workers and runs never see each other's counts."""
    from django.test import override_settings

    prefix = _test_cache_prefix()
    caches = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    # django-q2 reads its settings once, at import: its queue key and stats key follow the name.
    from django_q.conf import Conf

    saved = Conf.PREFIX, Conf.CLUSTER_NAME, Conf.Q_STAT
    Conf.PREFIX = Conf.CLUSTER_NAME = prefix
    Conf.Q_STAT = f"django_q:{prefix}:cluster"
    try:
        with override_settings(CACHES=caches, Q_CLUSTER={**settings.Q_CLUSTER, "name": prefix}):
            yield
    finally:
        Conf.PREFIX, Conf.CLUSTER_NAME, Conf.Q_STAT = saved


def clear_cache() -> None:
    """Forget this test worker's cached counts (throttles, form limits); other keys stay."""
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture
def clock_in_2029(time_machine):
    """For tests written with fixed dates in 2030: the services accept sessions up to three
    years ahead (booking.services.events.session_date_window), so their clock stands in
    mid-2029 and keeps ticking."""
    from datetime import UTC, datetime

    time_machine.move_to(datetime(2029, 6, 1, 10, 0, tzinfo=UTC), tick=True)


@pytest.fixture
def postgres_only():
    if not settings.DATABASE_IS_POSTGRES:
        if os.environ.get("LASRUM_POSTGRES_PASS_FOLLOWS") == "1":
            # .ci/run's SQLite pass: the same suite runs on PostgreSQL next, these tests with it.
            pytest.skip("PostgreSQL only: runs in the PostgreSQL pass")
        skip_or_fail("this test needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def region(db):
    from booking.services.reference import region_load

    existing = Region.objects.first()
    return existing or region_load()


@pytest.fixture
def library(region):
    return Library.objects.get(name="Eskilstuna stadsbibliotek")


@pytest.fixture
def other_library(region):
    return Library.objects.get(name="Nyköpings stadsbibliotek")


@pytest.fixture
def librarian(library):
    return make_user(username="librarian", role=StaffRole.Role.LIBRARY_STAFF, library=library)


@pytest.fixture
def other_librarian(other_library):
    return make_user(username="other_librarian", role=StaffRole.Role.LIBRARY_STAFF, library=other_library)


@pytest.fixture
def organiser(region):
    return make_user(username="organiser", role=StaffRole.Role.REGIONAL_ORGANISER)


@pytest.fixture
def creator(region):
    return make_creator(name="Testa Författarsson", home_municipality_id="0484")


@pytest.fixture
def creator_user(creator):
    user = make_user(username="creator", role=StaffRole.Role.CREATOR, creator=creator)
    creator.user = user
    creator.save(update_fields=["user"])
    return user


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def as_user(api_client):
    """as_user(user) -> an APIClient authenticated with that user's token."""
    from booking.services.api_tokens import api_token_issue

    def login(user):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user)}")
        return api_client

    return login
