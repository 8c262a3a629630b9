"""Build one synthetic PPM proposal (a plain dict, valid against `knowledge.proposal.Proposal`).

A proposal is built clean first: every share and the total meet the thresholds of the
knowledge base in force for its cycle (`knowledge.synthetic.policy`), spread around them as
real proposals are, many just on the allowed side. Every rounding in the build goes towards
the allowed side (quantities are rounded down under a budget, head counts up over a share).
Problems that change money are planned before the build (`over_ceiling`, `mamin_over_cap`,
and lines reserved for `wages_from_ppm`, `cash_to_individuals`, `negative_list_item`) so
that only the seeded problem is violated; the other problems are applied afterwards
(`knowledge.synthetic.problems`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from knowledge.reference import Kelurahan
from knowledge.synthetic.policy import CyclePolicy, cycle_policy, near_threshold
from knowledge.synthetic.settings import Category, Settings

# Problems that need at least one infrastructure activity to be expressed.
NEEDS_INFRASTRUCTURE = frozenset({"wages_from_ppm", "flood_damage_repair", "no_maintenance_plan"})


@dataclass
class Draft:
    """A proposal under construction and what the problem mutators need to know about it."""

    proposal: dict[str, Any]
    infrastructure: list[int] = field(default_factory=list)   # activity indices
    pemberdayaan: list[int] = field(default_factory=list)


def uniform(rng: random.Random, bounds: Sequence[float]) -> float:
    return rng.uniform(float(bounds[0]), float(bounds[1]))


def randint(rng: random.Random, bounds: list[int] | tuple[int, int]) -> int:
    return rng.randint(int(bounds[0]), int(bounds[1]))


def price(rng: random.Random, bounds: list[int] | tuple[int, int]) -> int:
    """A unit price in the range, rounded the way price lists are (to 1,000 / 500 / 50 Rupiah)."""
    value = uniform(rng, bounds)
    step = 1000 if bounds[1] >= 100_000 else 500 if bounds[1] >= 10_000 else 50
    return max(step, round(value / step) * step)


def month_day(cycle: int, text: str) -> dt.date:
    month, day = (int(x) for x in text.split("-"))
    return dt.date(cycle, month, day)


def line_total(line: dict[str, Any]) -> int:
    return round(float(line["quantity"]) * float(line["unit_price"]))


def ppm_total(proposal: dict[str, Any]) -> int:
    return sum(line_total(bl) for a in proposal["activities"] for bl in a["budget_lines"] if bl["source"] == "ppm")


def _line(item: dict[str, Any], quantity: int, unit_price: int, source: str = "ppm", kind: str | None = None) -> dict[str, Any]:
    return {"item": item["item"], "unit": item["unit"], "quantity": int(quantity), "unit_price": int(unit_price),
            "source": source, "kind": kind or item.get("kind", "material")}


def _weighted(rng: random.Random, options: list[Category], k: int) -> list[Category]:
    """k distinct categories, drawn by weight."""
    pool, chosen = list(options), []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(pool, weights=[c.weight for c in pool])[0]
        chosen.append(pick)
        pool.remove(pick)
    return chosen


def extra_lines(s: Settings, rng: random.Random, problems: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """PPM lines that carry a money problem, each with where it goes (infrastructure|pemberdayaan)."""
    d, out = s.details, []
    if "wages_from_ppm" in problems:
        w = d["wage_line"]
        out.append(("infrastructure", _line(w, randint(rng, w["quantity"]), price(rng, w["unit_price"]), kind="upah")))
    if "cash_to_individuals" in problems:
        c = d["cash_line"]
        line = _line(c, randint(rng, c["quantity"]), price(rng, c["unit_price"]), kind="lainnya")
        line["cash_to_individuals"] = True
        out.append(("pemberdayaan", line))
    if "negative_list_item" in problems:
        n = rng.choice(d["negative_items"])
        out.append(("infrastructure", _line(n, randint(rng, n["quantity"]), price(rng, n["unit_price"]))))
    return out


def _activity_lines(s: Settings, rng: random.Random, cat: Category, budget: float) -> list[dict[str, Any]]:
    """RAB lines from PPM money filling `budget`: a few catalogue items, topped up, then the filler."""
    chosen = rng.sample(list(cat.items), rng.randint(2, min(4, len(cat.items))))
    weights = [rng.uniform(0.5, 1.5) for _ in chosen]
    lines, caps = [], []
    for item, w in zip(chosen, weights):
        unit_price = price(rng, item["unit_price"])
        cap = int(item.get("max", 10**6))
        qty = min(cap, math.floor(budget * w / sum(weights) / unit_price))
        if qty >= 1:
            lines.append(_line(item, qty, unit_price))
            caps.append(cap)
    # Rounding down and the quantity caps leave money over: top up the dearest lines that
    # still fit under their caps, then let the filler (bulk material or per-participant
    # package) take the rest, so the activity lands within one filler price of its budget.
    rest = budget - sum(line_total(bl) for bl in lines)
    for bl, cap in sorted(zip(lines, caps), key=lambda pair: -pair[0]["unit_price"]):
        extra = min(cap - bl["quantity"], math.floor(rest / bl["unit_price"]))
        bl["quantity"] += extra
        rest -= extra * bl["unit_price"]
    filler_price = price(rng, cat.filler["unit_price"])
    if rest >= filler_price or not lines:
        lines.append(_line(cat.filler, max(1, math.floor(rest / filler_price)), filler_price))
    return lines


def _beneficiaries(s: Settings, rng: random.Random, infrastructure: bool, households: int,
                   policy: CyclePolicy) -> dict[str, int]:
    p = s.proposal
    if infrastructure:
        hh = max(10, round(households * uniform(rng, p["beneficiary_household_share"])))
    else:
        hh = randint(rng, p["participants_pemberdayaan"])
    poor = min(hh, math.ceil(hh * near_threshold(rng, s, "poor_beneficiary_share", policy)))
    return {
        "households": hh, "poor_households": poor, "persons_with_disability": rng.randint(1, 6),
        "women": round(hh * rng.uniform(1.0, 1.5)) if infrastructure else round(hh * rng.uniform(0.5, 0.9)),
        "children": round(hh * rng.uniform(0.6, 1.2)) if infrastructure else rng.randint(0, hh // 3),
        "elderly": round(hh * rng.uniform(0.2, 0.5)) if infrastructure else rng.randint(1, hh // 4 + 1),
        "youth": round(hh * rng.uniform(0.3, 0.6)) if infrastructure else rng.randint(1, hh // 3 + 1),
    }


def _dates(s: Settings, rng: random.Random, cycle: int) -> tuple[str, str]:
    p = s.proposal
    lo, hi = month_day(cycle, p["activity_start"][0]), month_day(cycle, p["activity_start"][1])
    start = lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))
    end = min(start + dt.timedelta(days=randint(rng, p["activity_days"])), month_day(cycle, p["activity_latest_end"]))
    return start.isoformat(), end.isoformat()


def _musyawarah(s: Settings, rng: random.Random, policy: CyclePolicy, households: int) -> dict[str, Any]:
    p, cycle = s.proposal, policy.cycle

    def near(name: str) -> float:
        return near_threshold(rng, s, name, policy)

    total = min(households, max(int(p["min_attendance"]), math.ceil(households * near("attendance_share_of_households"))))
    att = {
        "total": total,
        "women": math.ceil(total * near("women_attendance_share")),
        "poor": math.ceil(total * near("poor_attendance_share")),
        "persons_with_disability": randint(rng, p["disability_present"]),
        "youth": max(1, math.ceil(total * uniform(rng, p["youth_attendance_share"]))),
        "elderly": math.ceil(total * uniform(rng, p["elderly_attendance_share"])),
    }
    speakers = {
        "women": rng.randint(1, min(6, att["women"])), "poor": rng.randint(1, min(3, att["poor"])),
        "persons_with_disability": 1, "youth": rng.randint(1, min(4, att["youth"])),
        "elderly": rng.randint(1, max(1, min(3, att["elderly"]))),
    }
    return {
        "date": dt.date(cycle, 1, randint(rng, p["musyawarah_day"])).isoformat(),
        "households_in_rw": households, "attendance": att, "speakers": speakers,
        "minutes_attached": True, "attendance_list_attached": True,
    }


def _plan(s: Settings, rng: random.Random, problems: set[str], policy: CyclePolicy) -> list[Category]:
    """Which categories the activities use (from the menu when there is one): infrastructure
    first, one pemberdayaan activity last."""
    weights = {int(k): float(v) for k, v in s.proposal["activity_count_weights"].items()}
    n = rng.choices(list(weights), weights=list(weights.values()))[0]
    if n == 1 and problems & NEEDS_INFRASTRUCTURE:
        n = 2
    menu = policy.menu

    def allowed(c: Category) -> bool:
        return menu is None or c.id in menu

    infra = _weighted(rng, [c for c in s.group("sarana_prasarana.") if allowed(c)], n - 1)
    return infra + _weighted(rng, [c for c in s.group("pemberdayaan.") if allowed(c)], 1)


def _pemberdayaan_share(s: Settings, rng: random.Random, policy: CyclePolicy, total: float, clean: bool) -> float:
    """The empowerment share of the PPM money; kept inside the cycle's split of the ceiling, if any."""
    share = near_threshold(rng, s, "pemberdayaan_share", policy)
    if policy.split is None or not clean:
        return share
    infra_part, community_part = policy.split
    low, high = 1 - infra_part / total, community_part / total
    return min(max(share, low), high)


def build(s: Settings, kel: Kelurahan, rw: int, cycle: int, problems: tuple[str, ...], rng: random.Random) -> Draft:
    """A proposal for RW `rw` of `kel` in `cycle`, clean apart from the money problems planned here."""
    p, probs = s.proposal, set(problems)
    policy = cycle_policy(s, cycle)
    rts = kel.rt_count(rw) or 1
    households = sum(randint(rng, p["households_per_rt"]) for _ in range(rts))
    plan = _plan(s, rng, probs, policy)
    extras = extra_lines(s, rng, probs)
    reserve = sum(line_total(line) for _, line in extras)

    over = "over_ceiling" in probs
    total = policy.ceiling * (uniform(rng, p["ppm_total_over_ceiling"]) if over
                              else near_threshold(rng, s, "ppm_total", policy))
    mamin = (uniform(rng, p["mamin_share_over_cap"]) if "mamin_over_cap" in probs
             else near_threshold(rng, s, "mamin_share", policy))
    pemb_share = _pemberdayaan_share(s, rng, policy, total, not over) if len(plan) > 1 else 1.0
    if len(plan) == 1 and policy.split is not None and not over:
        total = min(total, policy.split[1] * total / policy.ceiling)  # community activities only: their part
    n_infra = len(plan) - 1
    if n_infra:
        # A large reserved line must not squeeze the infrastructure activities to nothing:
        # raise the total (never past the ceiling) or drop activities.
        floor_each = float(p["min_infrastructure_budget"])
        ceiling = max(total, float(policy.ceiling))
        while n_infra > 1 and (1 - mamin) * (1 - pemb_share) * ceiling - reserve < floor_each * n_infra:
            n_infra -= 1
        plan = plan[:n_infra] + plan[-1:]
        needed = (reserve + floor_each * n_infra) / ((1 - mamin) * (1 - pemb_share))
        if needed > total:
            total = min(needed, ceiling)
            pemb_share = _pemberdayaan_share(s, rng, policy, total, not over)

    # Reserved lines come out of the budget of the group they are added to, so that a split of
    # the ceiling between infrastructure and community activities still holds.
    to_pemb = sum(line_total(line) for where, line in extras if where == "pemberdayaan" or not n_infra)
    regular = total * (1 - mamin)
    pemb_budget = regular * pemb_share - to_pemb if n_infra else regular - reserve
    infra_money = regular - regular * pemb_share - (reserve - to_pemb)
    split = [rng.uniform(0.6, 1.4) for _ in range(n_infra)]
    budgets = [infra_money * w / sum(split) for w in split] + [pemb_budget]

    rt_numbers = list(range(1, rts + 1))
    activities = []
    for i, (cat, budget) in enumerate(zip(plan, budgets)):
        rt = f"RT {rng.choice(rt_numbers):02d}"
        start, end = _dates(s, rng, cycle)
        name = rng.choice(cat.names).format(rt=rt, skill=rng.choice(s.catalogue["skills"]))
        act: dict[str, Any] = {
            "code": f"A{i + 1}", "name": name, "category": cat.id,
            "location": rt if cat.infrastructure else f"RW {rw:02d}",
            "start": start, "end": end, "repairs_flood_damage": False,
            "maintenance_plan": rng.choice(s.catalogue["maintenance_plans"]).format(rt=rt) if cat.infrastructure else None,
            "accessibility_features": (sorted(rng.sample(s.catalogue["accessibility_features"], rng.randint(1, 3)))
                                       if cat.public_building else []),
            "budget_lines": _activity_lines(s, rng, cat, budget),
            "beneficiaries": _beneficiaries(s, rng, cat.infrastructure, households, policy),
        }
        activities.append(act)
    draft = Draft(
        proposal={}, infrastructure=[i for i, c in enumerate(plan) if c.infrastructure],
        pemberdayaan=[i for i, c in enumerate(plan) if not c.infrastructure],
    )
    for where, line in extras:
        target = (draft.infrastructure or draft.pemberdayaan) if where == "infrastructure" else draft.pemberdayaan
        activities[rng.choice(target)]["budget_lines"].append(line)
    _add_mamin(s, rng, activities, plan, mamin)
    _add_other_and_swadaya(s, rng, activities, plan, policy)

    if rng.random() < p["amounts_written_probability"]:
        for act in activities:
            for bl in act["budget_lines"]:
                bl["amount"] = line_total(bl)
    proposal: dict[str, Any] = {
        "cycle": cycle,
        "region": {"kecamatan": kel.kecamatan, "kelurahan": kel.name, "rw": rw},
        "title": _title(plan, kel, rw, policy),
        "submitted_on": dt.date(cycle, 2, randint(rng, p["submitted_day"])).isoformat(),
        "activities": activities,
        "musyawarah": _musyawarah(s, rng, policy, households),
        "team": _team(s, rng, policy),
        "documents": list(p["documents"]),
        "amends": None,
    }
    if rng.random() < p["amended_clean_probability"]:
        proposal["amends"] = {"proposal_ref": amendment_ref(kel, rw, cycle), "berita_acara_perubahan": True}
        proposal["documents"].append("berita_acara_perubahan")
    draft.proposal = proposal
    return draft


def amendment_ref(kel: Kelurahan, rw: int, cycle: int) -> str:
    return f"PPM/{cycle}/{kel.code}/RW{rw:02d}/01"


def _team(s: Settings, rng: random.Random, policy: CyclePolicy) -> dict[str, int]:
    members = randint(rng, s.proposal["team_members"])
    share = near_threshold(rng, s, "women_team_share", policy)
    return {"members": members, "women_members": min(members, math.ceil(members * share))}


def _title(plan: list[Category], kel: Kelurahan, rw: int, policy: CyclePolicy) -> str:
    shorts = [c.short for c in plan]
    joined = shorts[0] if len(shorts) == 1 else ", ".join(shorts[:-1]) + " dan " + shorts[-1]
    return f"{policy.programme} {policy.cycle} RW {rw:02d} {kel.name}: {joined}"


def _add_mamin(s: Settings, rng: random.Random, activities: list[dict[str, Any]], plan: list[Category], share: float) -> None:
    """Food and drink from PPM money, `share` of the PPM total, spread by activity size."""
    base = [sum(line_total(bl) for bl in a["budget_lines"] if bl["source"] == "ppm") for a in activities]
    target = share / (1 - share) * sum(base)
    for act, cat, money in zip(activities, plan, base):
        item = s.catalogue["mamin_infrastructure" if cat.infrastructure else "mamin_pemberdayaan"]
        unit_price = price(rng, item["unit_price"])
        qty = math.floor(target * money / sum(base) / unit_price)
        if qty >= 1:
            act["budget_lines"].append(_line(item, qty, unit_price, kind="mamin"))


def _add_other_and_swadaya(s: Settings, rng: random.Random, activities: list[dict[str, Any]], plan: list[Category],
                           policy: CyclePolicy) -> None:
    """An occasional other-source line, then residents' labour making up the swadaya share of total value."""
    p, cat_ = s.proposal, s.catalogue
    if rng.random() < p["other_funding_probability"]:
        item = rng.choice(cat_["other_funding_items"])
        amount = int(round(uniform(rng, p["other_funding_amount"]), -3))
        rng.choice(activities)["budget_lines"].append(_line(item, 1, amount, source="lainnya"))
    value = sum(line_total(bl) for a in activities for bl in a["budget_lines"])
    share = near_threshold(rng, s, "swadaya_share", policy)
    needed = share / (1 - share) * value
    infra = [a for a, c in zip(activities, plan) if c.infrastructure]
    if infra:
        labour = cat_["swadaya_labour"]
        unit_price = price(rng, labour["unit_price"])
        for act in infra:
            act["budget_lines"].append(
                _line(labour, math.ceil(needed / len(infra) / unit_price), unit_price, source="swadaya", kind="upah"))
    else:
        item = cat_["swadaya_pemberdayaan"]
        unit_price = price(rng, item["unit_price"])
        activities[-1]["budget_lines"].append(
            _line(item, math.ceil(needed / unit_price), unit_price, source="swadaya", kind="upah"))
