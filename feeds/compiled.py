"""An aggregate query that Django compiles once per process and that later requests run with
their own values.

A feed's conditional GET is one aggregate, but building and compiling it (a dozen lookups over
three joined tables) took Django more CPU than PostgreSQL took to plan and run it: most of the
304. The SQL of such a query is the same on every request; only a few values change (the
window's bounds, a library's id). So the queryset is built once with stand-ins for those
values, its SQL and parameters are captured on their way to the database (the query is not
run), and each request puts its own values where the stand-ins were.

The stand-ins must be values no request ever passes and that Django writes into the
parameters unchanged (or as `adapt` below says): dates in 1900, a negative id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime


class _Captured(Exception):
    def __init__(self, sql: str, params):
        self.sql, self.params = sql, tuple(params)


def _capture(execute, sql, params, many, context):
    raise _Captured(sql, params)


def _adapt(value):
    """A value as Django passes it to the driver (SQLite: datetimes as UTC text)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _datetime(value):
    """An aggregate's datetime as Django's converters would give it (SQLite returns text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


class _Slot(str):
    """Where a request's value goes in the parameters."""


class CompiledAggregate:
    """`build(**values)` returns (queryset, aggregates) for `queryset.aggregate(**aggregates)`;
    `run(**values)` gives what that would, for any values of the same types as `stand_ins`.

    Aggregates that are datetimes are named in `datetimes` (converted like Django would);
    the others (counts) come back as the driver gives them."""

    def __init__(
        self,
        build: Callable[..., tuple[QuerySet, dict]],
        *,
        stand_ins: dict,
        datetimes: frozenset[str],
    ):
        self.build = build
        self.stand_ins = stand_ins
        self.datetimes = datetimes
        self._compiled: dict[str, tuple[str, tuple]] = {}  # per database vendor

    def _compile(self) -> tuple[str, tuple]:
        queryset, aggregates = self.build(**self.stand_ins)
        try:
            with connection.execute_wrapper(_capture):
                queryset.aggregate(**aggregates)
        except _Captured as captured:
            slots = {_adapt(value): _Slot(name) for name, value in self.stand_ins.items()}
            if len(slots) != len(self.stand_ins):
                raise ValueError("two stand-ins are written alike") from None
            params = tuple(
                slots.get(p, p) if isinstance(p, (str, int, datetime)) else p for p in captured.params
            )
            missing = set(self.stand_ins) - {p for p in params if isinstance(p, _Slot)}
            if missing:
                raise ValueError(f"stand-ins not found in the parameters: {sorted(missing)}") from None
            return captured.sql, params
        raise AssertionError("the aggregate ran no query")  # e.g. an empty IN list: nothing to compile

    def run(self, **values) -> dict:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile()
        sql, template = compiled
        params = [_adapt(values[p]) if isinstance(p, _Slot) else p for p in template]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            names = [column[0] for column in cursor.description]
        return {
            name: _datetime(value) if name in self.datetimes else value
            for name, value in zip(names, row, strict=True)
        }
