"""The public pages as a visitor meets them, through Django's test client."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from booking.models import Event


def test_the_start_page_lists_upcoming_public_events_in_swedish(client, workshop, circle):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in html
    assert "Skriv din egen saga" in html
    assert "Läscirkel på meänkieli" in html
    assert "10 platser kvar" in html
    assert html.count("<h1") == 1


def test_english_comes_from_accept_language(client, workshop):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Write your own fairy tale" in html
    assert "10 seats left" in html


def test_the_language_switcher_is_a_form_that_remembers_the_choice(client, workshop):
    page = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()


def test_unlisted_events_are_not_listed_but_open_by_link(client, workshop):
    workshop.visibility = Event.Visibility.UNLISTED
    workshop.save()
    assert "Skriv din egen saga" not in client.get("/").content.decode()
    response = client.get(workshop.get_absolute_url())
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.content.decode()


JSON_LD = '<script type="application/ld+json">'
NOINDEX = '<meta name="robots" content="noindex">'


def test_an_unlisted_event_page_is_kept_out_of_search_engines(client, workshop):
    workshop.visibility = Event.Visibility.UNLISTED
    workshop.save()
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "<h1>Skriv din egen saga</h1>" in html
    assert html.count(NOINDEX) == 1
    assert JSON_LD not in html
    assert "schema.org" not in html


def test_a_public_event_page_may_be_indexed_and_carries_json_ld(client, workshop):
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert NOINDEX not in html
    assert 'name="robots"' not in html
    assert html.count(JSON_LD) == 1


def test_an_unlisted_events_calendar_link_works_but_its_librarys_feed_leaves_it_out(client, workshop, circle):
    workshop.visibility = Event.Visibility.UNLISTED
    workshop.save()
    html = client.get(workshop.get_absolute_url()).content.decode()
    href = re.search(r'<a href="([^"]+)">Lägg till evenemanget i din kalender \(\.ics\)</a>', html).group(1)
    response = client.get(re.sub(r"^https?://[^/]+", "", href).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    ics = response.content.decode()
    assert "BEGIN:VEVENT" in ics and "Skriv din egen saga" in ics
    library_feed = client.get(reverse("feeds:library", kwargs={"library_id": workshop.library_id}))
    assert library_feed.status_code == 200
    assert "Läscirkel på meänkieli" in library_feed.content.decode()  # the public event in the library
    assert "Skriv din egen saga" not in library_feed.content.decode()


@pytest.mark.parametrize("change", [{"visibility": Event.Visibility.PRIVATE}, {"status": Event.Status.DRAFT}])
def test_private_and_draft_events_do_not_exist_for_the_public(client, workshop, change):
    Event.objects.filter(pk=workshop.pk).update(**change)
    assert client.get(workshop.get_absolute_url()).status_code == 404
    assert "Skriv din egen saga" not in client.get("/").content.decode()


def test_filters_narrow_the_listing(client, workshop, circle):
    html = client.get("/", {"language": "fit"}).content.decode()
    assert "Läscirkel på meänkieli" in html and "Skriv din egen saga" not in html
    html = client.get("/", {"kind": "writing_workshop", "audience": "10-12"}).content.decode()
    assert "Skriv din egen saga" in html and "Läscirkel på meänkieli" not in html
    html = client.get("/", {"accessibility": "hearing_loop", "q": "saga"}).content.decode()
    assert "Skriv din egen saga" in html


def test_a_bad_filter_value_is_shown_beside_its_field_not_a_500(client, workshop):
    response = client.get("/", {"municipality": "9999", "starts_after": "not-a-date"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_municipality-error"' in html
    assert 'id="id_starts_after-error"' in html


def test_dates_filter_by_local_day(client, workshop):
    start = workshop.sessions.get().start
    from django.utils import timezone

    day = timezone.localtime(start).date().isoformat()
    assert (
        "Skriv din egen saga" in client.get("/", {"starts_after": day, "starts_before": day}).content.decode()
    )
    assert "Skriv din egen saga" not in client.get("/", {"starts_before": "2000-01-01"}).content.decode()


def test_the_event_page_marks_text_in_another_language(client, circle):
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "<h1>Läscirkel på meänkieli</h1>" in html
    assert re.search(r'<div class="description" lang="fit">', html)


def test_the_event_page_describes_the_venue_and_links_a_map(client, workshop):
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "Hörslinga" in html
    assert "https://www.openstreetmap.org/search?query=" in html
    assert "webcal://" in html


def test_the_event_page_carries_schema_org_json_ld(client, workshop):
    import json

    html = client.get(workshop.get_absolute_url()).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data[0]["@type"] == "Event"
    assert data[0]["name"] == "Skriv din egen saga"
    assert data[0]["offers"]["availability"] == "https://schema.org/InStock"


def test_json_ld_cannot_close_its_script_element(client, workshop):
    workshop.title = "</script><script>alert(1)</script>"
    workshop.save()
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("path", ["/tillganglighet/", "/integritet/", "/om/", "/hitta-bokning/"])
def test_the_information_pages_answer_in_both_languages(client, region, path):
    sv = client.get(path)
    en = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert sv.status_code == en.status_code == 200
    assert sv.content != en.content
    assert sv.content.decode().count("<h1") == 1


def test_the_accessibility_statement_names_the_supervising_authority(client, region):
    html = client.get("/tillganglighet/").content.decode()
    assert "Myndigheten för digital förvaltning (Digg)" in html


def test_the_privacy_notice_says_how_long(client, region):
    with override_settings(RETENTION_DAYS_AFTER_EVENT=45):
        assert "45 dagar efter evenemanget" in client.get("/integritet/").content.decode()


def test_the_about_page_lists_the_priority_groups(client, region):
    html = client.get("/om/").content.decode()
    for name in ("Barn och unga", "Nationella minoriteter", "Äldre"):
        assert name in html


def test_unknown_pages_get_the_site_404(client, region):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_pages_are_light(client, workshop, circle):
    for path in ("/", workshop.get_absolute_url(), "/tillganglighet/"):
        assert len(client.get(path).content) < 100_000


def test_every_page_sends_a_csp_without_inline_script(client, workshop):
    response = client.get(workshop.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "style=" not in response.content.decode()


def test_whitenoise_serves_the_css_under_a_hashed_name_when_not_debugging(tmp_path, region):
    from django.core.management import call_command
    from django.test import Client

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages, DEBUG=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        client = Client()
        html = client.get("/om/").content.decode()
        match = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)
        assert match, "the stylesheet is not linked by a hashed name"
        response = client.get(match.group(1))
        assert response.status_code == 200
        assert "immutable" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"/* L")


def test_the_500_page_is_in_the_site_style(rf, region):
    from backend.errors import handler500

    request = rf.get("/")
    response = handler500(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Något gick fel hos oss" in html and 'class="skip-link"' in html


def test_the_csrf_failure_page_is_in_the_site_style(region):
    from django.test import Client

    with override_settings(DEBUG=False):
        response = Client(enforce_csrf_checks=True).post("/hitta-bokning/", {"contact": "a@b.se"})
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


@pytest.mark.parametrize(
    ("utc", "language", "expected"),
    [
        ("2037-03-14T13:00:00+00:00", "sv", "lör 14 mars 2037 kl. 14.00"),
        ("2037-07-04T12:00:00+00:00", "sv", "lör 4 juli 2037 kl. 14.00"),  # summer time
        ("2037-03-29T01:30:00+00:00", "sv", "sön 29 mars 2037 kl. 03.30"),  # just after the change
        ("2037-10-25T00:30:00+00:00", "sv", "sön 25 okt 2037 kl. 02.30"),  # before it goes back
        ("2037-03-14T13:00:00+00:00", "en", "Sat 14 Mar 2037, 14:00"),
    ],
)
def test_dates_read_the_way_people_write_them(utc, language, expected):
    from datetime import datetime

    from django.utils import translation

    from web.templatetags.lasrum_web import local_datetime

    with translation.override(language):
        assert local_datetime(datetime.fromisoformat(utc)) == expected
