"""``airhotline messages``: the hotline's message catalogue, in every language; the
messages themselves, read from a node's journal.

The catalogue, Babel and the store are imported inside the commands: ``--help`` needs
none of them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from airhotline.cli.common import (
    DbOption,
    check_format,
    fail,
    read_journal,
    report_table,
    time_us_of,
)
from airhotline.clock import iso_from_us

if TYPE_CHECKING:
    from airhotline.core.messages.model import Message

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


@messages_app.command("list")
def list_messages(
    db: DbOption = None,
    party: Annotated[
        str | None,
        typer.Option("--party", help="As this party reads them: what it sent or received."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="The reader's language (default: the party's own, or en)."),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Sent at or after (ISO 8601, UTC).")
    ] = None,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only messages still waiting for their answer.")
    ] = False,
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The hotline's messages, read from the journal: each in the reader's language,
    with who sent it to whom, when, and how it was answered."""
    from airhotline.i18n import LANGUAGES

    check_format(output)
    if lang is not None and lang not in LANGUAGES:
        raise fail(f"--lang: no catalogue for {lang!r}: use one of {', '.join(LANGUAGES)}")
    since_us = time_us_of(since, "--since") if since else None
    from airhotline.core.messages.book import FOLDED_KINDS, MessageBook

    book = MessageBook()
    _, reader = read_journal(db, FOLDED_KINDS, book, party)
    reading = lang or (reader.lang if reader is not None else "en")
    chosen = [
        m
        for m in book.messages()
        if (reader is None or m.involves(reader.id))
        and (since_us is None or m.sent_us >= since_us)
        and (not open_only or m.open)
    ]
    rows = [_row(m, reading) for m in chosen]
    if output == "json":
        typer.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    _print_messages(rows, reading, party)


def _row(message: Message, lang: str) -> dict[str, Any]:
    from airhotline.core.messages.events import message_text

    text = message_text(message.type, message.form, message.params, lang)
    original = message_text(message.type, message.form, message.params, message.lang)
    return {
        "id": message.id,
        "sent": iso_from_us(message.sent_us),
        "from": message.sender_name or "hotline",
        "to": message.recipient_name or "hotline",
        "type": message.type,
        "form": message.form,
        "lang": message.lang,
        "text": text,
        "original": original,
        "state": _state(message),
        "in_reply_to": message.in_reply_to,
        "alert_id": message.alert_id,
        "escalation": message.escalation,
    }


def _state(message: Message) -> str:
    """``open`` (waiting; ``standby`` once told to wait), the word that answered it, or
    ``-`` for a message that wants no answer."""
    if message.answered_us is not None:
        return (message.answer or "answered").lower()
    if message.open:
        return "standby" if message.standby_us is not None else "open"
    return "-"


def _print_messages(rows: list[dict[str, Any]], lang: str, party: str | None) -> None:
    from rich.console import Console

    whose = f"as {party} reads them" if party else "every party's"
    days = {row["sent"][:10] for row in rows}
    # One day's messages (a drill's, a shift's) say their day once, in the title.
    one_day = len(days) == 1
    when = f"on {days.pop()}, " if one_day else ""
    table = report_table(f"{len(rows)} messages, {whose}, in {lang} — {when}times UTC")
    for header in ("sent", "from", "to", "state"):
        table.add_column(header, no_wrap=True)
    table.add_column("message", overflow="fold")
    for row in rows:
        text = row["text"]
        if row["original"] != text:
            text += f"\n[dim]{row['lang']}: {row['original']}[/dim]"
        escalated = "!" * int(row["escalation"])
        table.add_row(
            row["sent"][11:19] if one_day else row["sent"][:19].replace("T", " "),
            row["from"],
            row["to"],
            row["state"] + escalated,
            text,
            style="bold" if row["state"] in ("open", "standby") else None,
        )
    Console().print(table)
