"""Fees from the region's data, VAT when it applies, the fee before approval, the event named
for the creator who accepted, the history in words, and who may answer an offer."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from booking import dates
from booking.errors import InvalidInput, PermissionDenied
from booking.models import VisitRequest
from booking.services import visit_requests as visits
from tests.factories import make_creator

F = VisitRequest.Format


@pytest.mark.parametrize(
    "fmt, minutes, lessons, fee",
    [
        (F.PUBLIC_TALK, 60, None, 8500),
        (F.PUBLIC_TALK, 15, None, 3400),
        (F.WORKSHOP, 90, None, 8500),
        (F.DIGITAL, 10, None, 3400),
        (F.DIGITAL, 120, None, 8500),
        (F.SCHOOL_CLASS, 60, 1, 5000),
        (F.SCHOOL_CLASS, 60, 3, 7000),
        (F.SCHOOL_CLASS, 60, 7, 8500),
        (F.SCHOOL_CLASS, 120, None, 6000),
    ],
)
def test_every_format_has_a_recommended_fee_from_the_region_data(fmt, minutes, lessons, fee):
    assert visits.fee_suggest(format=fmt, duration_minutes=minutes, lessons=lessons) == fee


def test_an_unknown_format_has_no_suggestion():
    assert visits.fee_suggest(format="circus", duration_minutes=60) is None


def test_a_new_request_is_prefilled_with_the_fee_and_zero_stays_zero(visit_in):
    workshop = visit_in(VisitRequest.Status.DRAFT, format=F.WORKSHOP)
    assert workshop.fee_sek == 8500
    free = visit_in(VisitRequest.Status.DRAFT, fee_sek=0)
    assert free.fee_sek == 0


def test_approval_needs_a_fee_unless_zero_is_entered(visit_in, organiser):
    request = visit_in(VisitRequest.Status.SUBMITTED)
    VisitRequest.objects.filter(pk=request.pk).update(fee_sek=None)
    with pytest.raises(InvalidInput) as caught:
        visits.visit_request_approve(visit_request=request, actor=organiser, cofunding_granted_sek=0)
    assert caught.value.errors[0]["pointer"] == "/fee_sek"
    assert VisitRequest.objects.get(pk=request.pk).status == VisitRequest.Status.SUBMITTED
    visits.visit_request_approve(visit_request=request, actor=organiser, cofunding_granted_sek=0, fee_sek=0)
    request.refresh_from_db()
    assert (request.status, request.fee_sek) == (VisitRequest.Status.APPROVED, 0)


@pytest.mark.parametrize(
    "registered, own_text, vat", [(True, False, True), (True, True, False), (False, False, False)]
)
def test_vat_applies_iff_registered_and_not_reading_own_text(visit_in, creator, registered, own_text, vat):
    creator.vat_registered = registered
    creator.save()
    request = visit_in(VisitRequest.Status.DRAFT, reads_own_text=own_text)
    assert request.vat_applies is vat
    assert visits.visit_vat_applies(visit_request=request) is vat


def test_the_event_is_named_for_the_creator_who_accepted(visit_in, organiser, creator, creator_user):
    wished = make_creator(name="Önskad Poet")
    request = visit_in(VisitRequest.Status.APPROVED, creator=wished, title="Möt Önskad Poet")
    visits.visit_request_offer(visit_request=request, actor=organiser, creator=creator)
    visits.visit_request_accept(
        visit_request=request, actor=creator_user, date_option=request.date_options.first()
    )
    request.refresh_from_db()
    assert request.event.title == "Möt Testa Författarsson"
    assert "Önskad" not in request.event.title


def test_an_organiser_cannot_accept_or_refuse_for_the_creator(visit_in, organiser):
    request = visit_in(VisitRequest.Status.OFFERED)
    for step, params in (("accept", {"date_option": request.date_options.first()}), ("refuse", {})):
        with pytest.raises(PermissionDenied):
            visits.visit_request_transition(visit_request=request, actor=organiser, transition=step, **params)
    assert "accept" not in visits.allowed_transitions(visit_request=request, user=organiser)
    request.refresh_from_db()
    assert request.status == VisitRequest.Status.OFFERED


def test_the_wished_creator_neither_sees_nor_answers_a_request_offered_to_another(
    visit_in, organiser, creator_user
):
    from booking import access

    other = make_creator(name="Annan Skribent")
    request = visit_in(VisitRequest.Status.APPROVED)  # wished for creator_user's creator
    assert not access.visible_visit_requests(creator_user).filter(pk=request.pk).exists()
    visits.visit_request_offer(visit_request=request, actor=organiser, creator=other)
    assert not access.visible_visit_requests(creator_user).filter(pk=request.pk).exists()
    with pytest.raises(PermissionDenied):
        visits.visit_request_refuse(visit_request=request, actor=creator_user)


def test_offer_warns_when_language_or_audience_is_not_shared(visit_in, creator):
    from booking.models import Audience, Language

    arabic = Language.objects.get(pk="ar")
    audience = Audience.objects.first()
    request = visit_in(VisitRequest.Status.APPROVED, languages=[arabic], audiences=[audience])
    with translation.override("sv"):
        warnings = visits.offer_warnings(visit_request=request, creator=creator)
    assert len(warnings) == 2 and "arabiska" in warnings[0].lower()
    creator.languages.add(arabic)
    creator.audiences.add(audience)
    assert visits.offer_warnings(visit_request=request, creator=creator) == []


def test_history_is_in_words(visit_in, librarian):
    librarian.first_name = "Anna"
    librarian.save()
    request = visit_in(VisitRequest.Status.SUBMITTED)
    with translation.override("sv"):
        lines = [line.text for line in visits.visit_history(visit_request=request)]
    day = dates.format_date(request.submitted_at, "sv", weekday=False)
    assert lines[-1] == f"Skickad av Anna, {day}"
    assert not any("visit_request." in line or "→" in line for line in lines)


STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    "language, expected",
    [("sv", "mån 7 dec 2037 kl. 18.00"), ("en", "Mon 7 Dec 2037, 18:00")],
)
def test_one_date_style(language, expected):
    moment = datetime(2037, 12, 7, 17, 0, tzinfo=ZoneInfo("UTC"))  # 18.00 in Stockholm
    assert dates.format_datetime(moment, language) == expected
    end = datetime(2037, 12, 7, 19, 30, tzinfo=STOCKHOLM)
    assert dates.format_range(moment, end, language).endswith(("18.00–19.30", "18:00–19:30"))


def test_this_year_is_left_out_and_empty_input_is_empty(time_machine):
    time_machine.move_to(datetime(2026, 12, 3, 12, 0, tzinfo=STOCKHOLM), tick=False)
    assert (
        dates.format_datetime(datetime(2026, 12, 7, 18, 0, tzinfo=STOCKHOLM), "sv") == "mån 7 dec kl. 18.00"
    )
    assert dates.format_datetime(datetime(2026, 12, 7, 18, 0, tzinfo=STOCKHOLM), "en") == "Mon 7 Dec, 18:00"
    assert dates.format_datetime(None) == "" and dates.format_range(None, None) == ""
    assert dates.format_date(datetime(2026, 3, 3, 9, 0, tzinfo=STOCKHOLM), "sv", weekday=False) == "3 mars"


def test_sms_and_email_use_the_same_style(time_machine):
    from notifications import render

    time_machine.move_to(datetime(2026, 12, 3, 12, 0, tzinfo=STOCKHOLM), tick=False)
    moment = datetime(2026, 12, 7, 18, 0, tzinfo=STOCKHOLM)
    assert render.local_when(moment, "sv", short=True) == "mån 7 dec kl. 18.00"
    assert render.local_when(moment, "en") == "Mon 7 Dec, 18:00"
