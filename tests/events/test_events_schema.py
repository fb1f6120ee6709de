"""The OpenAPI schema describes the API.md calls, and generating it gives no warning at all."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db
OURS = (
    "event_serializers.py",
    "booking/api/events.py",
    "booking/api/statistics.py",
    "EventList",
    "EventDetail",
    "Session",
    "Statistics",
    "LibraryList",
)


def test_the_schema_has_our_paths_and_no_warnings_from_our_views(tmp_path, capsys):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    printed = capsys.readouterr()
    ours = [line for line in (printed.err + printed.out).splitlines() if any(name in line for name in OURS)]
    assert ours == []
    paths = yaml.safe_load(target.read_text())["paths"]
    for path, method in [
        ("/api/v1/libraries/", "get"),
        ("/api/v1/events/", "get"),
        ("/api/v1/events/", "post"),
        ("/api/v1/events/{id}/", "patch"),
        ("/api/v1/events/{id}/cancel/", "post"),
        ("/api/v1/sessions/{id}/", "patch"),
        ("/api/v1/sessions/{id}/cancel/", "post"),
        ("/api/v1/statistics/", "get"),
        ("/api/v1/bookings/", "post"),
        ("/api/v1/sessions/{id}/bookings/", "get"),
        ("/api/v1/visit-requests/", "post"),
        ("/api/v1/me/", "get"),
        ("/api/v1/creators/", "get"),
    ]:
        assert method in paths[path], path
    filters = {p["name"] for p in paths["/api/v1/events/"]["get"]["parameters"]}
    assert {
        "municipality",
        "audience",
        "priority_group",
        "starts_after",
        "q",
        "status",
        "page_size",
    } <= filters
