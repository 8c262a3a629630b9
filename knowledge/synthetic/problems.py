"""Which synthetic proposals carry which seeded problems, and the problems applied after the build.

The assignment is planned rather than drawn independently: problem proposals take the types
round-robin (so every type occurs once there are at least as many problem proposals as types),
a share of them get a second, different type, and the slots are shuffled with the seed.
Money problems are planned inside the build (`knowledge.synthetic.builder`); the rest are
applied here, each touching only what it must.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from knowledge.reference import Kelurahan
from knowledge.synthetic.builder import Draft, amendment_ref, line_total, month_day, randint, uniform
from knowledge.synthetic.settings import Settings


def assign_problems(s: Settings, count: int, rng: random.Random) -> list[tuple[str, ...]]:
    """Problem types for `count` proposals, in an order shuffled by `rng`."""
    mix = s.raw["problem_mix"]
    kinds = sorted(s.problems)
    n_problem = round(count * (1 - float(mix["clean_share"])))
    n_double = round(n_problem * float(mix["two_problem_share"]))
    slots: list[tuple[str, ...]] = []
    for i in range(n_problem):
        first = kinds[i % len(kinds)]
        if i < n_double:
            second = rng.choice([k for k in kinds if k != first])
            slots.append(tuple(sorted((first, second))))
        else:
            slots.append((first,))
    slots += [()] * (count - n_problem)
    rng.shuffle(slots)
    return slots


def _infrastructure_activity(draft: Draft, rng: random.Random) -> dict[str, Any]:
    result: dict[str, Any] = draft.proposal["activities"][rng.choice(draft.infrastructure)]
    return result


def _flood(s: Settings, draft: Draft, rng: random.Random, kel: Kelurahan, rw: int) -> None:
    act = _infrastructure_activity(draft, rng)
    act["repairs_flood_damage"] = True
    act["name"] = f"{act['name']} yang rusak akibat banjir"


def _missing_documents(s: Settings, draft: Draft, rng: random.Random, kel: Kelurahan, rw: int) -> None:
    docs = draft.proposal["documents"]
    # Drop only documents every proposal must carry, never an amendment's extra record.
    required = [d for d in s.proposal["documents"] if d in docs]
    for doc in rng.sample(required, randint(rng, s.details["missing_documents"])):
        docs.remove(doc)
    # The attachments flags follow the documents, so the proposal stays coherent.
    mus = draft.proposal["musyawarah"]
    mus["minutes_attached"] = "berita_acara_musyawarah" in docs
    mus["attendance_list_attached"] = "daftar_hadir" in docs


def _amendment(s: Settings, draft: Draft, rng: random.Random, kel: Kelurahan, rw: int) -> None:
    prop = draft.proposal
    prop["amends"] = {"proposal_ref": amendment_ref(kel, rw, prop["cycle"]), "berita_acara_perubahan": False}


def _no_women(s: Settings, draft: Draft, rng: random.Random, kel: Kelurahan, rw: int) -> None:
    mus = draft.proposal["musyawarah"]
    mus["attendance"]["women"] = 0
    mus["speakers"]["women"] = 0


def _no_poor(s: Settings, draft: Draft, rng: random.Random, kel: Kelurahan, rw: int) -> None:
    mus = draft.proposal["musyawarah"]
    mus["attendance"]["poor"] = 0
    mus["speakers"]["poor"] = 0


def _no_maintenance(s: Settings, draft: Draft, rng: random.Random, kel: Kelurahan, rw: int) -> None:
    _infrastructure_activity(draft, rng)["maintenance_plan"] = None


def _arithmetic_slip(s: Settings, draft: Draft, rng: random.Random, kel: Kelurahan, rw: int) -> None:
    d = s.details
    lines = [bl for a in draft.proposal["activities"] for bl in a["budget_lines"]
             if bl["source"] == "ppm" and bl["kind"] in ("material", "alat", "jasa")
             and line_total(bl) > 2 * int(d["arithmetic_slip_min"])]
    line = rng.choice(lines)
    correct = line_total(line)
    # Written lower than it should be, so that a total summed from written amounts can only
    # fall: the slip never pushes the proposal over a ceiling as a side effect.
    slip = max(int(d["arithmetic_slip_min"]), int(round(correct * uniform(rng, d["arithmetic_slip_share"]), -3)))
    line["amount"] = correct - min(slip, correct // 2)


def _dates_outside(s: Settings, draft: Draft, rng: random.Random, kel: Kelurahan, rw: int) -> None:
    d, cycle = s.details, draft.proposal["cycle"]
    act = rng.choice(draft.proposal["activities"])
    lo, hi = (month_day(cycle, x) for x in d["dates_outside_start"])
    start = lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))
    lo, hi = (month_day(cycle + 1, x) for x in d["dates_outside_end_next_year"])
    act["start"] = start.isoformat()
    act["end"] = (lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))).isoformat()


Mutator = Callable[[Settings, Draft, random.Random, Kelurahan, int], None]

# Applied after the build. over_ceiling, mamin_over_cap, wages_from_ppm, cash_to_individuals and
# negative_list_item are planned inside the build because they move money.
AFTER_BUILD: dict[str, Mutator] = {
    "flood_damage_repair": _flood,
    "missing_documents": _missing_documents,
    "amendment_without_berita_acara": _amendment,
    "no_women_in_musyawarah": _no_women,
    "no_poor_in_musyawarah": _no_poor,
    "no_maintenance_plan": _no_maintenance,
    "arithmetic_slip": _arithmetic_slip,
    "dates_outside_cycle": _dates_outside,
}
IN_BUILD = frozenset({"over_ceiling", "mamin_over_cap", "wages_from_ppm", "cash_to_individuals", "negative_list_item"})


def apply_problems(s: Settings, draft: Draft, problems: tuple[str, ...], rng: random.Random,
                   kel: Kelurahan, rw: int) -> None:
    for name in problems:
        if name in AFTER_BUILD:
            AFTER_BUILD[name](s, draft, rng, kel, rw)
