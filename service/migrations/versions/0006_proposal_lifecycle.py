"""The proposal lifecycle: where a proposal is in the review chain, its revisions and its timeline;
reviewers' keys carry a region (kelurahan, kecamatan or city).

Proposals stored before keep their content as revision 1, waiting at the chain's first stage.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("scope", sa.String(16), nullable=True))
        batch.add_column(sa.Column("kecamatan", sa.String(80), nullable=True))
    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="in_review"))
        batch.add_column(sa.Column("stage_index", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("row_version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_at", TS, nullable=True))
    op.execute("UPDATE proposals SET updated_at = created_at")
    with op.batch_alter_table("proposals") as batch:
        batch.alter_column("updated_at", existing_type=TS, nullable=False)
    op.create_table(
        "proposal_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.String(36), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("verdict", sa.String(24), nullable=False),
        sa.Column("decision_id", sa.String(36), sa.ForeignKey("decisions.id"), nullable=False),
        sa.Column("diff", sa.JSON, nullable=False),
        sa.Column("amends", sa.Integer, nullable=True),
        sa.Column("berita_acara", sa.JSON, nullable=True),
        sa.Column("key_id", sa.String(32), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("proposal_id", "number", name="uq_proposal_revisions_number"),
    )
    op.create_index("ix_proposal_revisions_proposal_id", "proposal_revisions", ["proposal_id"])
    op.execute(
        "INSERT INTO proposal_revisions (proposal_id, number, kind, content, verdict, decision_id, diff, key_id,"
        " created_at) SELECT id, 1, 'submission', content, verdict, decision_id, '[]', key_id, created_at"
        " FROM proposals")
    op.create_table(
        "proposal_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.String(36), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(40), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("rule_id", sa.String(40), nullable=True),
        sa.Column("cycle", sa.Integer, nullable=False),
        sa.Column("key_id", sa.String(32), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_proposal_events_proposal_id", "proposal_events", ["proposal_id"])
    op.create_index("ix_proposal_events_rule", "proposal_events", ["kind", "rule_id"])


def downgrade() -> None:
    op.drop_table("proposal_events")
    op.drop_table("proposal_revisions")
    with op.batch_alter_table("proposals") as batch:
        for column in ("updated_at", "row_version", "revision", "stage_index", "state"):
            batch.drop_column(column)
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("kecamatan")
        batch.drop_column("scope")
