"""What every command shares: the one-line error, the database option, the console."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["DEFAULT_DB_URL", "USAGE_ERROR", "DbOption", "database_url", "fail"]

USAGE_ERROR = 2
#: The embedded default: a SQLite file under ./var, created on first use.
DEFAULT_DB_URL = "sqlite:///var/airhotline.db"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///path or postgresql+psycopg://...). "
        "Default: $AIRHOTLINE_DB or sqlite:///var/airhotline.db",
        show_default=False,
    ),
]


def database_url(option: str | None) -> str:
    return option or os.environ.get("AIRHOTLINE_DB") or DEFAULT_DB_URL


def fail(message: str) -> typer.Exit:
    """Print one line on standard error; the caller raises the returned Exit (code 2)."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"airhotline: error: {message}", markup=False
    )
    return typer.Exit(USAGE_ERROR)
