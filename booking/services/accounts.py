"""Staff accounts: who may do what (regional organiser, library staff, creator).

`staff_grant` is what `manage.py grant` calls: it creates or updates the account, gives it the
role and returns its API token, so that a new colleague or an integration can start at once.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from booking.errors import InvalidInput
from booking.models import Creator, Library, StaffRole

ORGANISER_GROUP = "Regionala samordnare"
# What an organiser may do in the admin: everything in Läsrum's own apps and the queue, and
# look at (not change) accounts. Account changes go through `grant`.
ORGANISER_APPS = ("booking", "notifications", "django_q")


def _organiser_group() -> Group:
    group, _created = Group.objects.get_or_create(name=ORGANISER_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label__in=ORGANISER_APPS
    ) | Permission.objects.filter(content_type__app_label="auth", codename="view_user")
    group.permissions.set(permissions)
    return group


def _resolve(model, value, code: str, message):
    if value is None or isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=int(value))
    except (ValueError, TypeError, model.DoesNotExist):
        raise InvalidInput(
            message,
            errors=[{"pointer": f"/{code}", "code": "not_found", "detail": str(message)}],
            value=value,
        ) from None


@transaction.atomic
def staff_grant(*, username: str, role: str, library=None, creator=None) -> tuple:
    """Create or update USERNAME's staff account with ROLE; return (user, API token key).

    library_staff needs a library, creator needs a creator profile (linked to the account).
    Running it again is harmless: the role and token are reused.
    """
    if role not in StaffRole.Role.values:
        raise InvalidInput(
            _("Okänd roll %(value)s: välj regional_organiser, library_staff eller creator."),
            errors=[{"pointer": "/role", "code": "invalid_choice", "detail": f"unknown role {role!r}"}],
            value=role,
        )
    username = (username or "").strip()
    if not username:
        raise InvalidInput(_("Ange ett användarnamn."))
    library = _resolve(Library, library, "library", _("Det finns inget bibliotek med id %(value)s."))
    creator = _resolve(Creator, creator, "creator", _("Det finns ingen kulturskapare med id %(value)s."))
    if role == StaffRole.Role.LIBRARY_STAFF and library is None:
        raise InvalidInput(_("Rollen library_staff behöver --library."))
    if role == StaffRole.Role.CREATOR and creator is None:
        raise InvalidInput(_("Rollen creator behöver --creator."))
    if role != StaffRole.Role.LIBRARY_STAFF:
        library = None
    if role != StaffRole.Role.CREATOR:
        creator = None

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"is_active": True})
    if created:
        user.set_unusable_password()  # they set one through "forgot password" or an invite
    user.is_active = True
    if role == StaffRole.Role.REGIONAL_ORGANISER:
        user.is_staff = True  # organisers use the Django admin
    user.save()
    if role == StaffRole.Role.REGIONAL_ORGANISER:
        user.groups.add(_organiser_group())
    if creator is not None:
        if creator.user_id not in (None, user.pk):
            raise InvalidInput(
                _("Kulturskaparen %(value)s är redan kopplad till ett annat konto."), value=creator.name
            )
        creator.user = user
        creator.save(update_fields=["user", "updated_at"])
    StaffRole.objects.get_or_create(user=user, role=role, library=library, creator=creator)
    token, _created = Token.objects.get_or_create(user=user)
    return user, token.key
