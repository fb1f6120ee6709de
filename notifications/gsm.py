"""Making text fit an SMS: transliteration into GSM-7 and shortening. The alphabet itself and
the segment count are the domain's (booking/services/gsm.py), shared with the events'
SMS-title check."""

import re
import unicodedata

from booking.services.gsm import BASIC as _BASIC
from booking.services.gsm import GSM7_BASIC, GSM7_EXTENSION, is_gsm7, is_gsm7_char, segments

__all__ = ["GSM7_BASIC", "GSM7_EXTENSION", "is_gsm7", "readable_share", "segments", "shorten", "to_gsm7"]

# Letters that do not decompose into a GSM-7 base letter (Sami, Finnish, Polish, ...), and
# typography that word processors put into titles.
_FALLBACK = {
    "ŋ": "n",
    "Ŋ": "N",
    "đ": "d",
    "Đ": "D",
    "ŧ": "t",
    "Ŧ": "T",
    "ʒ": "z",
    "Ʒ": "Z",
    "ǥ": "g",
    "Ǥ": "G",
    "ł": "l",
    "Ł": "L",
    "ı": "i",
    "œ": "oe",
    "Œ": "OE",
    "þ": "th",
    "Þ": "Th",
    "ð": "d",
    "–": "-",
    "—": "-",
    "‐": "-",
    "−": "-",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "´": "'",
    "`": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\t": " ",
}


def _transliterate_char(char: str) -> str | None:
    if is_gsm7_char(char):
        return char
    if char in _FALLBACK:
        return _FALLBACK[char]
    base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    if base and all(part in _BASIC for part in base):
        return base
    if base and all(part in _FALLBACK or part in _BASIC for part in base):
        return "".join(_FALLBACK.get(part, part) for part in base)
    return None


def to_gsm7(text: str, *, replacement: str = "") -> str:
    """The text in GSM-7: å ä ö and other GSM letters kept, 'Čáhppes' → 'Cahppes', curly quotes
    and dashes straightened, what cannot be written (Arabic script, emoji) replaced."""
    out = []
    for char in text:
        mapped = _transliterate_char(char)
        out.append(replacement if mapped is None else mapped)
    return re.sub(r" {2,}", " ", "".join(out))


def readable_share(text: str) -> float:
    """How much of a text's letters survive transliteration (1.0 for Swedish, 0 for Arabic)."""
    letters = [char for char in text if char.isalnum()]
    if not letters:
        return 1.0
    return sum(1 for char in letters if _transliterate_char(char) is not None) / len(letters)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word where it can be, with '...' when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 3)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-") + "..."
