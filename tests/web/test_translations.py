"""The catalogues are complete: every string has its English translation, Swedish (the source
language) maps each string to itself, nothing is fuzzy, and the compiled .mo files that Django
reads say exactly what the .po files say (so an edit that was never compiled fails here)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("sv", "en")


def _po(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def _mo(language: str) -> polib.MOFile:
    return polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))


def _key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _value(entry):
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
    return entry.msgstr


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_fuzzy(language):
    fuzzy = [entry.msgid for entry in _po(language).fuzzy_entries()]
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated(language):
    untranslated = [entry.msgid for entry in _po(language).untranslated_entries()]
    assert untranslated == []
    catalogue = _po(language)
    for entry in catalogue:
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.values()), entry.msgid


def test_swedish_is_the_source_language():
    for entry in _po("sv"):
        if entry.msgid_plural:
            assert (entry.msgstr_plural[0], entry.msgstr_plural[1]) == (entry.msgid, entry.msgid_plural)
        else:
            assert entry.msgstr == entry.msgid


def test_english_translations_keep_the_placeholders():
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for entry in _po("en"):
        wanted = set(placeholder.findall(entry.msgid))
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            got = set(placeholder.findall(text))
            # A singular form may say "one" instead of the count; it must not invent names.
            assert got <= wanted | set(placeholder.findall(entry.msgid_plural or "")), entry.msgid
            if not entry.msgid_plural:
                assert got == wanted, entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    source = {_key(e): _value(e) for e in _po(language) if e.translated() and not e.obsolete}
    compiled = {_key(e): _value(e) for e in _mo(language) if e.msgid}
    missing = sorted(key[1] for key in source.keys() - compiled.keys())
    stale = sorted(key[1] for key in source.keys() & compiled.keys() if source[key] != compiled[key])
    assert missing == [], "run the command in README 'Translations' to compile"
    assert stale == [], "run the command in README 'Translations' to compile"


def test_django_reads_the_catalogue():
    with translation.override("en"):
        assert translation.gettext("Evenemang på biblioteken") == "Events at the libraries"
    with translation.override("sv"):
        assert translation.gettext("Evenemang på biblioteken") == "Evenemang på biblioteken"
