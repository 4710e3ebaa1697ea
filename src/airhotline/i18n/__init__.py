"""The hotline's languages and their gettext catalogues.

``locale/airhotline.pot`` holds the English templates of the message catalogue
(`airhotline.core.messages.catalogue`); ``locale/<lang>/LC_MESSAGES/airhotline.po`` each
language's translation, committed; the ``.mo`` files beside them are compiled by the
build (``make``, or the wheel's build hook: ``tools/i18n.py compile``), never committed.

A language whose compiled catalogue is missing is an error, never English in disguise:
gettext's own fallback would show a Russian officer English text without a word.
"""

from __future__ import annotations

import gettext
import threading
from pathlib import Path

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "RIGHT_TO_LEFT",
    "CatalogueMissingError",
    "translations",
]

#: The languages of the seeds' parties: English, Russian, Arabic, Hebrew and Turkish.
LANGUAGES = ("en", "ru", "ar", "he", "tr")
RIGHT_TO_LEFT = frozenset({"ar", "he"})
DOMAIN = "airhotline"
LOCALE_DIR = Path(__file__).parent / "locale"

_lock = threading.Lock()
_loaded: dict[str, gettext.GNUTranslations] = {}


class CatalogueMissingError(RuntimeError):
    """A language's compiled catalogue is not there: the build did not compile it."""


def translations(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of ``lang`` (one of `LANGUAGES`), loaded once."""
    if lang not in LANGUAGES:
        raise ValueError(f"no catalogue for {lang!r}: the hotline speaks {', '.join(LANGUAGES)}")
    with _lock:
        found = _loaded.get(lang)
        if found is None:
            try:
                loaded = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
            except FileNotFoundError:
                raise CatalogueMissingError(
                    f"the {lang} catalogue is not compiled: run 'make setup' (or"
                    f" 'python tools/i18n.py compile') to build {LOCALE_DIR / lang}"
                ) from None
            assert isinstance(loaded, gettext.GNUTranslations)
            found = _loaded[lang] = loaded
    return found
