"""What fact extraction reads besides the proposal: the parameters in force, categories, reference data.

`ExtractionParams.read` takes the values in force for a cycle once per check (a parameter
that has none is named, in a fixed order); the negative list becomes one compiled pattern,
the activity menu a set, the submission deadline a date, all cached by their values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from knowledge.errors import BerdayaError
from knowledge.proposal import Proposal
from knowledge.reference import load_reference, reference_in_force


class MissingParameter(BerdayaError):
    """A parameter that fact extraction needs has no value in force."""


def param_value(params: Mapping[str, Any], name: str) -> Any:
    try:
        raw = params[name]
    except KeyError:
        raise MissingParameter(
            f"parameter '{name}' tidak ada nilainya yang berlaku untuk siklus ini",
            f"parameter '{name}' has no value in force for this cycle",
        ) from None
    # Plain values are the common case; the isinstance checks stay on concrete types because
    # ABC checks (Mapping) cost more than the rest of the lookup.
    if isinstance(raw, (int, float, str, list, tuple)):
        return raw
    if isinstance(raw, dict):
        return raw.get("value", raw)
    return getattr(raw, "value", raw)


def category_of(cat: Any) -> tuple[str, bool, bool]:
    """(group, infrastructure, public_building) of a category object or dict."""
    if isinstance(cat, dict):
        return cat.get("group") or "", bool(cat.get("infrastructure")), bool(cat.get("public_building"))
    return (getattr(cat, "group", "") or "", bool(getattr(cat, "infrastructure", False)),
            bool(getattr(cat, "public_building", False)))


class NegativeList:
    """Whole-word, case-insensitive matching of the negative list's phrases, remembered per text.

    Budget items repeat across proposals ("Semen 50 kg", "Konsumsi rapat"), so each distinct
    text is searched once; the memory is bounded (emptied when full).
    """

    MEMORY = 8192

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern
        self._seen: dict[str, str] = {}

    def word(self, text: str) -> str:
        """The phrase of the list that `text` contains, lower case and single-spaced ("" when none)."""
        found = self._seen.get(text)
        if found is None:
            match = self.pattern.search(text)
            found = " ".join(match.group(0).lower().split()) if match else ""
            if len(self._seen) >= self.MEMORY:
                self._seen.clear()
            self._seen[text] = found
        return found


@lru_cache(maxsize=16)
def negative_matcher(words: tuple[str, ...]) -> NegativeList | None:
    """The negative list for these phrases (None when it is empty)."""
    phrases = [word.split() for word in words if word.strip()]
    if not phrases:
        return None
    parts = [r"\s+".join(re.escape(w) for w in phrase) for phrase in phrases]
    # Longest phrases first so that "sepeda motor" wins over a shorter overlapping word.
    parts.sort(key=len, reverse=True)
    return NegativeList(re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE))


@lru_cache(maxsize=16)
def menu_of(categories: tuple[str, ...]) -> frozenset[str]:
    return frozenset(categories)


@lru_cache(maxsize=64)
def deadline_of(cycle: int, month_day: str) -> dt.date:
    try:
        month, day = (int(x) for x in str(month_day).strip().lstrip("-").split("-"))
        return dt.date(cycle, month, day)
    except ValueError:
        raise MissingParameter(
            f"parameter 'submission_deadline' harus berbentuk MM-DD, bukan '{month_day}'",
            f"parameter 'submission_deadline' must be MM-DD, not '{month_day}'",
        ) from None


@lru_cache(maxsize=4096)
def region_known(reference: str | None, kecamatan: str, kelurahan: str, rw: int) -> bool:
    # Keyed on the reference in force too, so that a replaced reference file is looked up afresh.
    ref = load_reference()
    kec = ref.find_kecamatan(kecamatan)
    kel = ref.find_kelurahan(kelurahan)
    return bool(kec and kel and kel.kecamatan == kec.name and 1 <= rw <= kel.rw_count)


def region_in_cimahi(proposal: Proposal) -> bool:
    # Validation already checks this against the reference in force; checking again here
    # keeps the rule true to the data even for proposals built without validation.
    region = proposal.region
    return region_known(reference_in_force(), region.kecamatan, region.kelurahan, region.rw)


@dataclass(slots=True)
class ExtractionParams:
    """The parameters in force that extraction uses, read once (a missing one is named here, in this order)."""

    max_mamin: float
    min_pemberdayaan: float
    min_swadaya: float
    min_poor_beneficiaries: float
    min_plan_words: int
    required_docs: list[str]
    optional_docs: list[str]
    negative: NegativeList | None
    deadline: dt.date
    menu: frozenset[str] | None
    open_cycles: str

    @classmethod
    def of(cls, params: Mapping[str, Any], cycle: int) -> ExtractionParams:
        """`read`, once per parameter mapping and cycle: a compiled version's parameters in force
        never change, and every check of that version passes the same mapping."""
        key = (id(params), cycle)
        found = _READ.get(key)
        if found is None or found[0] is not params:
            if len(_READ) >= 256:
                _READ.clear()
            found = _READ[key] = (params, cls.read(params, cycle))  # holds `params`, so its id stays its own
        return found[1]

    @classmethod
    def read(cls, params: Mapping[str, Any], cycle: int) -> ExtractionParams:
        return cls(
            max_mamin=param_value(params, "max_mamin_share"),
            min_pemberdayaan=param_value(params, "min_pemberdayaan_share"),
            min_swadaya=param_value(params, "min_swadaya_share"),
            min_poor_beneficiaries=param_value(params, "min_poor_beneficiary_share"),
            min_plan_words=param_value(params, "min_maintenance_plan_words"),
            required_docs=list(param_value(params, "required_documents")),
            optional_docs=param_value(params, "optional_documents"),
            negative=negative_matcher(tuple(param_value(params, "negative_list_words"))),
            deadline=deadline_of(cycle, param_value(params, "submission_deadline")),
            # No menu in force (before 2026): every known category may be funded.
            menu=menu_of(tuple(param_value(params, "activity_menu"))) if "activity_menu" in params else None,
            # Years go into messages as text: number formats would print 2022 as "2.022".
            open_cycles=f"{param_value(params, 'first_open_cycle')}-{param_value(params, 'last_open_cycle')}",
        )


_READ: dict[tuple[int, int], tuple[Mapping[str, Any], ExtractionParams]] = {}
