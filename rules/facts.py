"""Fact extraction: the compact, flat description of a proposal that the rules look at.

The rules engine never sees the nested proposal. `extract_facts` walks the validated
proposal once and computes named scalars (totals by source, category group and kind;
shares; attendance ratios; counts of offending lines and activities; day differences) and,
for each kind of offending item, the exact field paths (`locators`) that findings point to.
Every fact is documented, with its unit, in the knowledge base's `facts.yaml`.

Conventions (documented there too):
- money is whole Rupiah computed as round(quantity x unit_price) per line, the amount the
  line really costs; a line's written `amount` is only compared with it;
- every share is 0.0 when its denominator is 0 (no money, no attendees, no households), so
  that a missing denominator reads as "none" rather than an error;
- "first_*" text facts name the first offending item in proposal order ("" when none) and
  the matching counts say how many there are.

Parameters used here are the values in force for the cycle (plain values, or objects/dicts
with a `value`); categories map a category id to an object or dict with `group`,
`infrastructure` and `public_building`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from knowledge.errors import BerdayaError
from knowledge.proposal import Proposal
from knowledge.reference import load_reference, reference_in_force

FactValue = int | float | bool | str

KINDS = ("material", "alat", "upah", "mamin", "jasa", "lainnya")
GROUPS = ("sarana_prasarana", "pemberdayaan")

# Locator names, always present in `Facts.locators` (empty list when nothing is at fault).
LOCATORS = (
    "ppm_wage_lines", "cash_lines", "amount_mismatch_lines", "zero_value_lines", "negative_list_matches",
    "flood_repair_activities", "unknown_category_activities", "activity_total_mismatches",
    "infra_no_maintenance", "infra_short_maintenance", "infra_low_poor_beneficiaries",
    "infra_no_beneficiaries", "infra_without_swadaya", "public_building_no_access",
    "activities_outside_cycle", "activities_before_musyawarah", "duplicate_activity_codes",
    "beneficiaries_exceed_rw", "mamin_lines", "pemberdayaan_activities", "swadaya_lines",
    "documents", "amendment", "activities_budget", "off_menu_activities",
)


class MissingParameter(BerdayaError):
    """A parameter that fact extraction needs has no value in force."""


@dataclass(frozen=True, slots=True)
class Facts:
    """Scalars the engine sees (`values`) and field paths per locator name (`locators`)."""

    values: dict[str, FactValue]
    locators: dict[str, list[str]]


def _param(params: Mapping[str, Any], name: str) -> Any:
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


def _category(cat: Any) -> tuple[str, bool, bool]:
    """(group, infrastructure, public_building) of a category object or dict."""
    if isinstance(cat, dict):
        return cat.get("group") or "", bool(cat.get("infrastructure")), bool(cat.get("public_building"))
    return (getattr(cat, "group", "") or "", bool(getattr(cat, "infrastructure", False)),
            bool(getattr(cat, "public_building", False)))


def _share(part: float, whole: float) -> float:
    # Guard: a share of nothing is 0 (documented in facts.yaml), never a division error.
    return part / whole if whole else 0.0


def _amount_to_reach(current: int, total: int, minimum: float) -> int:
    """Rupiah to add to `current` (and to `total`) so that current/total reaches `minimum`."""
    if minimum >= 1 or total == 0 or current >= minimum * total:
        return 0
    return max(0, math.ceil((minimum * total - current) / (1 - minimum) - 1e-6))


@lru_cache(maxsize=16)
def _negative_matcher(words: tuple[str, ...]) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """A whole-word, case-insensitive pattern for the phrases, and their first words for a prefilter."""
    phrases = [word.split() for word in words if word.strip()]
    if not phrases:
        return None
    parts = [r"\s+".join(re.escape(w) for w in phrase) for phrase in phrases]
    # Longest phrases first so that "sepeda motor" wins over a shorter overlapping word.
    parts.sort(key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)
    return pattern, tuple(sorted({phrase[0].lower() for phrase in phrases}))


@lru_cache(maxsize=16)
def _menu(categories: tuple[str, ...]) -> frozenset[str]:
    return frozenset(categories)


@lru_cache(maxsize=64)
def _deadline(cycle: int, month_day: str) -> dt.date:
    try:
        month, day = (int(x) for x in str(month_day).strip().lstrip("-").split("-"))
        return dt.date(cycle, month, day)
    except ValueError:
        raise MissingParameter(
            f"parameter 'submission_deadline' harus berbentuk MM-DD, bukan '{month_day}'",
            f"parameter 'submission_deadline' must be MM-DD, not '{month_day}'",
        ) from None


@lru_cache(maxsize=4096)
def _region_known(reference: str | None, kecamatan: str, kelurahan: str, rw: int) -> bool:
    # Keyed on the reference in force too, so that a replaced reference file is looked up afresh.
    ref = load_reference()
    kec = ref.find_kecamatan(kecamatan)
    kel = ref.find_kelurahan(kelurahan)
    return bool(kec and kel and kel.kecamatan == kec.name and 1 <= rw <= kel.rw_count)


def _region_in_cimahi(proposal: Proposal) -> bool:
    # Validation already checks this against the reference in force; checking again here
    # keeps the rule true to the data even for proposals built without validation.
    region = proposal.region
    return _region_known(reference_in_force(), region.kecamatan, region.kelurahan, region.rw)


def extract_facts(proposal: Proposal, params: Mapping[str, Any], categories: Mapping[str, Any]) -> Facts:  # noqa: C901, PLR0915
    """Compute every fact of `facts.yaml` from a validated proposal, in one pass over its lines."""
    max_mamin = _param(params, "max_mamin_share")
    min_pemb = _param(params, "min_pemberdayaan_share")
    min_swadaya = _param(params, "min_swadaya_share")
    min_poor_benef = _param(params, "min_poor_beneficiary_share")
    min_plan_words = _param(params, "min_maintenance_plan_words")
    required_docs = list(_param(params, "required_documents"))
    optional_docs = _param(params, "optional_documents")
    matcher = _negative_matcher(tuple(_param(params, "negative_list_words")))
    deadline = _deadline(proposal.cycle, _param(params, "submission_deadline"))
    # No menu in force (before 2026): every known category may be funded.
    menu = _menu(tuple(_param(params, "activity_menu"))) if "activity_menu" in params else None
    # Years go into messages as text: number formats would print 2022 as "2.022".
    open_cycles = f"{_param(params, 'first_open_cycle')}-{_param(params, 'last_open_cycle')}"

    # Most proposals match nothing: a substring test of the phrases' first words over all texts
    # at once, then one regex search, cost far less than a regex search per line. NUL keeps a
    # phrase from spanning two texts. Only a proposal that matches is scanned line by line.
    negative = None
    if matcher is not None:
        joined = "\x00".join([a.name for a in proposal.activities]
                              + [bl.item for a in proposal.activities for bl in a.budget_lines])
        lowered = joined.lower()
        if any(first in lowered for first in matcher[1]) and matcher[0].search(joined):
            negative = matcher[0]

    cycle = proposal.cycle
    musy = proposal.musyawarah
    households_in_rw = musy.households_in_rw
    cycle_start, cycle_end = dt.date(cycle, 1, 1), dt.date(cycle, 12, 31)
    loc: dict[str, list[str]] = {name: [] for name in LOCATORS}
    first: dict[str, str] = {}   # locator name -> label (code) of its first offending item

    def hit(name: str, label: str, *paths: str) -> None:
        loc[name].extend(paths)
        first.setdefault(name, label)

    ppm_total = swadaya = other_total = cash_total = line_count = infra_count = max_benef = 0
    ppm_by_kind = dict.fromkeys(KINDS, 0)
    ppm_by_group = dict.fromkeys(GROUPS, 0)
    mismatch_first = act_mismatch_first = (0, 0)
    negative_word = negative_text = ""
    min_poor_share = 1.0
    days_outside = days_before = outside_count = 0
    seen_codes: set[str] = set()

    for a_i, act in enumerate(proposal.activities):
        a_path = f"activities[{a_i}]"
        code = act.code
        loc["activities_budget"].append(f"{a_path}.budget_lines")
        cat = categories.get(act.category)
        if menu is not None and act.category not in menu:
            hit("off_menu_activities", code, f"{a_path}.category")
            first.setdefault("off_menu_category", act.category)
        if cat is None:
            group, infra, public = "", False, False
            hit("unknown_category_activities", act.category, f"{a_path}.category")
        else:
            group, infra, public = _category(cat)
            if group == "pemberdayaan":
                loc["pemberdayaan_activities"].append(f"{a_path}.category")

        act_total = act_swadaya = act_ppm = 0
        lines = act.budget_lines
        line_count += len(lines)
        for l_i, line in enumerate(lines):
            value = round(line.quantity * line.unit_price)
            act_total += value
            source = line.source
            if source == "ppm":
                act_ppm += value
                kind = line.kind
                ppm_by_kind[kind] += value
                if kind == "upah":
                    hit("ppm_wage_lines", code, f"{a_path}.budget_lines[{l_i}].source")
                elif kind == "mamin":
                    loc["mamin_lines"].append(f"{a_path}.budget_lines[{l_i}].quantity")
            elif source == "swadaya":
                act_swadaya += value
                loc["swadaya_lines"].append(f"{a_path}.budget_lines[{l_i}].quantity")
            else:
                other_total += value
            if line.cash_to_individuals:
                cash_total += value
                hit("cash_lines", code, f"{a_path}.budget_lines[{l_i}].cash_to_individuals")
            amount = line.amount
            if amount is not None and amount != value:
                if not loc["amount_mismatch_lines"]:
                    mismatch_first = (amount, value)
                hit("amount_mismatch_lines", code, f"{a_path}.budget_lines[{l_i}].amount")
            if not value:
                field = "quantity" if line.quantity == 0 else "unit_price"
                hit("zero_value_lines", code, f"{a_path}.budget_lines[{l_i}].{field}")
            if negative is not None:
                match = negative.search(line.item)
                if match:
                    if not loc["negative_list_matches"]:
                        negative_word, negative_text = " ".join(match.group(0).lower().split()), line.item
                    hit("negative_list_matches", code, f"{a_path}.budget_lines[{l_i}].item")
        ppm_total += act_ppm
        swadaya += act_swadaya
        if group in ppm_by_group:
            ppm_by_group[group] += act_ppm

        if negative is not None:
            match = negative.search(act.name)
            if match:
                if not loc["negative_list_matches"]:
                    negative_word, negative_text = " ".join(match.group(0).lower().split()), act.name
                hit("negative_list_matches", code, f"{a_path}.name")
        if act.repairs_flood_damage:
            hit("flood_repair_activities", code, f"{a_path}.repairs_flood_damage")
        if act.stated_total is not None and act.stated_total != act_total:
            if not loc["activity_total_mismatches"]:
                act_mismatch_first = (act.stated_total, act_total)
            hit("activity_total_mismatches", code, f"{a_path}.stated_total")

        benef = act.beneficiaries
        max_benef = max(max_benef, benef.households)
        if benef.households > households_in_rw:
            hit("beneficiaries_exceed_rw", code, f"{a_path}.beneficiaries.households")

        if infra:
            infra_count += 1
            plan = (act.maintenance_plan or "").strip()
            if not plan:
                hit("infra_no_maintenance", code, f"{a_path}.maintenance_plan")
            elif len(plan.split()) < min_plan_words:
                hit("infra_short_maintenance", code, f"{a_path}.maintenance_plan")
            if benef.households == 0:
                hit("infra_no_beneficiaries", code, f"{a_path}.beneficiaries.households")
            else:
                poor_share = benef.poor_households / benef.households
                min_poor_share = min(min_poor_share, poor_share)
                if poor_share < min_poor_benef:
                    hit("infra_low_poor_beneficiaries", code, f"{a_path}.beneficiaries.poor_households")
            if act_swadaya == 0:
                hit("infra_without_swadaya", code, f"{a_path}.budget_lines")
            if public and not act.accessibility_features:
                hit("public_building_no_access", code, f"{a_path}.accessibility_features")

        before_start, after_end = (cycle_start - act.start).days, (act.end - cycle_end).days
        if before_start > 0 or after_end > 0:
            days_outside = max(days_outside, before_start, after_end)
            ends = (f"{a_path}.start",) * (before_start > 0) + (f"{a_path}.end",) * (after_end > 0)
            outside_count += 1
            hit("activities_outside_cycle", code, *ends)
        if act.start < musy.date:
            days_before = max(days_before, (musy.date - act.start).days)
            hit("activities_before_musyawarah", code, f"{a_path}.start")
        if code in seen_codes:
            hit("duplicate_activity_codes", code, f"{a_path}.code")
        seen_codes.add(code)

    total_value = ppm_total + swadaya + other_total
    mamin = ppm_by_kind["mamin"]
    pemb = ppm_by_group["pemberdayaan"]
    if ppm_total and max_mamin < 1 and mamin > max_mamin * ppm_total:
        mamin_excess = math.ceil((mamin - max_mamin * ppm_total) / (1 - max_mamin) - 1e-6)
    else:
        mamin_excess = 0

    att = musy.attendance
    spk = musy.speakers
    docs = set(proposal.documents)
    missing = [d for d in required_docs if d not in docs]
    known = set(required_docs) | set(optional_docs)
    unknown_docs = [d for d in proposal.documents if d not in known]
    if missing or unknown_docs:
        loc["documents"].append("documents")

    submitted = proposal.submitted_on
    days_late = (submitted - deadline).days if submitted else 0
    musy_after = bool(submitted and musy.date > submitted)
    requested = proposal.requested_total
    amends = proposal.amends

    if amends:
        loc["amendment"].append("amends.berita_acara_perubahan")

    values: dict[str, FactValue] = {
        "cycle_year": cycle,
        "cycle_label": str(cycle),
        "open_cycles_label": open_cycles,
        "region_in_cimahi": _region_in_cimahi(proposal),
        "region_label": f"RW {proposal.region.rw} {proposal.region.kelurahan}, {proposal.region.kecamatan}",
        "activity_count": len(proposal.activities),
        "line_count": line_count,
        # money
        "total_value": total_value,
        "ppm_total": ppm_total,
        "swadaya_total": swadaya,
        "lainnya_total": other_total,
        "ppm_sarana_prasarana_total": ppm_by_group["sarana_prasarana"],
        "ppm_pemberdayaan_total": pemb,
        "ppm_material_total": ppm_by_kind["material"],
        "ppm_alat_total": ppm_by_kind["alat"],
        "ppm_upah_total": ppm_by_kind["upah"],
        "ppm_mamin_total": mamin,
        "ppm_jasa_total": ppm_by_kind["jasa"],
        "ppm_other_kind_total": ppm_by_kind["lainnya"],
        "ppm_mamin_share": _share(mamin, ppm_total),
        "ppm_mamin_excess": mamin_excess,
        "ppm_pemberdayaan_share": _share(pemb, ppm_total),
        "pemberdayaan_shortfall": max(0, math.ceil(min_pemb * ppm_total - pemb - 1e-6)),
        "swadaya_share": _share(swadaya, total_value),
        "swadaya_shortfall": _amount_to_reach(swadaya, total_value, min_swadaya),
        "requested_total_given": requested is not None,
        "requested_total": requested or 0,
        "requested_total_mismatch": requested is not None and requested != ppm_total,
        "requested_total_difference": (requested - ppm_total) if requested is not None else 0,
        # budget lines
        "ppm_wage_line_count": len(loc["ppm_wage_lines"]),
        "cash_line_count": len(loc["cash_lines"]),
        "cash_total": cash_total,
        "amount_mismatch_count": len(loc["amount_mismatch_lines"]),
        "first_amount_mismatch_stated": mismatch_first[0],
        "first_amount_mismatch_computed": mismatch_first[1],
        "zero_value_line_count": len(loc["zero_value_lines"]),
        "negative_list_match_count": len(loc["negative_list_matches"]),
        "negative_list_first_word": negative_word,
        "negative_list_first_text": negative_text,
        # activities
        "flood_repair_activity_count": len(loc["flood_repair_activities"]),
        "first_flood_repair_activity": first.get("flood_repair_activities", ""),
        "unknown_category_count": len(loc["unknown_category_activities"]),
        "first_unknown_category": first.get("unknown_category_activities", ""),
        "off_menu_activity_count": len(loc["off_menu_activities"]),
        "first_off_menu_activity": first.get("off_menu_activities", ""),
        "first_off_menu_category": first.get("off_menu_category", ""),
        "activity_total_mismatch_count": len(loc["activity_total_mismatches"]),
        "first_activity_total_mismatch": first.get("activity_total_mismatches", ""),
        "first_activity_total_stated": act_mismatch_first[0],
        "first_activity_total_computed": act_mismatch_first[1],
        "infrastructure_activity_count": infra_count,
        "infra_no_maintenance_count": len(loc["infra_no_maintenance"]),
        "first_infra_no_maintenance": first.get("infra_no_maintenance", ""),
        "infra_short_maintenance_count": len(loc["infra_short_maintenance"]),
        "first_infra_short_maintenance": first.get("infra_short_maintenance", ""),
        "infra_low_poor_beneficiary_count": len(loc["infra_low_poor_beneficiaries"]),
        "first_infra_low_poor_beneficiary": first.get("infra_low_poor_beneficiaries", ""),
        "infra_min_poor_beneficiary_share": min_poor_share if infra_count > len(loc["infra_no_beneficiaries"]) else 0.0,
        "infra_no_beneficiaries_count": len(loc["infra_no_beneficiaries"]),
        "first_infra_no_beneficiaries": first.get("infra_no_beneficiaries", ""),
        "infra_without_swadaya_count": len(loc["infra_without_swadaya"]),
        "first_infra_without_swadaya": first.get("infra_without_swadaya", ""),
        "public_building_no_access_count": len(loc["public_building_no_access"]),
        "first_public_building_no_access": first.get("public_building_no_access", ""),
        "activities_outside_cycle_count": outside_count,
        "first_activity_outside_cycle": first.get("activities_outside_cycle", ""),
        "days_outside_cycle": days_outside,
        "activities_before_musyawarah_count": len(loc["activities_before_musyawarah"]),
        "first_activity_before_musyawarah": first.get("activities_before_musyawarah", ""),
        "days_activity_before_musyawarah": days_before,
        "duplicate_activity_code_count": len(loc["duplicate_activity_codes"]),
        "first_duplicate_activity_code": first.get("duplicate_activity_codes", ""),
        "beneficiaries_exceed_rw_count": len(loc["beneficiaries_exceed_rw"]),
        "first_beneficiaries_exceed_rw": first.get("beneficiaries_exceed_rw", ""),
        "max_beneficiary_households": max_benef,
        # musyawarah
        "households_in_rw": households_in_rw,
        "musyawarah_attendance_total": att.total,
        "musyawarah_attendance_share": _share(att.total, households_in_rw),
        "women_attendance_count": att.women,
        "women_attendance_share": _share(att.women, att.total),
        "poor_attendance_count": att.poor,
        "poor_attendance_share": _share(att.poor, att.total),
        "disability_attendance_count": att.persons_with_disability,
        "youth_attendance_count": att.youth,
        "elderly_attendance_count": att.elderly,
        "speakers_recorded": spk is not None,
        "women_speakers": spk.women if spk else 0,
        "poor_speakers": spk.poor if spk else 0,
        "disability_speakers": spk.persons_with_disability if spk else 0,
        "youth_speakers": spk.youth if spk else 0,
        "minutes_attached": musy.minutes_attached,
        "attendance_list_attached": musy.attendance_list_attached,
        "musyawarah_after_submission": musy_after,
        "days_musyawarah_after_submission": (musy.date - submitted).days if musy_after and submitted else 0,
        # team
        "team_members": proposal.team.members,
        "team_women_members": proposal.team.women_members,
        "team_women_share": _share(proposal.team.women_members, proposal.team.members),
        # documents and dates
        "missing_documents_count": len(missing),
        "missing_documents": ", ".join(missing),
        "unknown_documents_count": len(unknown_docs),
        "unknown_documents": ", ".join(unknown_docs),
        "is_amendment": amends is not None,
        "amendment_has_berita_acara": bool(amends and amends.berita_acara_perubahan),
        "amendment_document_listed": "berita_acara_perubahan" in docs,
        "submitted_on_given": submitted is not None,
        "days_after_submission_deadline": days_late,
        "submission_deadline_date": deadline.isoformat(),
    }
    return Facts(values, loc)
