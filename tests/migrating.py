"""Run one of booking's data migrations on rows written as the old code wrote them.

Migrations are found by the end of their name, so the tests survive the lead's renumbering."""

import importlib
from pathlib import Path
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

import booking.migrations


def booking_migration(suffix: str):
    folder = Path(booking.migrations.__file__).parent
    (path,) = folder.glob(f"[0-9][0-9][0-9][0-9]_{suffix}.py")
    return importlib.import_module(f"booking.migrations.{path.stem}")


def run(function) -> None:
    """Call a RunPython function as `migrate` would (the current models stand in for the
    historical ones: the functions only need the tables as they are after the migration)."""
    function(apps, SimpleNamespace(connection=connection))


def raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []
