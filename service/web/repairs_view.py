"""The pre-check page's repairs: each verified patch as a before → after table in words, the combined
patch the "Terapkan perbaikan" button applies, and what only the RW can do.

The button posts the form as it stands; the server searches again on that proposal (the same
input gives the same patches) and shows the form refilled with the proposal after the combined
patch, its changed inputs marked. Nothing is stored until the facilitator submits.
"""

from __future__ import annotations

from typing import Any

from rules.render import fmt_rupiah
from rules.repair import RepairPatch, RepairResult
from rules.repair_words import change_words
from service.web.i18n import Translator


def _table(t: Translator, patch: RepairPatch) -> dict[str, Any]:
    return {"description": [t.pick(d.model_dump()) for d in patch.description],
            "clears": [t.pick(f.title.model_dump()) for f in patch.clears],
            "verdict_after": patch.result.verdict,
            "rupiah_moved": fmt_rupiah(patch.rupiah_moved, t.lang) if patch.rupiah_moved else None,
            "rows": [change_words(c, t.lang).model_dump() for c in patch.changes]}


def repairs_context(t: Translator, found: RepairResult) -> dict[str, Any] | None:
    """What the repairs include shows; None when the check has no finding at all."""
    if not found.patches and not found.actions:
        return None
    combined = found.combined
    separate = combined is not None and not (len(found.patches) == 1 and found.patches[0] == combined)
    return {"patches": [_table(t, p) for p in found.patches],
            "combined": _table(t, combined) if combined is not None else None,
            "combined_separate": separate,
            "actions": [{"title": t.pick(a.title.model_dump()), "kind": a.kind, "text": t.pick(a.text.model_dump()),
                         "severity": a.severity} for a in found.actions]}


def changed_inputs(found: RepairResult) -> list[str]:
    """The form inputs the combined patch changes (input names are the fields' dotted paths)."""
    return [] if found.combined is None else [c.path for c in found.combined.changes]
