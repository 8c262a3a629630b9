"""Evaluations kept in Berdaya: score runs and their units, tier decisions, calibrations in force, closed cycles.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _key() -> sa.Column:
    return sa.Column("key_id", sa.String(32), sa.ForeignKey("api_keys.id"), nullable=True)


def upgrade() -> None:
    op.create_table(
        "calibrations_in_force",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("index_name", sa.String(80), nullable=False),
        sa.Column("from_cycle", sa.Integer, nullable=False),
        sa.Column("calibration_id", sa.String(120), sa.ForeignKey("calibrations.id"), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _key(),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_calibrations_in_force_index_cycle", "calibrations_in_force", ["index_name", "from_cycle"])
    op.create_table(
        "cycle_closures",
        sa.Column("cycle", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("reason", sa.Text, nullable=False),
        _key(),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "score_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("index_name", sa.String(80), nullable=False),
        sa.Column("index_hash", sa.String(80), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("job_id", sa.String(32), nullable=True),
        _key(),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "score_units",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("score_runs.id"), nullable=False),
        sa.Column("decision_id", sa.String(36), sa.ForeignKey("decisions.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("cycle", sa.Integer, nullable=True),
        sa.Column("kecamatan", sa.String(80), nullable=False),
        sa.Column("kelurahan", sa.String(80), nullable=False),
        sa.Column("rw", sa.Integer, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("tier", sa.Integer, nullable=True),
        sa.Column("borderline", sa.Boolean, nullable=False),
        sa.Column("evaluator_tier", sa.Integer, nullable=True),
        sa.Column("calibration_id", sa.String(120), nullable=True),
        sa.Column("unit", sa.JSON, nullable=False),
    )
    op.create_index("ix_score_units_run", "score_units", ["run_id", "cycle", "kelurahan", "rw"])
    op.create_index("ix_score_units_rw", "score_units", ["kelurahan", "rw", "cycle"])
    op.create_table(
        "tier_decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("index_name", sa.String(80), nullable=False),
        sa.Column("cycle", sa.Integer, nullable=False),
        sa.Column("kecamatan", sa.String(80), nullable=False),
        sa.Column("kelurahan", sa.String(80), nullable=False),
        sa.Column("rw", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("computed_tier", sa.Integer, nullable=False),
        sa.Column("final_tier", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("calibration_id", sa.String(120), nullable=True),
        sa.Column("score_unit_id", sa.Integer, sa.ForeignKey("score_units.id"), nullable=True),
        _key(),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_tier_decisions_rw", "tier_decisions", ["index_name", "cycle", "kelurahan", "rw", "created_at"])


def downgrade() -> None:
    for table in ("tier_decisions", "score_units", "score_runs", "cycle_closures", "calibrations_in_force"):
        op.drop_table(table)
