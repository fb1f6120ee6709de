from django.core.management.base import BaseCommand, CommandError

from booking.errors import DomainError
from booking.models import StaffRole
from booking.services.accounts import staff_grant


class Command(BaseCommand):
    help = (
        "Create or update a staff account with a role (regional_organiser, library_staff, creator) "
        "and print a new API token alone on the last line (an earlier token of the account stops working)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=", ".join(StaffRole.Role.values))
        parser.add_argument("--library", help="library id (library_staff)")
        parser.add_argument("--creator", help="creator id (creator)")

    def handle(self, *args, username, role, library=None, creator=None, **options):
        try:
            user, token = staff_grant(username=username, role=role, library=library, creator=creator)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        roles = ", ".join(
            str(r) for r in StaffRole.objects.filter(user=user).select_related("library", "creator", "user")
        )
        self.stdout.write(f"{user.username}: {roles}")
        self.stdout.write(token)
