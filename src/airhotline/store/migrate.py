"""Bring a database to the newest schema with Alembic, configured in code.

No ``alembic.ini``: the script directory is the ``migrations`` folder inside this
package and the connection is the store's own, so that migrations run exactly where the
store will read and write (on PostgreSQL, the connection's ``search_path``, where the
version table is kept as well).

``migrations/`` is a folder of scripts, not a package, so that nothing imports Alembic's
``env.py`` by accident. Each revision in ``migrations/versions`` spells its tables out
instead of importing `airhotline.store.schema`, so that it keeps building what it built
when it was written; a test checks that the newest schema matches ``schema.py``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from airhotline.store.engine import WRITE_OPTION

__all__ = ["alembic_config", "head_revision", "upgrade"]

MIGRATIONS = Path(__file__).parent / "migrations"
#: Alembic's ``context`` and ``op`` are process-wide proxies: one migration at a time.
_ALEMBIC = threading.Lock()


def alembic_config() -> Config:
    """An Alembic configuration pointing at the package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str | None:
    """The newest revision in the script directory."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied, in one transaction.

    Stores opening at the same moment migrate one after the other: SQLite's writer
    connection holds the database's write lock from BEGIN, and on PostgreSQL a
    transaction-level advisory lock, named after the schema, does the same.
    """
    config = alembic_config()
    with (
        _ALEMBIC,
        engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
        connection.begin(),
    ):
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || :name))"),
                {"name": ".airhotline.migrate"},
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
