"""Each app owns its tasks and their schedules: after `migrate` every django-q schedule names a
function that imports, each app's schedules are made by its own migration, and a task that
moved between apps is found again by the schedules a deployed database already has."""

import importlib

import pytest
from django.apps import apps
from django_q.models import Schedule

pytestmark = pytest.mark.django_db


def function_of(path: str):
    module, _dot, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_schedule_names_a_function_that_imports():
    schedules = list(Schedule.objects.all())
    assert len(schedules) >= 5
    for schedule in schedules:
        assert callable(function_of(schedule.func)), schedule.func


def test_each_app_schedules_its_own_tasks_each_once():
    funcs = sorted(Schedule.objects.values_list("func", flat=True))
    assert len(funcs) == len(set(funcs))
    for schedule in Schedule.objects.all():
        owner = schedule.func.split(".")[0]
        assert schedule.name.startswith(f"{owner}."), (schedule.name, schedule.func)
        assert schedule.func.startswith(f"{owner}.tasks.")
    expiry = Schedule.objects.get(name="booking.expire_offers")
    assert (expiry.func, expiry.schedule_type, expiry.minutes) == ("booking.tasks.expire_offers", "I", 1)


def test_a_deployed_schedule_of_a_moved_task_is_rewritten_and_keeps_its_timing():
    moved = importlib.import_module("notifications.migrations.0007_schedules_moved")
    booking_schedules = importlib.import_module("booking.migrations.0007_schedules")
    # A database from before the move: the expiry scheduled as notifications' task, retimed by
    # an operator, plus one an operator made under another name.
    Schedule.objects.filter(name="booking.expire_offers").update(
        func="notifications.tasks.expire_offers", minutes=2
    )
    Schedule.objects.create(
        name="extra", func="notifications.tasks.expire_offers", schedule_type="I", minutes=5
    )
    before = Schedule.objects.count()
    booking_schedules.create(apps, None)  # finds its schedules there: makes none twice
    moved.rewrite(apps, None)
    assert Schedule.objects.count() == before
    for schedule in Schedule.objects.filter(name__in=["booking.expire_offers", "extra"]):
        assert schedule.func == "booking.tasks.expire_offers"
        assert callable(function_of(schedule.func))
    assert Schedule.objects.get(name="booking.expire_offers").minutes == 2
    assert not Schedule.objects.filter(func__startswith="notifications.tasks.expire").exists()
