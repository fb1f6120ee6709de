"""The booker's input: every mistake collected at once (the rules: booking.services.booking_details)."""

from collections.abc import Callable

from booking.errors import InvalidInput

NOTE_MAX_LENGTH = 1000


class InputErrors:
    """Collects pointer errors so that a form shows every mistake at once.

    A check that costs a query can be deferred (`defer`): it runs only when the errors are
    raised, and what it finds takes the place where it was deferred."""

    def __init__(self) -> None:
        self._items: list[dict | Callable[[], list[dict]]] = []

    @property
    def found(self) -> bool:
        """Has a check that ran found a mistake? (Deferred checks have not run yet.)"""
        return any(isinstance(item, dict) for item in self._items)

    def add(self, pointer: str, code: str, detail) -> None:
        self._items.append({"pointer": pointer, "code": code, "detail": str(detail)})

    def extend(self, items: list[dict]) -> None:
        """Errors a decider returned (booking.services.booking_details)."""
        self._items.extend(items)

    def run(self, func, *args, **kwargs):
        """func's cleaned value, or "" with its errors collected."""
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            self._items.extend(exc.errors)
            return ""

    def defer(self, check: Callable[[], list[dict]]) -> None:
        self._items.append(check)

    def raise_if_any(self) -> None:
        """Run the deferred checks (once), then raise InvalidInput with everything found."""
        items: list[dict] = []
        for item in self._items:
            items.extend(item() if callable(item) else [item])
        self._items = list(items)
        if items:
            raise InvalidInput(errors=items)


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
