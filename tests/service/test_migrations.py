"""The alembic migrations create exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from service.models import Base


def test_migrated_schema_matches_the_models(client, app):
    db = app.state.services.db
    assert db.at_head()
    db.migrate()  # a second start changes nothing
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_from_the_first_revision_keeps_stored_decisions(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, text

    from service.db import Database, alembic_config
    from service.settings import Settings

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO decisions (id, kind, kb_name, kb_version, input_hash, input, output, "
                          "created_at) VALUES ('d1', 'check', 'ppm-cimahi', '2025.1', 'sha256:00', '{}', "
                          "'{\"verdict\": \"eligible\"}', '2024-01-01 00:00:00')"))
    db = Database(Settings(database_url=url))
    assert not db.at_head()
    db.migrate()
    assert db.at_head()
    with engine.connect() as conn:
        row = conn.execute(text("SELECT kb_version, kb_hash, output FROM decisions WHERE id = 'd1'")).one()
    engine.dispose()
    db.dispose()
    assert row[0] == "2025.1" and row[1] is None and "eligible" in row[2]
