"""Recommended fees and VAT for author visits: the rates and which rate a visit's format and
length take both come from the region's data file (`author_fees_sek`), so a region changes
its fees without a release."""

import functools
import math

from booking.models import VisitRequest


@functools.lru_cache(maxsize=1)
def author_fees() -> dict:
    """The recommended minimum fees from the region's data file (read once per process)."""
    from booking.services.reference import read_region_file

    return read_region_file().get("author_fees_sek", {})


def class_visit_max_pupils() -> int:
    return int(author_fees().get("class_visit_max_pupils", 35))


def _rate(fees: dict, key) -> int | None:
    value = fees.get(key) if isinstance(key, str) else None
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def fee_suggest(
    *, format: str, duration_minutes: int | None = None, lessons: int | None = None
) -> int | None:
    """The recommended minimum fee for a visit of this format and length, or None when the
    region's data names no rate for it.

    `author_fees_sek.rates_by_format[format]` is either {"by_lessons": {"1": key, ...}} (a
    school visit: lessons, or its length in whole hours; more than the last is the last) or a
    list of {"up_to_minutes": n | null, "rate": key}, the first that fits the length winning.
    """
    fees = author_fees()
    rule = (fees.get("rates_by_format") or {}).get(format)
    if isinstance(rule, dict) and "by_lessons" in rule:
        table = rule["by_lessons"] or {}
        if not table:
            return None
        count = lessons or max(1, math.ceil((duration_minutes or 60) / 60))
        top = max(int(k) for k in table)
        return _rate(fees, table.get(str(min(count, top))))
    if isinstance(rule, list):
        minutes = duration_minutes if duration_minutes is not None else 60
        for step in rule:
            limit = step.get("up_to_minutes")
            if limit is None or minutes <= limit:
                return _rate(fees, step.get("rate"))
    return None


def visit_vat_applies(*, visit_request: VisitRequest) -> bool:
    """VAT is added iff the creator (the one offered, else the one asked for) is VAT-registered
    and the visit is not one where they only read their own text."""
    creator = visit_request.offered_creator or visit_request.creator
    return bool(creator and creator.vat_registered and not visit_request.reads_own_text)
