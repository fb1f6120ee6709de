"""GSM-7, the alphabet of a plain SMS (3GPP TS 23.038, formerly GSM 03.38): which characters
it has and what a text costs in it. Pure functions; the events' SMS-title check and the
notifications' SMS bodies both count with these.

The basic set is 128 characters, one septet each; its 0x1B is the escape to the extension table,
not a character, so 127 are listed. The extension table's characters cost two septets (the
escape and the character): the form feed, ^ { } \\ [ ~ ] | and €. å, ä, ö, é and ü are basic; an
en dash, curly quotes or an emoji are not GSM-7 at all, and one such character turns a message
into UCS-2 (70 characters a segment instead of 160).
"""

import math

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"
BASIC = frozenset(GSM7_BASIC)
EXTENSION = frozenset(GSM7_EXTENSION)

SINGLE_GSM7, MULTI_GSM7 = 160, 153  # septets; a concatenated segment loses 7 to its header
SINGLE_UCS2, MULTI_UCS2 = 70, 67  # UTF-16 code units


def is_gsm7_char(char: str) -> bool:
    return char in BASIC or char in EXTENSION


def is_gsm7(text: str) -> bool:
    return all(is_gsm7_char(char) for char in text)


def septets(text: str) -> int:
    """What a GSM-7 text costs: one septet a character, two for the extension table's."""
    return sum(2 if char in EXTENSION else 1 for char in text)


def segments(text: str) -> tuple[str, int]:
    """('gsm7' or 'ucs2', number of segments) as a phone network counts them."""
    if is_gsm7(text):
        if septets(text) <= SINGLE_GSM7:
            return "gsm7", 1
        count, used = 1, 0
        for char in text:  # an escape and its character never straddle two segments
            cost = 2 if char in EXTENSION else 1
            if used + cost > MULTI_GSM7:
                count, used = count + 1, 0
            used += cost
        return "gsm7", count
    units = len(text.encode("utf-16-le")) // 2
    if units <= SINGLE_UCS2:
        return "ucs2", 1
    return "ucs2", math.ceil(units / MULTI_UCS2)
