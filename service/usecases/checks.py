"""Pre-checks with repairs: a proposal's check, its verified repair patches and the proposal as the
combined patch leaves it. `POST /v1/checks?repair=true`, `berdaya check --repair` and the pre-check
page all come here; nothing is stored.
"""

from __future__ import annotations

import jsonpatch
from pydantic import Field

from knowledge.intake import ReadLimits, validate_json
from knowledge.proposal import Proposal
from rules.check import Checker, CheckResult
from rules.repair import RepairResult, search_repairs
from service.engines import Engines


class RepairedCheck(CheckResult):
    """The check of the proposal as given, with the repairs that the rules, run again, verified."""

    repair: RepairResult = Field(description="Verified patches (RFC 6902), the combined one, and what remains")
    patched: Proposal | None = Field(description="The proposal after the combined patch; null when no patch verifies")


def repair_check(checker: Checker, proposal: Proposal, base: CheckResult | None = None) -> RepairedCheck:
    """Check `proposal` with `checker` (or take its check `base`) and search for verified repairs.

    Deterministic: the same proposal and knowledge-base version give the same patches.
    """
    base = base if base is not None else checker.check(proposal)
    found = search_repairs(checker, proposal, base)
    patched = None
    if found.combined is not None:
        doc = jsonpatch.apply_patch(proposal.model_dump(mode="json"), found.combined.patch)
        patched = Proposal.model_validate(doc)
    return RepairedCheck(**base.model_dump(), repair=found, patched=patched)


def repair_in_force(engines: Engines, proposal: Proposal) -> RepairedCheck:
    """`repair_check` with the knowledge base that checks the proposal's cycle."""
    checker, base = engines.checked_in_force(proposal)
    return repair_check(checker, proposal, base)


def check_body(engines: Engines, body: bytes, limits: ReadLimits, repair: bool) -> bytes:
    """The check JSON of a proposal's JSON bytes: `POST /v1/checks`, in a check worker or a thread.

    The body is validated straight from its bytes by the guarded reader (pydantic's JSON parser);
    InvalidInput names every field at fault otherwise.
    """
    proposal = validate_json(Proposal, body, limits)
    if repair:
        return repair_in_force(engines, proposal).model_dump_json().encode()
    result, _audit = engines.check_result(proposal)
    return result.model_dump_json().encode()
