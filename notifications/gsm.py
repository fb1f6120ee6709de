"""GSM-7: what an SMS may contain, how many segments it takes, and how to make text fit.

å, ä, ö, é and ü are in the GSM 03.38 basic set; an en dash, curly quotes or an emoji are not,
and one such character turns the whole message into UCS-2 (70 characters a segment instead of
160). The extension table (€, [, ], {, }, ~, ^, \\, |) costs two septets each.
"""

import math
import re
import unicodedata

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)

SINGLE_GSM7, MULTI_GSM7 = 160, 153  # septets; a concatenated segment loses 7 to its header
SINGLE_UCS2, MULTI_UCS2 = 70, 67  # UTF-16 code units

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


def is_gsm7(text: str) -> bool:
    return all(char in _BASIC or char in _EXTENSION for char in text)


def segments(text: str) -> tuple[str, int]:
    """('gsm7' or 'ucs2', number of segments) as a phone network counts them."""
    if is_gsm7(text):
        costs = [2 if char in _EXTENSION else 1 for char in text]
        if sum(costs) <= SINGLE_GSM7:
            return "gsm7", 1
        count, used = 1, 0
        for cost in costs:  # an escape and its character never straddle two segments
            if used + cost > MULTI_GSM7:
                count, used = count + 1, 0
            used += cost
        return "gsm7", count
    units = len(text.encode("utf-16-le")) // 2
    if units <= SINGLE_UCS2:
        return "ucs2", 1
    return "ucs2", math.ceil(units / MULTI_UCS2)


def _transliterate_char(char: str) -> str | None:
    if char in _BASIC or char in _EXTENSION:
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
