"""The service's database tables (SQLAlchemy 2 declarative models).

The schema itself is created and changed only by the alembic migrations in
`service/migrations/`; these classes must match them (a test compares the two).
JSON columns hold the stored inputs and outputs exactly as they were answered, so that a
decision can be shown and replayed later without recomputing anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict: JSON, list: JSON}


class ApiKey(Base):
    """An API key: only its SHA-256 hash is kept; the key itself is shown once at creation."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    kelurahan: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # A reviewer's region: scope kelurahan (with `kelurahan`), kecamatan (with `kecamatan`) or city.
    scope: Mapped[str | None] = mapped_column(String(16), nullable=True)
    kecamatan: Mapped[str | None] = mapped_column(String(80), nullable=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Decision(Base):
    """One stored check or score, with everything needed to audit and replay it."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # check | score
    kb_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    kb_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    kb_hash: Mapped[str | None] = mapped_column(String(80), nullable=True)
    index_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    index_hash: Mapped[str | None] = mapped_column(String(80), nullable=True)
    calibration_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    input_hash: Mapped[str] = mapped_column(String(71))
    input: Mapped[dict] = mapped_column(JSON)
    output: Mapped[dict] = mapped_column(JSON)
    key_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StoredProposal(Base):
    """A proposal through its review: at most one active per RW per cycle (a partial unique index).

    `content`, `verdict` and `decision_id` are those of its latest revision; `state` and
    `stage_index` (a position in the review chain) say where it is; `row_version` grows with every
    change, so that two decisions made on the same reading cannot both land (a conditional update).
    `status` stays "active" until the proposal is withdrawn, approved ones included.
    """

    __tablename__ = "proposals"
    __table_args__ = (
        Index(
            "uq_proposals_active_rw_cycle", "cycle", "kelurahan", "rw", unique=True,
            sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'"),
        ),
        Index("ix_proposals_listing", "cycle", "kelurahan", "verdict"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cycle: Mapped[int] = mapped_column(Integer)
    kecamatan: Mapped[str] = mapped_column(String(80))
    kelurahan: Mapped[str] = mapped_column(String(80))
    rw: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")
    verdict: Mapped[str] = mapped_column(String(24))
    content: Mapped[dict] = mapped_column(JSON)
    decision_id: Mapped[str] = mapped_column(String(36), ForeignKey("decisions.id"))
    key_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("api_keys.id"), nullable=True)
    synthetic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="in_review")
    stage_index: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProposalRevision(Base):
    """One version of a proposal as submitted, with its check, its kind and its patch from the one before."""

    __tablename__ = "proposal_revisions"
    __table_args__ = (UniqueConstraint("proposal_id", "number", name="uq_proposal_revisions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(String(36), ForeignKey("proposals.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # submission | revision | amendment
    content: Mapped[dict] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(24))
    decision_id: Mapped[str] = mapped_column(String(36), ForeignKey("decisions.id"))
    diff: Mapped[list] = mapped_column(JSON)  # RFC 6902 patch from the revision before ([] for the first)
    amends: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the approved revision an amendment changes
    berita_acara: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProposalEvent(Base):
    """One step of a proposal's timeline (audit): submitted, approved, returned, exception, revised, ..."""

    __tablename__ = "proposal_events"
    __table_args__ = (Index("ix_proposal_events_rule", "kind", "rule_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(String(36), ForeignKey("proposals.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    rule_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    cycle: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Calibration(Base):
    """A calibration artifact (immutable JSON), as written by `berdaya calibrate` or uploaded."""

    __tablename__ = "calibrations"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    index_name: Mapped[str] = mapped_column(String(80))
    index_hash: Mapped[str] = mapped_column(String(80))
    method: Mapped[str] = mapped_column(String(40))
    artifact: Mapped[dict] = mapped_column(JSON)
    synthetic: Mapped[bool] = mapped_column(default=False)
    key_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSessionRow(Base):
    """A signed-in web session: the SHA-256 of the id its cookie carries; sign-out sets `revoked_at`."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), ForeignKey("api_keys.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SignInLink(Base):
    """A one-time sign-in link: the SHA-256 of its token, the key it opens a session for, its expiry, its use."""

    __tablename__ = "sign_in_links"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SignInFailure(Base):
    """One failed sign-in: who tried (client address) and which key (its SHA-256), and when."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_client", "client", "created_at"),
        Index("ix_sign_in_failures_key", "key_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobRow(Base):
    """A background job (a what-if simulation, a calibration, ...): its kind, parameters, progress and outcome.

    `owner` names the process running it (host, pid and a token of that process's start), so a
    job whose process stopped can be told from one still running elsewhere (`service.jobs`).
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_kind_subject", "kind", "subject", "created_at"),
        Index("ix_jobs_state", "state"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(120), default="")
    params: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    result_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    started_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    owner: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CalibrationInForce(Base):
    """A calibration put in force by policy staff for an index from one cycle on (who, when, why).

    The calibration of cycle C is the one put in force for the latest cycle <= C (the newest record
    when two name the same cycle); a record never changes, a new one takes over from its cycle.
    """

    __tablename__ = "calibrations_in_force"
    __table_args__ = (Index("ix_calibrations_in_force_index_cycle", "index_name", "from_cycle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    index_name: Mapped[str] = mapped_column(String(80))
    from_cycle: Mapped[int] = mapped_column(Integer)
    calibration_id: Mapped[str] = mapped_column(String(120), ForeignKey("calibrations.id"))
    reason: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CycleClosure(Base):
    """A cycle closed for tier decisions by policy staff (who, when, why)."""

    __tablename__ = "cycle_closures"

    cycle: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScoreRun(Base):
    """One scoring of an uploaded table or an API batch; its units are kept in `score_units`."""

    __tablename__ = "score_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    index_name: Mapped[str] = mapped_column(String(80))
    index_hash: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(200), default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScoreUnit(Base):
    """One RW-cycle of a score run: the columns the pages filter and sort on, and the whole unit."""

    __tablename__ = "score_units"
    __table_args__ = (
        Index("ix_score_units_run", "run_id", "cycle", "kelurahan", "rw"),
        Index("ix_score_units_rw", "kelurahan", "rw", "cycle"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("score_runs.id"))
    decision_id: Mapped[str] = mapped_column(String(36), ForeignKey("decisions.id"))
    position: Mapped[int] = mapped_column(Integer)
    cycle: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kecamatan: Mapped[str] = mapped_column(String(80), default="")
    kelurahan: Mapped[str] = mapped_column(String(80), default="")
    rw: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    tier: Mapped[int | None] = mapped_column(Integer, nullable=True)
    borderline: Mapped[bool] = mapped_column(Boolean, default=False)
    evaluator_tier: Mapped[int | None] = mapped_column(Integer, nullable=True)
    calibration_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    unit: Mapped[dict] = mapped_column(JSON)


class TierDecision(Base):
    """An evaluator's decision on an RW's tier for a cycle: the computed tier confirmed or another set.

    Rows are never changed: the newest for an RW and cycle is the final tier; the older ones are its history.
    """

    __tablename__ = "tier_decisions"
    __table_args__ = (Index("ix_tier_decisions_rw", "index_name", "cycle", "kelurahan", "rw", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    index_name: Mapped[str] = mapped_column(String(80))
    cycle: Mapped[int] = mapped_column(Integer)
    kecamatan: Mapped[str] = mapped_column(String(80), default="")
    kelurahan: Mapped[str] = mapped_column(String(80))
    rw: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    computed_tier: Mapped[int] = mapped_column(Integer)
    final_tier: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    calibration_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    score_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("score_units.id"), nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("api_keys.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
