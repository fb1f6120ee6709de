"""The outbox's SQL: how its rows are written and how a booker's SMS state is read, kept apart
from the rules that decide which rows to write (every function here is a measured speed trick
of the booking path; bench/booking_rush.py measures it).

Speed tricks, one line each:
- `rows_insert`: one hand-written INSERT for all rows, not bulk_create (saves ~0.3 ms of a
  ~1.5 ms booking: bulk_create prepares each of the ~22 values of each row through its field).
- `rows_insert`: ON CONFLICT DO NOTHING instead of a read first (saves a query per message, and
  a repeated call is harmless).
- `rows_insert`: the per-recipient limit is decided inside the same INSERT (saves a count query
  per limited row).
- `consent_record`: the consent INSERT reads the opt-out in its RETURNING clause (saves a
  query per new booking with SMS).
- `sms_state`: opt-out and consent on record in one query (saves a query per booking message).
"""

from functools import cache

from django.db import connection
from django.db.models import DateTimeField, Exists
from django.db.models.constants import OnConflict
from django.utils import timezone

from backend.crypto import EncryptedTextField, encrypt
from booking.models import Booking
from notifications import limits
from notifications.models import ConsentEvent, Notification, OptOut, recipient_digest_of


def rows_insert(rows: list[Notification]) -> None:
    """INSERT the rows in one statement; one already there (same dedupe_key) is skipped.

    ON CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite): a second call for the same message is
    a no-op, and a conflict never aborts the caller's transaction (PostgreSQL would, for a
    failed INSERT). Written by hand, not with bulk_create, because it runs in every booking's
    transaction: bulk_create prepares each of the ~22 values of each row through its field
    (~0.3 ms of a ~1.5 ms booking); the values here are already what the columns take, only
    datetimes need adapting (bench/booking_rush.py measures it).

    Here each row gets its recipient's digest, and the per-recipient limit is applied
    (limits.recipient_limit_apply): a message a stranger can trigger has its status and reason
    decided by this same INSERT, from the count of its recipient's recent rows."""
    if not rows:
        return
    fields = _insert_fields()
    ops = connection.ops
    now = timezone.now()
    for row in rows:
        row.created_at = row.updated_at = now
        row.recipient_digest = recipient_digest_of(row.recipient)
    expressions = limits.recipient_limit_apply(rows, now=now)
    params = []
    placeholders = []
    for index, row in enumerate(rows):
        # A row the limit concerns gets SQL expressions for some columns (the INSERT reads the
        # recipient's count itself); every other value is a plain parameter.
        instead = expressions.get(index)
        if instead is None:
            placeholders.append(_one_row(len(fields)))
        else:
            placeholders.append(
                "(" + ", ".join(instead.get(f.attname, ("%s",))[0] for f, _, _ in fields) + ")"
            )
        for field, is_datetime, is_encrypted in fields:
            if instead is not None and field.attname in instead:
                params += instead[field.attname][1]
                continue
            value = getattr(row, field.attname)
            if is_encrypted:
                value = field.get_prep_value(value)
            params.append(
                ops.adapt_datetimefield_value(value) if is_datetime and value is not None else value
            )
    columns = ", ".join(ops.quote_name(field.column) for field, _, _ in fields)
    on_conflict = ops.on_conflict_suffix_sql([f for f, _, _ in fields], OnConflict.IGNORE, None, None)
    sql = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {ops.quote_name(Notification._meta.db_table)} "
        f"({columns}) VALUES {', '.join(placeholders)} {on_conflict}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@cache
def _one_row(width: int) -> str:
    return "(" + ", ".join(["%s"] * width) + ")"


@cache
def _insert_fields() -> list[tuple]:
    return [
        (field, isinstance(field, DateTimeField), isinstance(field, EncryptedTextField))
        for field in Notification._meta.concrete_fields
        if not field.primary_key
    ]


def consent_record(booking) -> bool:
    """INSERT the booker's SMS consent (source booking) and return whether the number has said
    STOP: the opt-out is read in the INSERT's RETURNING clause (PostgreSQL, SQLite >= 3.35).
    The number is stored encrypted, and found by its digest."""
    ops = connection.ops
    table = ops.quote_name(ConsentEvent._meta.db_table)
    optouts = ops.quote_name(OptOut._meta.db_table)
    names = ("phone", "phone_digest", "action", "source", "booking_id", "created_at")
    columns = ", ".join(ops.quote_name(name) for name in names)
    digest = recipient_digest_of(booking.phone)
    # Names from the models' meta, values as parameters.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
        f" RETURNING EXISTS (SELECT 1 FROM {optouts} WHERE {ops.quote_name('phone_digest')} = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                encrypt(booking.phone),
                digest,
                ConsentEvent.Action.OPT_IN.value,
                "booking",
                booking.pk,
                ops.adapt_datetimefield_value(timezone.now()),
                digest,
            ],
        )
        return bool(cursor.fetchone()[0])


def sms_state(booking, *, consent: bool) -> tuple[bool, bool]:
    """(opted out, consent on record) for the booker's number, in one query; (False, True)
    when no SMS would go to it."""
    if not (booking.phone and booking.sms_consent):
        return False, True
    if not consent:
        return OptOut.objects.for_contact(booking.phone).exists(), True
    row = (
        Booking.objects.filter(pk=booking.pk)
        .annotate(
            opted_out=Exists(OptOut.objects.for_contact(booking.phone)),
            consented=Exists(
                ConsentEvent.objects.filter(booking=booking.pk, action=ConsentEvent.Action.OPT_IN)
            ),
        )
        .values_list("opted_out", "consented")
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, True)


def staff_email_rows(*, booking, session, template: str, subject: str, body: str, emails, key: str, now):
    """One e-mail row per address of the library's staff (Swedish: the staff's language), each
    with its own dedupe key `key:<address>`."""
    return [
        Notification(
            channel=Notification.Channel.EMAIL,
            recipient=email,
            template=template,
            language="sv",
            subject=subject,
            body=body,
            booking=booking,
            session=session,
            due_at=now,
            dedupe_key=f"{key}:{email.lower()}",
        )
        for email in sorted(emails)
    ]
