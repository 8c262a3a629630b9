"""Alembic environment: runs the migrations on the connection `service.db.migrate` hands over.

On PostgreSQL an advisory lock serialises migrations, so that several worker processes
starting at once do not race to create the same tables.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from service.models import Base

MIGRATION_LOCK = 7_430_531  # arbitrary, fixed: the advisory lock id of Berdaya's migrations


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(str(context.config.get_main_option("sqlalchemy.url")))
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            conn.commit()
        try:
            _run(conn)
        finally:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                conn.commit()
    engine.dispose()


run_migrations_online()
