"""An event's title and description in the reader's language: the one rule the public pages,
the calendar feeds and the messages share.

The platform's languages are Swedish and English. An event has its own text (title,
description, written in content_language) and may have a version for each language
(title_sv/title_en, description_sv/description_en). A reader gets the version in their language
where there is one, else the event's own text; a language the platform does not have gets the
event's own text. Only the fields named are read, so the feeds' narrow rows stay narrow.
"""

VERSIONS = {"sv": ("title_sv", "description_sv"), "en": ("title_en", "description_en")}


def _version(event, language: str | None, index: int) -> str:
    fields = VERSIONS.get((language or "")[:2])
    return getattr(event, fields[index]) if fields else ""


def event_title(event, language: str | None) -> str:
    """The title to show a reader of `language`."""
    return _version(event, language, 0) or event.title


def event_description(event, language: str | None) -> str:
    """The description to show a reader of `language`."""
    return _version(event, language, 1) or event.description


def event_title_language(event, language: str | None) -> str:
    """The language event_title(event, language) is written in."""
    return (language or "")[:2] if _version(event, language, 0) else event.content_language or "sv"


def event_description_language(event, language: str | None) -> str:
    """The language event_description(event, language) is written in."""
    return (language or "")[:2] if _version(event, language, 1) else event.content_language or "sv"
