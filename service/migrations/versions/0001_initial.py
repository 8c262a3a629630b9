"""Initial schema: API keys, decisions (audit), proposals, calibrations.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("kelurahan", sa.String(80), nullable=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_api_keys_key_hash", "api_keys", ["key_hash"], unique=True)
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("kb_name", sa.String(80), nullable=True),
        sa.Column("kb_version", sa.String(40), nullable=True),
        sa.Column("index_name", sa.String(80), nullable=True),
        sa.Column("index_hash", sa.String(80), nullable=True),
        sa.Column("calibration_id", sa.String(120), nullable=True),
        sa.Column("input_hash", sa.String(71), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.String(32), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("kecamatan", sa.String(80), nullable=False),
        sa.Column("kelurahan", sa.String(80), nullable=False),
        sa.Column("rw", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(24), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("decision_id", sa.String(36), sa.ForeignKey("decisions.id"), nullable=False),
        sa.Column("key_id", sa.String(32), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index(
        "uq_proposals_active_rw_cycle", "proposals", ["cycle", "kelurahan", "rw"], unique=True,
        sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index("ix_proposals_listing", "proposals", ["cycle", "kelurahan", "verdict"])
    op.create_table(
        "calibrations",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("index_name", sa.String(80), nullable=False),
        sa.Column("index_hash", sa.String(80), nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("artifact", sa.JSON(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("key_id", sa.String(32), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("calibrations")
    op.drop_index("ix_proposals_listing", table_name="proposals")
    op.drop_index("uq_proposals_active_rw_cycle", table_name="proposals")
    op.drop_table("proposals")
    op.drop_table("decisions")
    op.drop_index("ix_api_keys_key_hash", table_name="api_keys")
    op.drop_table("api_keys")
