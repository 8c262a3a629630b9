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
