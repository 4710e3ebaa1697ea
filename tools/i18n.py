"""The message catalogue's translations: extract the templates, compile the catalogues.

    python tools/i18n.py extract   # write locale/airhotline.pot from the message catalogue
                                   # and the debrief's marked words (debrief.words), and
                                   # add new templates to every .po (kept translations)
    python tools/i18n.py compile   # .po -> .mo for every language; fails on a fuzzy or
                                   # missing translation instead of shipping English

`make` compiles before running or testing; the wheel's build hook (hatch_build.py) calls
`compile_all` too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from airhotline.core.messages.catalogue import messages_to_translate  # noqa: E402
from airhotline.debrief.words import to_translate as debrief_words  # noqa: E402
from airhotline.i18n import DOMAIN, LANGUAGES, LOCALE_DIR  # noqa: E402

POT = LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def template_catalogue() -> Catalog:
    catalog = Catalog(project="airhotline", domain=DOMAIN, charset="utf-8")
    for context, msgid in [*messages_to_translate(), *debrief_words()]:
        catalog.add(msgid, context=context)
    return catalog


def extract() -> None:
    template = template_catalogue()
    with POT.open("wb") as out:
        write_po(out, template, omit_header=False, sort_output=False, width=0)
    for lang in LANGUAGES:
        path = po_path(lang)
        if path.exists():
            with path.open("rb") as stream:
                catalog = read_po(stream, locale=lang)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, domain=DOMAIN, project="airhotline")
            catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False  # a fuzzy header would drop Plural-Forms from the .mo
        with path.open("wb") as out:
            write_po(out, catalog, width=0, ignore_obsolete=True)


def compile_all() -> list[Path]:
    """Compile every language; `SystemExit` naming what is untranslated or fuzzy."""
    written = []
    problems = []
    for lang in LANGUAGES:
        path = po_path(lang)
        with path.open("rb") as stream:
            catalog = read_po(stream, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                problems.append(f"{path.relative_to(ROOT)}: {message.context}: not translated")
        mo = path.with_suffix(".mo")
        with mo.open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        written.append(mo)
    if problems:
        raise SystemExit("\n".join(problems))
    return written


if __name__ == "__main__":
    verbs = {"extract": extract, "compile": compile_all}
    if len(sys.argv) != 2 or sys.argv[1] not in verbs:
        raise SystemExit(__doc__)
    verbs[sys.argv[1]]()
