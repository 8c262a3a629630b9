"""Schemas of a proposal's journey through review: states, requests of each transition, and the views.

The request models forbid unknown fields, so a misspelt field is a 422 naming it, not ignored.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue

from knowledge.proposal import Proposal
from service.schemas import ProposalPublic, UtcDatetime, with_examples


class DocumentedEnum(StrEnum):
    """An enum whose schema in /docs carries its first value as the example."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        schema["examples"] = [next(iter(cls)).value]
        return schema


class ProposalState(DocumentedEnum):
    """Where a proposal is: a draft, waiting at a stage, returned for revision, approved or withdrawn."""

    IN_REVIEW = "in_review"
    RETURNED = "returned"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"
    DRAFT = "draft"  # saved and checked, in no reviewer's queue, until its kelurahan submits it


class EventKind(DocumentedEnum):
    """A step of the timeline."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    EXCEPTION = "exception"
    REVISED = "revised"
    AMENDED = "amended"
    WITHDRAWN = "withdrawn"
    DRAFTED = "drafted"  # a draft saved, or saved again after an edit


class RevisionKind(DocumentedEnum):
    SUBMISSION = "submission"
    REVISION = "revision"
    AMENDMENT = "amendment"


_STRICT = ConfigDict(extra="forbid")
Note = Field(default="", max_length=4000, description="Catatan / note")
RowVersion = Field(default=None, ge=1, description="row_version as read; a change since then is a 409")


class DecisionRequest(BaseModel):
    """A reviewer's decision at the proposal's current stage; returning it needs a note (the use case says so)."""

    model_config = with_examples({"outcome": "return", "note": "Lengkapi daftar hadir musyawarah", "row_version": 1},
                                 extra="forbid")

    outcome: Literal["approve", "return"]
    note: str = Note
    row_version: int | None = RowVersion


class ExceptionRequest(BaseModel):
    """Accept one finding of the current revision's check as a justified exception."""

    model_config = with_examples({"rule_id": "PPM-INK-002", "reason": "Musyawarah ulang dihadiri kader PKK",
                                  "row_version": 2}, extra="forbid")

    rule_id: str = Field(min_length=1, max_length=40)
    reason: str = Field(min_length=1, max_length=4000)
    row_version: int | None = RowVersion


class RevisionRequest(BaseModel):
    """A new version of the same proposal (same cycle and RW), checked again."""

    model_config = _STRICT

    proposal: Proposal
    row_version: int | None = RowVersion


class BeritaAcara(BaseModel):
    """The berita acara perubahan that records an approved proposal's change."""

    model_config = _STRICT

    nomor: str = Field(min_length=1, max_length=120, description="Nomor berita acara perubahan")
    tanggal: dt.date = Field(description="Tanggal berita acara (ISO)")
    dokumen: str | None = Field(default=None, max_length=500, description="Where the signed document is kept")


class AmendmentRequest(BaseModel):
    """A change to an approved proposal: a new revision with its berita acara perubahan."""

    model_config = _STRICT

    proposal: Proposal
    berita_acara: BeritaAcara
    row_version: int | None = RowVersion


class DraftEditRequest(BaseModel):
    """The whole proposal replacing a draft (same cycle and RW), checked again; still a draft."""

    model_config = _STRICT

    proposal: Proposal
    row_version: int | None = RowVersion


class DraftSubmitRequest(BaseModel):
    """Submit a draft: it is checked again and goes to the review chain's first stage."""

    model_config = with_examples({"row_version": 2}, extra="forbid")

    row_version: int | None = RowVersion


class WithdrawRequest(BaseModel):
    model_config = _STRICT

    note: str = Note
    row_version: int | None = RowVersion


class RevisionView(BaseModel):
    model_config = with_examples({
        "number": 2, "kind": "revision", "verdict": "needs_revision", "decision_id": "0b1e7a8e-4a4c-4a53-8f0e-1d2c3b4a5f60",
        "diff": [{"op": "replace", "path": "/title", "value": "Perbaikan drainase (revisi)"}], "amends": None,
        "berita_acara": None, "key_id": "key_1a2b3c4d5e6f", "created_at": "2026-03-02T03:00:00+00:00"})

    number: int
    kind: RevisionKind
    verdict: str
    decision_id: str
    diff: list[dict[str, Any]] = Field(description="RFC 6902 patch from the revision before")
    amends: int | None
    berita_acara: dict[str, Any] | None
    key_id: str | None
    created_at: UtcDatetime


class EventView(BaseModel):
    model_config = with_examples({
        "revision": 1, "kind": "exception", "stage": "kecamatan", "note": "Musyawarah susulan sudah dijadwalkan",
        "rule_id": "PPM-INK-001", "key_id": "key_1a2b3c4d5e6f", "created_at": "2026-03-01T03:00:00+00:00"})

    revision: int
    kind: EventKind
    stage: str | None
    note: str
    rule_id: str | None
    key_id: str | None
    created_at: UtcDatetime


class ProposalJourney(ProposalPublic):
    """A proposal with where it is, its revisions, its timeline and the exceptions accepted."""

    state: ProposalState
    row_version: int
    revisions: list[RevisionView]
    events: list[EventView]
    exceptions: list[EventView]


_OVERRIDE: dict[str, Any] = {
    "cycle": 2026, "rule_id": "PPM-INK-001", "count": 4, "group": "inclusion",
    "title": {"id": "Perempuan hadir dalam musyawarah", "en": "Women attend the musyawarah"}}


class OverrideCount(BaseModel):
    model_config = with_examples(_OVERRIDE)

    cycle: int
    rule_id: str
    count: int
    title: dict[str, str] | None = Field(default=None, description="The rule's title in the knowledge base that "
                                                                   "checks the cycle (null: not in it)")
    group: str | None = Field(default=None, description="The rule's group (budget, inclusion, ...)")


class OverrideReport(BaseModel):
    """The rules accepted as exceptions most often, per cycle (an input to the annual review)."""

    model_config = with_examples({"items": [_OVERRIDE]})

    items: list[OverrideCount]
