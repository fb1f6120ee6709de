"""Recipients as logs and staff may see them: masked. One rule for the admin, the console
backends' log lines and the reasons that providers' error messages become."""

import re


def mask_contact(value: str) -> str:
    """A contact with all but its first two and last two characters starred."""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def scrub(text: str, recipient: str) -> str:
    """TEXT (a provider's error message, say) with RECIPIENT masked wherever it appears: Twilio
    writes "The 'To' number +46701234567 is not a valid phone number", a mail server the address."""
    if not text or not recipient:
        return text
    return re.sub(re.escape(recipient), mask_contact(recipient), text, flags=re.IGNORECASE)
