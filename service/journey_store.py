"""Reads and writes of a proposal's journey: conditional updates, revisions, the timeline, counts.

Every change of a proposal is a conditional update on its `row_version` (`advance`): of two
changes made on the same reading one lands and the other is a conflict, on SQLite and
PostgreSQL alike, and the caller's transaction then stores nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy import delete as delete_rows
from sqlalchemy.orm import Session

from service.errors import Conflict
from service.models import ProposalEvent, ProposalRevision, StoredProposal, utcnow


def changed_since(row: StoredProposal) -> Conflict:
    return Conflict(
        f"Proposal {row.id} sudah berubah sejak dibaca (versi {row.row_version}); muat ulang lalu ulangi",
        f"Proposal {row.id} changed since it was read (version {row.row_version}); reload and try again",
        row_version=row.row_version)


def advance(session: Session, row: StoredProposal, expected: int, **values: Any) -> None:
    """Change the proposal only if its row version is still `expected`; else a conflict."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(StoredProposal)
        .where(StoredProposal.id == row.id, StoredProposal.row_version == expected)
        .values(row_version=expected + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.refresh(row)
        raise changed_since(row)
    session.refresh(row)


def delete(session: Session, row: StoredProposal, expected: int) -> None:
    """Delete the proposal with its revisions and timeline, only if its row version is still `expected`."""
    advance(session, row, expected)  # the guard, and the row's lock until the transaction ends
    for model in (ProposalEvent, ProposalRevision):
        session.execute(delete_rows(model).where(model.proposal_id == row.id))
    session.execute(delete_rows(StoredProposal).where(StoredProposal.id == row.id)
                    .execution_options(synchronize_session=False))
    session.expunge(row)


def add_event(session: Session, row: StoredProposal, kind: str, *, key_id: str | None, stage: str | None = None,
              note: str = "", rule_id: str | None = None) -> None:
    session.add(ProposalEvent(proposal_id=row.id, revision=row.revision, kind=kind, stage=stage, note=note,
                              rule_id=rule_id, cycle=row.cycle, key_id=key_id))


def revisions(session: Session, proposal_id: str) -> list[ProposalRevision]:
    return list(session.scalars(select(ProposalRevision).where(ProposalRevision.proposal_id == proposal_id)
                                .order_by(ProposalRevision.number)))


def events(session: Session, proposal_id: str) -> list[ProposalEvent]:
    return list(session.scalars(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id)
                                .order_by(ProposalEvent.created_at, ProposalEvent.id)))


def override_counts(session: Session, cycle: int | None) -> list[tuple[int, str, int]]:
    """(cycle, rule id, exceptions accepted) per cycle, the most overridden rule first."""
    count = func.count(ProposalEvent.id)
    query = (select(ProposalEvent.cycle, ProposalEvent.rule_id, count)
             .where(ProposalEvent.kind == "exception", ProposalEvent.rule_id.is_not(None))
             .group_by(ProposalEvent.cycle, ProposalEvent.rule_id))
    if cycle is not None:
        query = query.where(ProposalEvent.cycle == cycle)
    rows = session.execute(query.order_by(ProposalEvent.cycle.desc(), count.desc(), ProposalEvent.rule_id))
    return [(int(c), str(r), int(n)) for c, r, n in rows]
