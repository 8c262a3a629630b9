"""Database engine, sessions and migrations for SQLite (one file under var/) and PostgreSQL.

`Database` owns one SQLAlchemy engine per app; `migrate()` brings the schema to the newest
alembic revision and is safe to call on every start.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from knowledge.errors import InvalidInput, Problem
from service.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run while one request writes;
    # the busy timeout turns short lock waits into waits instead of "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def strict_json(value: Any) -> str:
    """Stored JSON is standard JSON on both databases: NaN or Infinity is refused, never written as a token."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        raise InvalidInput([Problem(
            "", "data berisi angka yang tidak terhingga (NaN atau Infinity); tidak ada yang tersimpan",
            "the data holds a number that is not finite (NaN or Infinity); nothing was stored")]) from None


class Database:
    """One engine and session factory for the app's lifetime."""

    def __init__(self, settings: Settings):
        self.url = settings.database_url
        path = settings.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(self.url, connect_args={"check_same_thread": False},
                                                json_serializer=strict_json)
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                                        json_serializer=strict_json)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    def migrate(self) -> None:
        """Upgrade the schema to the newest revision (no-op when already there)."""
        command.upgrade(alembic_config(self.url), "head")

    def at_head(self) -> bool:
        head = ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() == head

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True

    def dispose(self) -> None:
        self.engine.dispose()
