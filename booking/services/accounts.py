"""Staff accounts: who may do what (regional organiser, library staff, creator).

`staff_grant` is what `manage.py grant` calls: it creates or updates the account, gives it the
role and returns a new API token, so that a new colleague or an integration can start at once.
Only the token's digest is kept, so granting again rotates it (the old token stops working).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from booking import access
from booking.errors import InvalidInput, PermissionDenied
from booking.models import AuditEvent, Creator, Library, StaffRole
from booking.services.api_tokens import api_token_issue, api_token_revoke
from booking.services.feed_tokens import feed_token_revoke
from booking.validation import email_clean

ORGANISER_GROUP = "Regionala samordnare"
# What an organiser may do in the admin: everything in Läsrum's own apps, and look at (not
# change) accounts and the task queue. Account changes go through `grant`; the queue's
# schedules are data migrations (whoever may write one runs any function on the server).
ORGANISER_APPS = ("booking", "notifications")
ORGANISER_VIEWS = (
    ("auth", "view_user"),
    *(("django_q", f"view_{m}") for m in ("schedule", "success", "failure")),
)


def organiser_permissions():
    """The permissions the organisers' group holds, and nothing else."""
    permissions = Permission.objects.filter(content_type__app_label__in=ORGANISER_APPS)
    for app_label, codename in ORGANISER_VIEWS:
        permissions = permissions | Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        )
    return permissions


def _organiser_group() -> Group:
    group, _created = Group.objects.get_or_create(name=ORGANISER_GROUP)
    permissions = organiser_permissions()
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
def staff_grant(*, username: str, role: str, library=None, creator=None, issue_token: bool = True) -> tuple:
    """Create or update USERNAME's staff account with ROLE; return (user, new API token key).

    library_staff needs a library, creator needs a creator profile (linked to the account).
    Running it again adds no role twice, and gives a new token (the old one dies: only its
    digest was kept, so it cannot be shown again). With issue_token=False the account's token,
    if any, is left alone and the key returned is None (invitations, the demo accounts).
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
    return user, (api_token_issue(user) if issue_token else None)


# --- Invitations and leavers (staff worker) -------------------------------------------------
def password_set_url(user) -> str:
    """A one-time link to set a password: Django's PasswordResetTokenGenerator, so it dies
    when the password is set (or the account logs in) and after PASSWORD_RESET_TIMEOUT."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.PUBLIC_BASE_URL + path


def _send_invite(user, inviter_name: str) -> None:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("sv"):
        context = {
            "user": user,
            "url": password_set_url(user),
            "inviter": inviter_name,
            "site": settings.PUBLIC_BASE_URL,
        }
        subject = render_to_string("registration/invite_subject.txt", context).strip()
        body = render_to_string("registration/invite_email.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def staff_invite(*, actor, email: str, role: str, library=None, creator=None, first_name="", last_name=""):
    """An organiser invites a colleague or a creator: the account is made (no password yet)
    and an e-mail with a link to set one is sent once the transaction has committed.

    The link is a secret, so it is not kept in the notification outbox; a lost invite is
    simply sent again (inviting the same address twice is harmless)."""
    if not access.is_organiser(actor):
        raise PermissionDenied()
    email = email_clean(email)
    if not email:
        raise InvalidInput(
            errors=[{"pointer": "/email", "code": "required", "detail": str(_("Ange en e-postadress."))}]
        )
    user, _token = staff_grant(username=email, role=role, library=library, creator=creator, issue_token=False)
    user.email = email
    user.first_name = first_name or user.first_name
    user.last_name = last_name or user.last_name
    user.save(update_fields=["email", "first_name", "last_name"])
    AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.get_username(),
        action="account.invite",
        object_type="user",
        object_id=str(user.pk),
        data={
            "role": role,
            "library": getattr(library, "pk", library),
            "creator": getattr(creator, "pk", creator),
        },
    )
    inviter = actor.get_full_name() or actor.get_username()
    transaction.on_commit(lambda: _send_invite(user, inviter))
    return user


@transaction.atomic
def staff_deactivate(*, actor, user, reason: str = "") -> None:
    """A leaver: no more logins, and every token they hold dies with the account (API tokens
    deleted, private feed tokens revoked). Roles and history stay for the record."""
    if not access.is_organiser(actor) or actor.pk == user.pk:
        raise PermissionDenied()
    User = get_user_model()
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    api_token_revoke(user)
    feed_token_revoke(user)
    _sessions_end(user)
    AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.get_username(),
        action="account.deactivate",
        object_type="user",
        object_id=str(user.pk),
        reason=reason,
    )


def _sessions_end(user) -> None:
    """Log the user out everywhere (database sessions; an inactive user is refused anyway)."""
    from django.contrib.sessions.models import Session as WebSession

    for web_session in WebSession.objects.all().iterator():
        if web_session.get_decoded().get("_auth_user_id") == str(user.pk):
            web_session.delete()
