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
    from rest_framework.authtoken.models import Token

    def login(user):
        token, _ = Token.objects.get_or_create(user=user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api_client

    return login
