"""``airhotline messages``: the hotline's message catalogue, in every language.

The catalogue and Babel are imported inside the command: ``--help`` needs neither.
"""

from __future__ import annotations

from typing import Annotated

import typer

from airhotline.cli.common import fail

__all__ = ["messages_app"]

messages_app = typer.Typer(help="Hotline messages.", no_args_is_help=True)


@messages_app.command("catalog")
def catalog(
    lang: Annotated[
        str | None, typer.Option("--lang", help="Only this language (en, ru, ar, he, tr).")
    ] = None,
) -> None:
    """Every message type: its parameters, response attribute and template per language."""
    from airhotline.core.messages.catalogue import CATALOGUE, Response
    from airhotline.core.messages.render import render_response, template_for
    from airhotline.i18n import LANGUAGES, CatalogueMissingError

    if lang is not None and lang not in LANGUAGES:
        raise fail(f"--lang: no catalogue for {lang!r}: use one of {', '.join(LANGUAGES)}")
    languages = LANGUAGES if lang is None else (lang,)
    lines: list[str] = []
    try:
        for message_type in CATALOGUE.values():
            origin = " (sent by the hotline)" if message_type.system else ""
            lines.append(f"{message_type.id}  [{message_type.attribute.value}]{origin}")
            lines.append(f"  {message_type.summary}")
            for form in message_type.forms.values():
                params = ", ".join(
                    f"{p.name}: {p.kind.value}"
                    + (f" ({' | '.join(p.choices)})" if p.choices else "")
                    for p in form.params
                )
                lines.append(f"  form {form.name.split('/', 1)[1]}: {params or 'no parameters'}")
                if message_type.verbatim:
                    lines.append("    carried as written, in the sender's language")
                    continue
                for code in languages:
                    many = {form.plural: 5} if form.plural else {}
                    lines.append(f"    {code}  {template_for(form, code, many)}")
            lines.append("")
        words = {code: [render_response(r, code) for r in Response] for code in languages}
        lines.append("responses (STANDBY keeps a message open)")
        for code, said in words.items():
            lines.append(f"    {code}  {' / '.join(said)}")
    except CatalogueMissingError as error:
        raise fail(str(error)) from None
    typer.echo("\n".join(lines))
