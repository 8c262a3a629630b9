"""Fact extraction: the compact, flat description of a proposal that the rules look at.

The rules engine never sees the nested proposal. `extract_facts` walks the validated
proposal once (`_Walk`) and, section by section, computes named scalars (totals by source, category group and kind;
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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from knowledge.dates import cycle_date
from knowledge.proposal import AMENDMENT_DOCUMENT, KINDS, Proposal
from rules.fact_params import (
    ExtractionParams,
    category_of,
    region_in_cimahi,
)

FactValue = int | float | bool | str

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


@dataclass(frozen=True, slots=True)
class Facts:
    """Scalars the engine sees (`values`) and field paths per locator name (`locators`)."""

    values: dict[str, FactValue]
    locators: dict[str, list[str]]


def _share(part: float, whole: float) -> float:
    # Guard: a share of nothing is 0 (documented in facts.yaml), never a division error.
    return part / whole if whole else 0.0


def _amount_to_reach(current: int, total: int, minimum: float) -> int:
    """Rupiah to add to `current` (and to `total`) so that current/total reaches `minimum`."""
    if minimum >= 1 or total == 0 or current >= minimum * total:
        return 0
    return max(0, math.ceil((minimum * total - current) / (1 - minimum) - 1e-6))


class _Walk:
    """One pass over a proposal's activities and budget lines, collecting what each section reports.

    Every offending item is recorded under its locator (`loc`: the field paths findings point
    to) and the first one per locator by its label (`first`); the sections below turn what was
    collected into facts.
    """

    __slots__ = (
        "act_mismatch_first",
        "cash_total",
        "categories",
        "cycle_end",
        "cycle_start",
        "days_before",
        "days_outside",
        "first",
        "hit",
        "households_in_rw",
        "infra_count",
        "line_count",
        "loc",
        "max_benef",
        "menu",
        "min_poor_share",
        "mismatch_first",
        "musyawarah_date",
        "negative",
        "negative_text",
        "negative_word",
        "other_total",
        "outside_count",
        "p",
        "ppm_by_group",
        "ppm_by_kind",
        "ppm_total",
        "proposal",
        "seen_codes",
        "swadaya",
    )

    def __init__(self, proposal: Proposal, p: ExtractionParams, categories: Mapping[str, Any]) -> None:
        self.p, self.proposal, self.categories = p, proposal, categories
        self.negative = p.negative.word if p.negative is not None else None
        loc: dict[str, list[str]] = {name: [] for name in LOCATORS}
        first: dict[str, str] = {}   # locator name -> label (code) of its first offending item

        def hit(name: str, label: str, *paths: str) -> None:
            loc[name].extend(paths)
            first.setdefault(name, label)

        # A closure, not a method: it is called for every offending line, without a bound method each time.
        self.loc, self.first, self.hit = loc, first, hit
        self.menu = p.menu
        self.households_in_rw = proposal.musyawarah.households_in_rw
        self.musyawarah_date = proposal.musyawarah.date
        self.cycle_start, self.cycle_end = cycle_date(proposal.cycle), dt.date(proposal.cycle, 12, 31)
        self.ppm_total = self.swadaya = self.other_total = self.cash_total = self.line_count = 0
        self.ppm_by_kind = dict.fromkeys(KINDS, 0)
        self.ppm_by_group = dict.fromkeys(GROUPS, 0)
        self.mismatch_first = self.act_mismatch_first = (0, 0)
        self.negative_word = self.negative_text = ""
        self.max_benef = self.infra_count = self.days_outside = self.days_before = self.outside_count = 0
        self.min_poor_share = 1.0
        self.seen_codes: set[str] = set()

    def run(self) -> _Walk:
        for a_i, act in enumerate(self.proposal.activities):
            self._activity(f"activities[{a_i}]", act)
        return self

    # ---- the pass ---------------------------------------------------------------------------
    def _activity(self, a_path: str, act: Any) -> None:
        code, loc, hit = act.code, self.loc, self.hit
        loc["activities_budget"].append(f"{a_path}.budget_lines")
        menu = self.menu
        if menu is not None and act.category not in menu:
            hit("off_menu_activities", code, f"{a_path}.category")
            self.first.setdefault("off_menu_name", act.name)
        cat = self.categories.get(act.category)
        if cat is None:
            group, infra, public = "", False, False
            hit("unknown_category_activities", act.category, f"{a_path}.category")
            self.first.setdefault("unknown_category_activity", code)
        else:
            group, infra, public = category_of(cat)
            if group == "pemberdayaan":
                loc["pemberdayaan_activities"].append(f"{a_path}.category")
        act_total, act_swadaya, act_ppm = self._lines(a_path, code, act.budget_lines)
        self.ppm_total += act_ppm
        self.swadaya += act_swadaya
        if group in self.ppm_by_group:
            self.ppm_by_group[group] += act_ppm
        if self.negative is not None and self.negative(act.name):
            self._negative(self.negative(act.name), act.name, code, f"{a_path}.name")
        if act.repairs_flood_damage:
            hit("flood_repair_activities", code, f"{a_path}.repairs_flood_damage")
        if act.stated_total is not None and act.stated_total != act_total:
            if not loc["activity_total_mismatches"]:
                self.act_mismatch_first = (act.stated_total, act_total)
            hit("activity_total_mismatches", code, f"{a_path}.stated_total")
        households = act.beneficiaries.households
        if households > self.max_benef:
            self.max_benef = households
        if households > self.households_in_rw:
            hit("beneficiaries_exceed_rw", code, f"{a_path}.beneficiaries.households")
        if infra:
            self._infrastructure(a_path, code, act, act_swadaya, public)
        self._dates(a_path, code, act)
        if code in self.seen_codes:
            hit("duplicate_activity_codes", code, f"{a_path}.code")
        self.seen_codes.add(code)

    def _lines(self, a_path: str, code: str, lines: Any) -> tuple[int, int, int]:
        """Money of one activity's lines (total, swadaya, PPM); line-level problems recorded on the way."""
        # Locals, not attributes, inside the loop: it runs for every line of every proposal checked.
        act_total = act_swadaya = act_ppm = other_total = cash_total = 0
        ppm_by_kind, loc, negative, hit = self.ppm_by_kind, self.loc, self.negative, self.hit
        self.line_count += len(lines)
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
                    self.mismatch_first = (amount, value)
                hit("amount_mismatch_lines", code, f"{a_path}.budget_lines[{l_i}].amount")
            if not value:
                field = "quantity" if line.quantity == 0 else "unit_price"
                hit("zero_value_lines", code, f"{a_path}.budget_lines[{l_i}].{field}")
            if negative is not None and negative(line.item):
                self._negative(negative(line.item), line.item, code, f"{a_path}.budget_lines[{l_i}].item")
        self.other_total += other_total
        self.cash_total += cash_total
        return act_total, act_swadaya, act_ppm

    def _negative(self, word: str, text: str, code: str, path: str) -> None:
        """Record a text that holds `word` of the negative list (the first one names the fact)."""
        if not self.loc["negative_list_matches"]:
            self.negative_word, self.negative_text = word, text
        self.hit("negative_list_matches", code, path)

    def _infrastructure(self, a_path: str, code: str, act: Any, act_swadaya: int, public: bool) -> None:
        hit = self.hit
        self.infra_count += 1
        plan = (act.maintenance_plan or "").strip()
        if not plan:
            hit("infra_no_maintenance", code, f"{a_path}.maintenance_plan")
        elif len(plan.split()) < self.p.min_plan_words:
            hit("infra_short_maintenance", code, f"{a_path}.maintenance_plan")
        benef = act.beneficiaries
        if benef.households == 0:
            hit("infra_no_beneficiaries", code, f"{a_path}.beneficiaries.households")
        else:
            poor_share = benef.poor_households / benef.households
            self.min_poor_share = min(self.min_poor_share, poor_share)
            if poor_share < self.p.min_poor_beneficiaries:
                hit("infra_low_poor_beneficiaries", code, f"{a_path}.beneficiaries.poor_households")
        if act_swadaya == 0:
            hit("infra_without_swadaya", code, f"{a_path}.budget_lines")
        if public and not act.accessibility_features:
            hit("public_building_no_access", code, f"{a_path}.accessibility_features")

    def _dates(self, a_path: str, code: str, act: Any) -> None:
        hit = self.hit
        before_start, after_end = (self.cycle_start - act.start).days, (act.end - self.cycle_end).days
        if before_start > 0 or after_end > 0:
            self.days_outside = max(self.days_outside, before_start, after_end)
            ends = (f"{a_path}.start",) * (before_start > 0) + (f"{a_path}.end",) * (after_end > 0)
            self.outside_count += 1
            hit("activities_outside_cycle", code, *ends)
        musyawarah_date = self.musyawarah_date
        if act.start < musyawarah_date:
            self.days_before = max(self.days_before, (musyawarah_date - act.start).days)
            hit("activities_before_musyawarah", code, f"{a_path}.start")

    # ---- the sections' facts ----------------------------------------------------------------
    def general(self, values: dict[str, FactValue]) -> None:
        proposal = self.proposal
        region = proposal.region
        values["cycle_year"] = proposal.cycle
        values["cycle_label"] = str(proposal.cycle)
        values["open_cycles_label"] = self.p.open_cycles
        values["region_in_cimahi"] = region_in_cimahi(proposal)
        values["region_label"] = f"RW {region.rw} {region.kelurahan}, {region.kecamatan}"
        values["activity_count"] = len(proposal.activities)
        values["line_count"] = self.line_count

    def money(self, values: dict[str, FactValue]) -> None:
        p, ppm_total, swadaya = self.p, self.ppm_total, self.swadaya
        total_value = ppm_total + swadaya + self.other_total
        by_kind, by_group = self.ppm_by_kind, self.ppm_by_group
        mamin, pemb = by_kind["mamin"], by_group["pemberdayaan"]
        if ppm_total and p.max_mamin < 1 and mamin > p.max_mamin * ppm_total:
            mamin_excess = math.ceil((mamin - p.max_mamin * ppm_total) / (1 - p.max_mamin) - 1e-6)
        else:
            mamin_excess = 0
        requested = self.proposal.requested_total
        values["total_value"] = total_value
        values["ppm_total"] = ppm_total
        values["swadaya_total"] = swadaya
        values["lainnya_total"] = self.other_total
        values["ppm_sarana_prasarana_total"] = by_group["sarana_prasarana"]
        values["ppm_pemberdayaan_total"] = pemb
        values["ppm_material_total"] = by_kind["material"]
        values["ppm_alat_total"] = by_kind["alat"]
        values["ppm_upah_total"] = by_kind["upah"]
        values["ppm_mamin_total"] = mamin
        values["ppm_jasa_total"] = by_kind["jasa"]
        values["ppm_other_kind_total"] = by_kind["lainnya"]
        values["ppm_mamin_share"] = _share(mamin, ppm_total)
        values["ppm_mamin_excess"] = mamin_excess
        values["ppm_pemberdayaan_share"] = _share(pemb, ppm_total)
        values["pemberdayaan_shortfall"] = max(0, math.ceil(p.min_pemberdayaan * ppm_total - pemb - 1e-6))
        values["swadaya_share"] = _share(swadaya, total_value)
        values["swadaya_shortfall"] = _amount_to_reach(swadaya, total_value, p.min_swadaya)
        values["requested_total_given"] = requested is not None
        values["requested_total"] = requested or 0
        values["requested_total_mismatch"] = requested is not None and requested != ppm_total
        values["requested_total_difference"] = (requested - ppm_total) if requested is not None else 0

    def budget_lines(self, values: dict[str, FactValue]) -> None:
        loc = self.loc
        values["ppm_wage_line_count"] = len(loc["ppm_wage_lines"])
        values["cash_line_count"] = len(loc["cash_lines"])
        values["cash_total"] = self.cash_total
        values["amount_mismatch_count"] = len(loc["amount_mismatch_lines"])
        values["first_amount_mismatch_stated"] = self.mismatch_first[0]
        values["first_amount_mismatch_computed"] = self.mismatch_first[1]
        values["zero_value_line_count"] = len(loc["zero_value_lines"])
        values["negative_list_match_count"] = len(loc["negative_list_matches"])
        values["negative_list_first_word"] = self.negative_word
        values["negative_list_first_text"] = self.negative_text

    def activities(self, values: dict[str, FactValue]) -> None:
        loc, first = self.loc, self.first
        values["flood_repair_activity_count"] = len(loc["flood_repair_activities"])
        values["first_flood_repair_activity"] = first.get("flood_repair_activities", "")
        values["unknown_category_count"] = len(loc["unknown_category_activities"])
        values["first_unknown_category"] = first.get("unknown_category_activities", "")
        values["first_unknown_category_activity"] = first.get("unknown_category_activity", "")
        values["off_menu_activity_count"] = len(loc["off_menu_activities"])
        values["first_off_menu_activity"] = first.get("off_menu_activities", "")
        values["first_off_menu_activity_name"] = first.get("off_menu_name", "")
        values["activity_total_mismatch_count"] = len(loc["activity_total_mismatches"])
        values["first_activity_total_mismatch"] = first.get("activity_total_mismatches", "")
        values["first_activity_total_stated"] = self.act_mismatch_first[0]
        values["first_activity_total_computed"] = self.act_mismatch_first[1]
        values["duplicate_activity_code_count"] = len(loc["duplicate_activity_codes"])
        values["first_duplicate_activity_code"] = first.get("duplicate_activity_codes", "")
        values["beneficiaries_exceed_rw_count"] = len(loc["beneficiaries_exceed_rw"])
        values["first_beneficiaries_exceed_rw"] = first.get("beneficiaries_exceed_rw", "")
        values["max_beneficiary_households"] = self.max_benef

    def infrastructure(self, values: dict[str, FactValue]) -> None:
        loc, first = self.loc, self.first
        with_beneficiaries = self.infra_count > len(loc["infra_no_beneficiaries"])
        values["infrastructure_activity_count"] = self.infra_count
        values["infra_no_maintenance_count"] = len(loc["infra_no_maintenance"])
        values["first_infra_no_maintenance"] = first.get("infra_no_maintenance", "")
        values["infra_short_maintenance_count"] = len(loc["infra_short_maintenance"])
        values["first_infra_short_maintenance"] = first.get("infra_short_maintenance", "")
        values["infra_low_poor_beneficiary_count"] = len(loc["infra_low_poor_beneficiaries"])
        values["first_infra_low_poor_beneficiary"] = first.get("infra_low_poor_beneficiaries", "")
        values["infra_min_poor_beneficiary_share"] = self.min_poor_share if with_beneficiaries else 0.0
        values["infra_no_beneficiaries_count"] = len(loc["infra_no_beneficiaries"])
        values["first_infra_no_beneficiaries"] = first.get("infra_no_beneficiaries", "")
        values["infra_without_swadaya_count"] = len(loc["infra_without_swadaya"])
        values["first_infra_without_swadaya"] = first.get("infra_without_swadaya", "")
        values["public_building_no_access_count"] = len(loc["public_building_no_access"])
        values["first_public_building_no_access"] = first.get("public_building_no_access", "")

    def dates(self, values: dict[str, FactValue]) -> None:
        loc, first = self.loc, self.first
        values["activities_outside_cycle_count"] = self.outside_count
        values["first_activity_outside_cycle"] = first.get("activities_outside_cycle", "")
        values["days_outside_cycle"] = self.days_outside
        values["activities_before_musyawarah_count"] = len(loc["activities_before_musyawarah"])
        values["first_activity_before_musyawarah"] = first.get("activities_before_musyawarah", "")
        values["days_activity_before_musyawarah"] = self.days_before


def _inclusion(proposal: Proposal, values: dict[str, FactValue]) -> None:
    """Who took part in the musyawarah and who is on the team."""
    musy = proposal.musyawarah
    att, spk, team = musy.attendance, musy.speakers, proposal.team
    submitted = proposal.submitted_on
    musy_after = submitted is not None and musy.date > submitted
    values["households_in_rw"] = musy.households_in_rw
    values["musyawarah_attendance_total"] = att.total
    values["musyawarah_attendance_share"] = _share(att.total, musy.households_in_rw)
    values["women_attendance_count"] = att.women
    values["women_attendance_share"] = _share(att.women, att.total)
    values["poor_attendance_count"] = att.poor
    values["poor_attendance_share"] = _share(att.poor, att.total)
    values["disability_attendance_count"] = att.persons_with_disability
    values["youth_attendance_count"] = att.youth
    values["elderly_attendance_count"] = att.elderly
    values["speakers_recorded"] = spk is not None
    values["women_speakers"] = spk.women if spk else 0
    values["poor_speakers"] = spk.poor if spk else 0
    values["disability_speakers"] = spk.persons_with_disability if spk else 0
    values["youth_speakers"] = spk.youth if spk else 0
    values["minutes_attached"] = musy.minutes_attached
    values["attendance_list_attached"] = musy.attendance_list_attached
    values["musyawarah_after_submission"] = musy_after
    values["days_musyawarah_after_submission"] = (musy.date - submitted).days if musy_after and submitted else 0
    values["team_members"] = team.members
    values["team_women_members"] = team.women_members
    values["team_women_share"] = _share(team.women_members, team.members)


def _documents(proposal: Proposal, p: ExtractionParams, loc: dict[str, list[str]], values: dict[str, FactValue]) -> None:
    """Documents attached against those required, the amendment's berita acara, the submission date."""
    docs = set(proposal.documents)
    missing = [d for d in p.required_docs if d not in docs]
    known = set(p.required_docs) | set(p.optional_docs)
    unknown_docs = [d for d in proposal.documents if d not in known]
    if missing or unknown_docs:
        loc["documents"].append("documents")
    amends = proposal.amends
    if amends:
        loc["amendment"].append("amends.berita_acara_perubahan")
    submitted = proposal.submitted_on
    values["missing_documents_count"] = len(missing)
    values["missing_documents"] = ", ".join(missing)
    values["unknown_documents_count"] = len(unknown_docs)
    values["unknown_documents"] = ", ".join(unknown_docs)
    values["is_amendment"] = amends is not None
    values["amendment_has_berita_acara"] = bool(amends and amends.berita_acara_perubahan)
    values["amendment_document_listed"] = AMENDMENT_DOCUMENT in docs
    values["submitted_on_given"] = submitted is not None
    values["days_after_submission_deadline"] = (submitted - p.deadline).days if submitted else 0
    values["submission_deadline_date"] = p.deadline.isoformat()


def extract_facts(proposal: Proposal, params: Mapping[str, Any], categories: Mapping[str, Any]) -> Facts:
    """Compute every fact of `facts.yaml` from a validated proposal, in one pass over its lines.

    The pass (`_Walk.run`) collects what each section needs; each section then adds its facts
    to one dictionary (filled in place: merging section dictionaries would cost a copy per
    check): the proposal itself, money, budget lines, activities, infrastructure, dates,
    inclusion and documents.
    """
    p = ExtractionParams.of(params, proposal.cycle)
    walk = _Walk(proposal, p, categories).run()
    values: dict[str, FactValue] = {}
    for section in (walk.general, walk.money, walk.budget_lines, walk.activities, walk.infrastructure, walk.dates):
        section(values)
    _inclusion(proposal, values)
    _documents(proposal, p, walk.loc, values)
    return Facts(values, walk.loc)
