"""Bring the translation catalogues in line after `makemessages`, without GNU gettext.

Swedish is the source language: every sv entry gets msgstr = msgid. English entries that
msgmerge guessed ("fuzzy") are emptied, since a guess is not a translation. Both catalogues are
compiled to .mo with polib, and the English entries still to translate are listed (the command
fails while there are any, so that it can gate a commit).
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PLURAL_FORMS = "nplurals=2; plural=(n != 1);"


class Command(BaseCommand):
    help = "Fill the sv catalogue from its msgids, drop fuzzy guesses in en, compile both, list gaps."

    def handle(self, *args, **options):
        base = Path(settings.LOCALE_PATHS[0])
        missing = []
        for language in ("sv", "en"):
            path = base / language / "LC_MESSAGES" / "django.po"
            catalogue = polib.pofile(str(path), wrapwidth=0)
            catalogue.metadata["Language"] = language
            catalogue.metadata["Plural-Forms"] = PLURAL_FORMS
            catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
            for entry in catalogue:
                if entry.obsolete:
                    continue
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                    entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
                    entry.msgstr = ""
                    entry.msgstr_plural = {0: "", 1: ""} if entry.msgid_plural else {}
                if language == "sv":
                    if entry.msgid_plural:
                        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                    else:
                        entry.msgstr = entry.msgid
                elif not entry.translated():
                    missing.append(entry.msgid)
            catalogue.save(str(path))
            catalogue.save_as_mofile(str(path.with_suffix(".mo")))
        for msgid in missing:
            self.stdout.write(f"untranslated (en): {msgid}")
        if missing:
            raise CommandError(f"{len(missing)} entries need an English translation in locale/en.")
        self.stdout.write("Catalogues complete and compiled.")
