"""The service's database tables (SQLAlchemy 2 declarative models).

The schema itself is created and changed only by the alembic migrations in
`service/migrations/`; these classes must match them (a test compares the two).
JSON columns hold the stored inputs and outputs exactly as they were answered, so that a
decision can be shown and replayed later without recomputing anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, text
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
    """A submitted proposal; at most one active per RW per cycle (a partial unique index)."""

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
