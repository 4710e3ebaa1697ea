"""The language a reader reads in: the one a request asks for (``?lang=``, the console's
switch), else its party's; the admin's English."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from airhotline.core.access import Principal
from airhotline.core.node import HotlineNode
from airhotline.i18n import LANGUAGES
from airhotline.service.problems import ProblemError

__all__ = ["Lang", "reader_lang"]

Lang = Annotated[
    str | None,
    Query(max_length=8, description=f"Render in this language: {', '.join(LANGUAGES)}"),
]


def reader_lang(node: HotlineNode, caller: Principal, lang: str | None) -> str:
    """The language to render in: the one asked for, else the party's (the admin's:
    English); 422 naming ``lang`` for one the catalogue lacks."""
    if lang is not None:
        if lang not in LANGUAGES:
            raise ProblemError(422, f"lang: one of {', '.join(LANGUAGES)}", field="lang")
        return lang
    if caller.party_id is None:
        return "en"
    return node.party(caller.party_id).lang
