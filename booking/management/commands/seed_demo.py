from django.conf import settings
from django.core.management.base import BaseCommand

from booking.services.demo import demo_seed


class Command(BaseCommand):
    help = (
        "Load the region and a demo programme (rooms, fictional creators, events dated from today, "
        "and fictional bookings). Safe to run again: nothing is duplicated, and past demo events "
        "get new sessions (and their bookings again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="do not create the demo staff accounts (only made when DJANGO_DEBUG=1)",
        )

    def handle(self, *args, no_accounts=False, **options):
        say = lambda message: self.stdout.write(f"  … {message}")  # noqa: E731
        result = demo_seed(progress=say)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo: {result.rooms_created} rooms, {result.creators_created} creators, "
                f"{result.events_created} events, {result.sessions_created} sessions and "
                f"{result.bookings_created} bookings added; "
                f"{result.events_topped_up} past events given new sessions."
            )
        )
        if no_accounts:
            return
        if not settings.DEBUG:
            self.stdout.write(
                "No demo accounts in production (DJANGO_DEBUG=0): use "
                "`manage.py grant USERNAME --role ROLE` and set a password with `manage.py changepassword`."
            )
            return
        from booking.services.demo import DEMO_PASSWORD, demo_accounts_ensure

        accounts = demo_accounts_ensure()
        self.stdout.write("Demo accounts (development only), password " + DEMO_PASSWORD + ":")
        for username, description in accounts:
            self.stdout.write(f"  {username:<22} {description}")
        self.stdout.write(f"Log in at {settings.PUBLIC_BASE_URL}{settings.LOGIN_URL} or /admin/.")
