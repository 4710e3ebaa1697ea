"""The console's own words: every language of the message catalogue, every key in each,
every placeholder kept (read from web/src/i18n.js by Node, as the browser reads it)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from airhotline.i18n import LANGUAGES, RIGHT_TO_LEFT

WORDS = Path(__file__).parents[2] / "web/src/i18n.js"


@pytest.fixture(scope="module")
def strings() -> dict[str, dict[str, str]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is missing (make setup needs it to build the console)")
    script = (
        f"import({json.dumps(WORDS.as_uri())}).then(m => console.log(JSON.stringify("
        "{strings: m.STRINGS, rtl: [...m.RTL]})))"
    )
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    found: dict[str, dict[str, str]] = json.loads(out.stdout)
    return found


def test_the_console_speaks_every_language_of_the_catalogue(strings: dict) -> None:
    assert sorted(strings["strings"]) == sorted(LANGUAGES)
    assert sorted(strings["rtl"]) == sorted(RIGHT_TO_LEFT)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_is_there_with_its_placeholders(strings: dict, lang: str) -> None:
    english = strings["strings"]["en"]
    words = strings["strings"][lang]
    assert set(words) == set(english), set(words) ^ set(english)
    for key, text in words.items():
        assert text.strip(), key
        wanted = set(re.findall(r"\{(\w+)\}", english[key]))
        assert set(re.findall(r"\{(\w+)\}", text)) == wanted, (lang, key)
    if lang != "en":
        same = [k for k, v in words.items() if v == english[k] and re.search(r"[a-z]{4}", v)]
        assert len(same) <= 2, f"left in English: {same}"
