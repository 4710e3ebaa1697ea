"""Alembic environment: migrate on the connection the store hands over.

The store opens a connection (in a transaction) and puts it in
``config.attributes["connection"]``; there is no ``alembic.ini`` and no URL here. The
version table lives in the connection's default schema, as every other table does.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "airhotline migrations run through airhotline.store.migrate with a connection"
    )

context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
