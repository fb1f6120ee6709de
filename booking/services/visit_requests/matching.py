"""Does a creator fit a visit? The offer form warns when they share none of the visit's
languages or audiences (a warning, not a rule: the organiser may know better)."""

from django.utils.translation import gettext as _

from booking.models import Creator, VisitRequest


def offer_warnings(*, visit_request: VisitRequest, creator: Creator | None) -> list[str]:
    """Sentences for the organiser: "X talar inget av besökets språk (arabiska)."."""
    if creator is None:
        return []
    warnings = []
    wanted_languages = list(visit_request.languages.all())
    if wanted_languages and not set(creator.languages.all()) & set(wanted_languages):
        warnings.append(
            _("%(name)s talar inget av besökets språk (%(languages)s).")
            % {"name": creator.name, "languages": ", ".join(str(x.name) for x in wanted_languages)}
        )
    wanted_audiences = list(visit_request.audiences.all())
    if wanted_audiences and not set(creator.audiences.all()) & set(wanted_audiences):
        warnings.append(
            _("%(name)s skriver inte för besökets målgrupp (%(audiences)s).")
            % {"name": creator.name, "audiences": ", ".join(str(x.name) for x in wanted_audiences)}
        )
    return warnings
