"""Every read and write of the service's database, in one module.

Routes and CLI commands call these functions; none of them builds queries itself. Each
write is one transaction: it either stores everything it was asked to, or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import CursorResult, Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.errors import Conflict, NotFound
from service.logs import log_decision, log_decisions
from service.models import (
    ApiKey,
    Calibration,
    Decision,
    JobRow,
    ProposalEvent,
    ProposalRevision,
    SignInFailure,
    SignInLink,
    StoredProposal,
    WebSessionRow,
    utcnow,
)


def input_hash(payload: Any) -> str:
    """SHA-256 of the canonical JSON of an input (sorted keys, no spaces)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ---- API keys --------------------------------------------------------------------------------

def create_key(session: Session, *, key_id: str, key_hash: str, role: str, kelurahan: str | None,
               label: str = "", scope: str | None = None, kecamatan: str | None = None) -> ApiKey:
    with session.begin():
        row = ApiKey(id=key_id, key_hash=key_hash, role=role, kelurahan=kelurahan, label=label, scope=scope,
                     kecamatan=kecamatan)
        session.add(row)
    return row


def find_key(session: Session, key_hash: str) -> ApiKey | None:
    """The active key with this hash, or None (unknown or revoked)."""
    return session.scalars(
        select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    ).first()


def revoke_key(session: Session, key_id: str) -> ApiKey:
    with session.begin():
        row = session.get(ApiKey, key_id)
        if row is None:
            raise NotFound(f"Kunci '{key_id}' tidak ada", f"No key '{key_id}'")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
    return row


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


# ---- proposals and their checks ---------------------------------------------------------------

def active_proposal(session: Session, cycle: int, kelurahan: str, rw: int) -> StoredProposal | None:
    return session.scalars(select(StoredProposal).where(
        StoredProposal.cycle == cycle, StoredProposal.kelurahan == kelurahan, StoredProposal.rw == rw,
        StoredProposal.status == "active")).first()


def _conflict(first: StoredProposal) -> Conflict:
    # The sentence names the RW and the cycle; the active proposal's id is a field of its own (the page links it).
    return Conflict(
        f"RW {first.rw} Kelurahan {first.kelurahan} sudah punya proposal aktif untuk siklus {first.cycle}.",
        f"RW {first.rw} of Kelurahan {first.kelurahan} already has an active proposal for cycle {first.cycle}.",
        existing_proposal_id=first.id)


def check_decision(proposal: dict[str, Any], check: dict[str, Any], *, key_id: str | None,
                   kb_hash: str | None) -> Decision:
    """The audited decision of one check of a proposal (its input, output and knowledge base)."""
    kb = check.get("knowledge_base") or {}
    decision_input = {"proposal": proposal, "cycle": int(check.get("cycle") or proposal["cycle"])}
    return Decision(id=str(uuid.uuid4()), kind="check", kb_name=kb.get("name"), kb_version=kb.get("version"),
                    kb_hash=kb_hash, input_hash=input_hash(decision_input), input=decision_input, output=check,
                    key_id=key_id)


def first_revision(row: StoredProposal) -> ProposalRevision:
    """Revision 1 of a newly stored proposal: its content as submitted, nothing to compare with."""
    return ProposalRevision(proposal_id=row.id, number=1, kind="submission", content=row.content,
                            verdict=row.verdict, decision_id=row.decision_id, diff=[], key_id=row.key_id)


def proposal_row(**fields: Any) -> StoredProposal:
    """The proposal row of a submission (a seam: tests inject failures here, after the check)."""
    return StoredProposal(**fields)


def submit_proposal(session: Session, *, proposal: dict[str, Any], check: dict[str, Any], key_id: str | None,
                    kb_hash: str | None = None, synthetic: bool = False, draft: bool = False) -> StoredProposal:
    """Store a proposal (or, `draft`, a draft of one) with its check decision in one transaction; 409 if the RW
    has one (drafts count: a draft is the RW's proposal for the cycle in the making)."""
    region = proposal["region"]
    cycle = int(check.get("cycle") or proposal["cycle"])
    try:
        with session.begin():
            first = active_proposal(session, cycle, region["kelurahan"], int(region["rw"]))
            if first is not None:
                raise _conflict(first)
            decision = check_decision(proposal, check, key_id=key_id, kb_hash=kb_hash)
            session.add(decision)
            session.flush()
            row = proposal_row(
                id=str(uuid.uuid4()), cycle=cycle, kecamatan=region["kecamatan"], kelurahan=region["kelurahan"],
                rw=int(region["rw"]), title=proposal["title"], status="active", verdict=check["verdict"],
                content=proposal, decision_id=decision.id, key_id=key_id, synthetic=synthetic,
                state="draft" if draft else "in_review")
            session.add(row)
            session.flush()
            session.add(first_revision(row))
            session.add(ProposalEvent(proposal_id=row.id, revision=1, kind="drafted" if draft else "submitted",
                                      cycle=cycle, key_id=key_id))
    except IntegrityError:
        # Another request stored the same RW and cycle between our lookup and our insert.
        with session.begin():
            first = active_proposal(session, cycle, region["kelurahan"], int(region["rw"]))
        if first is None:
            raise
        raise _conflict(first) from None
    log_decision(decision.id, "check", kb_name=decision.kb_name, kb_version=decision.kb_version,
                 input_hash=decision.input_hash, key_id=key_id, verdict=row.verdict, proposal_id=row.id)
    return row


def submit_many(session: Session, items: list[tuple[Any, ...]], *,
                synthetic: bool, kb_hash: str | None = None) -> int:
    """Store many (proposal, check[, kb_hash]) items in one transaction, skipping RWs that already have one.

    For loading whole cycles (the demo data); returns how many were stored. An item's own
    kb_hash (the content hash of the version that checked it, e.g. from
    `Engines.check_audited`) wins over the `kb_hash` given for all items.
    """
    stored: list[tuple[Decision, StoredProposal]] = []
    with session.begin():
        taken = {tuple(row) for row in session.execute(
            select(StoredProposal.cycle, StoredProposal.kelurahan, StoredProposal.rw)
            .where(StoredProposal.status == "active"))}
        for item in items:
            proposal, check = item[0], item[1]
            item_hash = item[2] if len(item) > 2 else kb_hash
            region, cycle = proposal["region"], int(check.get("cycle") or proposal["cycle"])
            key = (cycle, region["kelurahan"], int(region["rw"]))
            if key in taken:
                continue
            taken.add(key)
            decision = check_decision(proposal, check, key_id=None, kb_hash=item_hash)
            row = StoredProposal(
                id=str(uuid.uuid4()), cycle=cycle, kecamatan=region["kecamatan"], kelurahan=region["kelurahan"],
                rw=int(region["rw"]), title=proposal["title"], status="active", verdict=check["verdict"],
                content=proposal, decision_id=decision.id, key_id=None, synthetic=synthetic)
            session.add(decision)
            session.add(row)
            stored.append((decision, row))
        session.flush()  # the proposals before their revisions (no ORM relationship orders them)
        session.add_all([first_revision(row) for _, row in stored])
    # One line for the whole load (the demo stores thousands): which versions checked how many.
    versions = sorted({decision.kb_version or "" for decision, _ in stored})
    log_decisions(len(stored), "check", kb_name=stored[0][0].kb_name if stored else None,
                  kb_version=", ".join(versions) or None)
    return len(stored)


def no_proposal(proposal_id: str) -> NotFound:
    """The refusal for a proposal id that names nothing (or nothing the caller may know of)."""
    return NotFound(f"Proposal '{proposal_id}' tidak ada", f"No proposal '{proposal_id}'")


def get_proposal(session: Session, proposal_id: str) -> StoredProposal:
    row = session.get(StoredProposal, proposal_id)
    if row is None:
        raise no_proposal(proposal_id)
    return row


def stored_proposal_ids(session: Session, ids: list[str]) -> set[str]:
    """Those of `ids` that are proposals stored here (a what-if report may name proposals of elsewhere)."""
    return set(session.scalars(select(StoredProposal.id).where(StoredProposal.id.in_(ids)))) if ids else set()


T = TypeVar("T")


def _matching(query: Select[T], *, cycle: int | None = None, kelurahan: str | None = None,
              kecamatan: str | None = None, verdict: str | None = None, state: str | None = None,
              stage_indices: Sequence[int] | None = None, drafts: bool = True) -> Select[T]:
    """`query` narrowed to the proposals that match every filter given (None: any)."""
    if not drafts:
        query = query.where(StoredProposal.state != "draft")
    if stage_indices is not None:
        query = query.where(StoredProposal.stage_index.in_(stage_indices))
    for column, value in ((StoredProposal.state, state), (StoredProposal.cycle, cycle),
                          (StoredProposal.kelurahan, kelurahan), (StoredProposal.kecamatan, kecamatan),
                          (StoredProposal.verdict, verdict)):
        if value is not None:
            query = query.where(column == value)
    return query


def list_proposals(session: Session, *, offset: int = 0, limit: int = 50, cycle: int | None = None,
                   kelurahan: str | None = None, kecamatan: str | None = None, verdict: str | None = None,
                   state: str | None = None, stage_indices: Sequence[int] | None = None,
                   drafts: bool = True) -> tuple[list[StoredProposal], int]:
    """A page of the proposals that match the filters (see `_matching`), and how many match in all."""
    query = _matching(select(StoredProposal), cycle=cycle, kelurahan=kelurahan, kecamatan=kecamatan, verdict=verdict,
                      state=state, stage_indices=stage_indices, drafts=drafts)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # Newest cycle first, the latest change first within it: what a facilitator works on now is on page 1,
    # and a reviewer's queue shows a new cycle's proposals first, not after years of old ones.
    rows = session.scalars(query.order_by(StoredProposal.cycle.desc(), StoredProposal.updated_at.desc(),
                                          StoredProposal.id).offset(offset).limit(limit))
    return list(rows), int(total)


def proposal_cycles(session: Session, *, kelurahan: str | None = None, kecamatan: str | None = None,
                    state: str | None = None, stage_indices: Sequence[int] | None = None) -> list[int]:
    """The cycles with a proposal that matches the filters, newest first: a list's cycle filter."""
    query = _matching(select(StoredProposal.cycle).distinct(), kelurahan=kelurahan, kecamatan=kecamatan, state=state,
                      stage_indices=stage_indices)
    return [int(c) for c in session.scalars(query.order_by(StoredProposal.cycle.desc()))]


def count_proposals(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(StoredProposal)) or 0)


# ---- scores ---------------------------------------------------------------------------------

def store_score(session: Session, *, request: dict[str, Any], result: dict[str, Any], index_name: str,
                index_hash: str | None, calibration_id: str | None, key_id: str | None) -> Decision:
    with session.begin():
        decision = Decision(
            id=str(uuid.uuid4()), kind="score", index_name=index_name, index_hash=index_hash,
            calibration_id=calibration_id, input_hash=input_hash(request), input=request, output=result,
            key_id=key_id)
        session.add(decision)
    log_decision(decision.id, "score", calibration_id=calibration_id, input_hash=decision.input_hash,
                 key_id=key_id, units=len(result.get("units", [])))
    return decision


def get_decision(session: Session, decision_id: str) -> Decision:
    row = session.get(Decision, decision_id)
    if row is None:
        raise NotFound(f"Keputusan '{decision_id}' tidak ada", f"No decision '{decision_id}'")
    return row


# ---- calibrations ---------------------------------------------------------------------------

def add_calibration(session: Session, artifact: dict[str, Any], *, key_id: str | None = None) -> Calibration:
    """Store an artifact; the same id again is accepted only with identical content (immutable)."""
    with session.begin():
        existing = session.get(Calibration, artifact["id"])
        if existing is not None:
            if existing.artifact != artifact:
                raise Conflict(f"Kalibrasi '{artifact['id']}' sudah ada dengan isi lain; artefak tidak dapat diubah",
                               f"Calibration '{artifact['id']}' exists with other content; artifacts are immutable")
            return existing
        row = Calibration(id=artifact["id"], index_name=artifact["index"]["name"],
                          index_hash=artifact["index"]["hash"], method=artifact.get("method", ""),
                          artifact=artifact, synthetic=bool(artifact.get("synthetic", False)), key_id=key_id)
        session.add(row)
    return row


def get_calibration(session: Session, calibration_id: str) -> Calibration:
    row = session.get(Calibration, calibration_id)
    if row is None:
        raise NotFound(f"Kalibrasi '{calibration_id}' tidak ada", f"No calibration '{calibration_id}'")
    return row


def list_calibrations(session: Session, index_name: str | None = None) -> list[Calibration]:
    query = select(Calibration)
    if index_name is not None:
        query = query.where(Calibration.index_name == index_name)
    return list(session.scalars(query.order_by(Calibration.created_at.desc(), Calibration.id)))


# ---- web sessions and failed sign-ins ---------------------------------------------------------

def as_utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without their zone; every stored time is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def open_session(session: Session, *, session_hash: str, key_id: str, now: dt.datetime,
                 expires_at: dt.datetime) -> None:
    """Store a new web session (and drop sessions that expired, so the table stays small)."""
    with session.begin():
        session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))
        session.add(WebSessionRow(id=session_hash, key_id=key_id, created_at=now, expires_at=expires_at))


def session_key(session: Session, session_hash: str, now: dt.datetime) -> ApiKey | None:
    """The active key of an open session: not revoked, not expired, its key not revoked; else None."""
    row = session.execute(
        select(WebSessionRow, ApiKey).join(ApiKey, ApiKey.id == WebSessionRow.key_id)
        .where(WebSessionRow.id == session_hash, WebSessionRow.revoked_at.is_(None), ApiKey.revoked_at.is_(None))
    ).first()
    if row is None or as_utc(row[0].expires_at) <= now:
        return None
    return row[1]


def revoke_session(session: Session, session_hash: str, now: dt.datetime) -> None:
    with session.begin():
        session.execute(update(WebSessionRow).where(WebSessionRow.id == session_hash,
                                                    WebSessionRow.revoked_at.is_(None)).values(revoked_at=now))


def record_sign_in_failure(session: Session, *, client: str, key_hash: str, now: dt.datetime,
                           forget_before: dt.datetime) -> None:
    with session.begin():
        session.execute(delete(SignInFailure).where(SignInFailure.created_at < forget_before))
        session.add(SignInFailure(client=client, key_hash=key_hash, created_at=now))


def recent_sign_in_failures(session: Session, *, client: str, key_hash: str, since: dt.datetime,
                            limit: int) -> list[dt.datetime]:
    """The newest `limit` failures since `since` from this client, or else with this key, whichever has more."""
    found = []
    for column, value in ((SignInFailure.client, client), (SignInFailure.key_hash, key_hash)):
        times = session.scalars(select(SignInFailure.created_at).where(column == value, SignInFailure.created_at >= since)
                                .order_by(SignInFailure.created_at.desc()).limit(limit))
        found.append([as_utc(t) for t in times])
    return max(found, key=len)


def forget_sign_in_failures(session: Session, *, client: str) -> None:
    with session.begin():
        session.execute(delete(SignInFailure).where(SignInFailure.client == client))


def add_sign_in_link(session: Session, *, link_hash: str, key_id: str, now: dt.datetime,
                     expires_at: dt.datetime) -> None:
    with session.begin():
        key = session.get(ApiKey, key_id)
        if key is None:
            raise NotFound(f"Kunci '{key_id}' tidak ada", f"No key '{key_id}'")
        if key.revoked_at is not None:
            raise Conflict(f"Kunci '{key_id}' sudah dicabut", f"Key '{key_id}' is revoked")
        session.add(SignInLink(id=link_hash, key_id=key_id, created_at=now, expires_at=expires_at))


def sign_in_link(session: Session, link_hash: str) -> tuple[SignInLink, ApiKey] | None:
    """A sign-in link and its key, whatever their state; None for a token never issued."""
    row = session.execute(select(SignInLink, ApiKey).join(ApiKey, ApiKey.id == SignInLink.key_id)
                          .where(SignInLink.id == link_hash)).first()
    return None if row is None else (row[0], row[1])


def redeem_sign_in_link(session: Session, *, link_hash: str, now: dt.datetime, session_hash: str,
                        session_expires: dt.datetime) -> ApiKey | None:
    """Use a link once and open its web session, in one transaction; None when it is not open.

    The conditional update is what makes the use single: of two exchanges at once, the second
    finds `used_at` set (on PostgreSQL it waits for the first's row lock, then re-reads the row).
    """
    key_active = select(ApiKey.id).where(ApiKey.id == SignInLink.key_id, ApiKey.revoked_at.is_(None)).exists()
    with session.begin():
        used: CursorResult = session.execute(  # type: ignore[assignment]
            update(SignInLink).where(SignInLink.id == link_hash, SignInLink.used_at.is_(None),
                                     SignInLink.expires_at > now, key_active).values(used_at=now))
        if used.rowcount != 1:
            return None
        link = session.get(SignInLink, link_hash)
        assert link is not None  # just updated in this transaction
        key = session.get(ApiKey, link.key_id)
        session.add(WebSessionRow(id=session_hash, key_id=link.key_id, created_at=now, expires_at=session_expires))
    return key


# ---- background jobs (service.jobs) -----------------------------------------------------------

LIVE_JOB_STATES = ("queued", "running")


def add_job(session: Session, row: JobRow) -> JobRow:
    with session.begin():
        session.add(row)
    return row


def get_job(session: Session, job_id: str) -> JobRow | None:
    return session.get(JobRow, job_id)


def list_jobs(session: Session, *, kind: str | None = None, subject: str | None = None,
              limit: int = 50) -> list[JobRow]:
    """The newest jobs first, of one kind and subject when given."""
    query = select(JobRow)
    if kind is not None:
        query = query.where(JobRow.kind == kind)
    if subject is not None:
        query = query.where(JobRow.subject == subject)
    return list(session.scalars(query.order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(limit)))


def live_jobs(session: Session) -> list[JobRow]:
    """Jobs queued or running, whichever process owns them."""
    return list(session.scalars(select(JobRow).where(JobRow.state.in_(LIVE_JOB_STATES))))


def update_job(session: Session, job_id: str, *, only_live: bool = False, **values: Any) -> bool:
    """Change a job's columns; with `only_live`, only while it is queued or running. True if a row changed."""
    query = update(JobRow).where(JobRow.id == job_id)
    if only_live:
        query = query.where(JobRow.state.in_(LIVE_JOB_STATES))
    with session.begin():
        result: CursorResult[Any] = session.execute(query.values(**values))  # type: ignore[assignment]
        changed = result.rowcount
    return bool(changed)


def beat_jobs(session: Session, job_ids: list[str], now: dt.datetime) -> None:
    """The owner's heartbeat: these jobs' process is alive."""
    if job_ids:
        with session.begin():
            session.execute(update(JobRow).where(JobRow.id.in_(job_ids), JobRow.state.in_(LIVE_JOB_STATES))
                            .values(heartbeat_at=now))
