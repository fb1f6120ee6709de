"""The region's review and the library's own moves: submit, approve, decline, offer, withdraw."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Creator, VisitRequest
from booking.services.visit_requests.common import _begin, _error, _finish, _required_text
from booking.services.visit_requests.fees import visit_vat_applies


@transaction.atomic
def visit_request_submit(*, visit_request: VisitRequest, actor) -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="submit")
    if not request.date_options.exists():
        raise _error("/date_options", _("Ange minst ett datumförslag."), "required")
    if not request.creator_id and not (
        request.wish_genres.exists() or request.wish_languages.exists() or request.wish_audiences.exists()
    ):
        # An open request needs something to go on; so does one that names a creator.
        raise _error("/creator", _("Välj en kulturskapare eller beskriv vem ni söker."), "required")
    request.submitted_at = timezone.now()
    return _finish(request=request, actor=actor, transition="submit")


@transaction.atomic
def visit_request_approve(
    *, visit_request: VisitRequest, actor, cofunding_granted_sek: int, fee_sek: int | None = None
) -> VisitRequest:
    """The region grants co-funding. The fee must be set by then (0 only when entered)."""
    request = _begin(visit_request=visit_request, actor=actor, transition="approve")
    if fee_sek is not None:
        if int(fee_sek) < 0:
            raise _error("/fee_sek", _("Arvodet kan inte vara negativt."))
        request.fee_sek = int(fee_sek)
    if request.fee_sek is None:
        raise _error(
            "/fee_sek",
            _("Ange arvodet innan förfrågan beviljas (skriv 0 om besöket är utan arvode)."),
            "required",
        )
    if cofunding_granted_sek is None or int(cofunding_granted_sek) < 0:
        raise _error("/cofunding_granted_sek", _("Ange beviljat belopp (0 eller mer)."), "required")
    request.cofunding_granted_sek = int(cofunding_granted_sek)
    request.decided_at = timezone.now()
    return _finish(
        request=request,
        actor=actor,
        transition="approve",
        data={"cofunding_granted_sek": request.cofunding_granted_sek, "fee_sek": request.fee_sek},
    )


@transaction.atomic
def visit_request_decline(*, visit_request: VisitRequest, actor, reason: str) -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="decline")
    request.decline_reason = _required_text(reason, "/reason")
    request.decided_at = timezone.now()
    return _finish(request=request, actor=actor, transition="decline", reason=request.decline_reason)


@transaction.atomic
def visit_request_offer(*, visit_request: VisitRequest, actor, creator: Creator) -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="offer")
    if creator is None or not creator.is_active:
        raise _error("/creator", _("Välj en aktiv kulturskapare."), "required")
    request.offered_creator = creator
    request.refuse_note = ""
    request.vat_applies = visit_vat_applies(visit_request=request)
    return _finish(request=request, actor=actor, transition="offer", data={"creator": creator.pk})


@transaction.atomic
def visit_request_withdraw(*, visit_request: VisitRequest, actor, reason: str = "") -> VisitRequest:
    request = _begin(visit_request=visit_request, actor=actor, transition="withdraw")
    return _finish(request=request, actor=actor, transition="withdraw", reason=(reason or "").strip())
