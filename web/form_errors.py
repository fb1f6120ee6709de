"""The domain's pointer errors on a Django form: {"pointer": "/phone", "detail": …} becomes the
phone field's error, a pointer the form has no field for goes on top. The forms, the booking
submit and the manage page all place the services' errors this one way."""

from booking.errors import InvalidInput


def pointer_errors_to_form(form, errors: list[dict], *, fallback: str = "") -> None:
    """Put each error beside the field its pointer names (once: the same words are not repeated
    on a field that already has them)."""
    for error in errors:
        name = str(error.get("pointer", "")).strip("/").split("/")[0]
        field = name if name in form.fields else None
        detail = str(error.get("detail") or fallback)
        if field and field in form.errors and detail in form.errors[field]:
            continue
        form.add_error(field, detail)


def invalid_input_to_form(form, exc: InvalidInput) -> None:
    """An InvalidInput's errors on the form; one without pointers as a message on top."""
    if exc.errors:
        pointer_errors_to_form(form, exc.errors, fallback=str(exc))
    else:
        form.add_error(None, str(exc))
