"""Synthetic (SINTETIS) past cycles: one proposal and one evaluation per RW and cycle.

Deterministic from the seed: every proposal has its own `random.Random`, seeded from the
seed, the kelurahan code, the RW and the cycle, so a proposal does not depend on which other
cycles were generated; the problem assignment and the evaluation side have their own streams.
No global random state is touched.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.reference import Kelurahan, load_reference
from knowledge.synthetic.builder import build
from knowledge.synthetic.indicators import indicators_from_latent, latent_panel, noisy_tiers, rows_from_columns
from knowledge.synthetic.policy import cycle_policy
from knowledge.synthetic.problems import apply_problems, assign_problems
from knowledge.synthetic.settings import load_settings


def slug(name: str) -> str:
    """'Cigugur Tengah' -> 'cigugur-tengah'."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


@dataclass(frozen=True)
class SyntheticProposal:
    """One generated proposal (a dict valid against Proposal) and the problems seeded into it."""

    proposal: dict[str, Any]
    problems: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.problems

    @property
    def file_name(self) -> str:
        """Relative path used by demo-data: '<cycle>/<kelurahan-slug>-rw<NN>.json'."""
        r = self.proposal["region"]
        return f"{self.proposal['cycle']}/{slug(r['kelurahan'])}-rw{r['rw']:02d}.json"


@dataclass(frozen=True)
class SyntheticData:
    """Generated cycles. `evaluations[i]` belongs with `true_index[i]` and `true_tier[i]`."""

    seed: int
    cycles: tuple[int, ...]
    proposals: list[SyntheticProposal]
    evaluations: list[dict[str, Any]]
    true_index: np.ndarray                 # hidden latent level per evaluation row
    true_tier: np.ndarray                  # tier ordinal cut from true_index at the hidden cuts
    cut_points: tuple[float, ...]          # hidden cut points on the true_index scale
    tiers: tuple[str, ...]
    noise_rate: float
    noise: str
    perception_sd: float

    @property
    def evaluator_disagreement(self) -> float:
        """Realised share of evaluator tiers that differ from the true tier."""
        names = {t: i for i, t in enumerate(self.tiers)}
        seen = np.array([names[r["evaluator_tier"]] for r in self.evaluations])
        return float(np.mean(seen != self.true_tier))

    def manifest(self) -> dict[str, Any]:
        """What a reader needs to know about this data: that it is synthetic, how it was made."""
        s = load_settings()
        counts: dict[str, int] = {}
        for p in self.proposals:
            for name in p.problems:
                counts[name] = counts.get(name, 0) + 1
        return {
            "synthetic": True,
            "label": s.raw["label"],
            "generator": "knowledge.synthetic.generate_cycles",
            "seed": self.seed,
            "cycles": list(self.cycles),
            "proposal_count": len(self.proposals),
            "clean_count": sum(1 for p in self.proposals if p.clean),
            "problem_counts": dict(sorted(counts.items())),
            "problem_types": {k: {"group": v.group, "description": {"id": v.description_id, "en": v.description_en}}
                              for k, v in sorted(s.problems.items())},
            "problems": {p.file_name: list(p.problems) for p in self.proposals},
            "evaluations": {
                "count": len(self.evaluations),
                "tiers": list(self.tiers),
                "hidden_cut_points": list(self.cut_points),
                "hidden_index": "latent empowerment level per RW-cycle (0-1), drifting upward over cycles",
                "evaluator_noise": {"model": self.noise, "rate": self.noise_rate,
                                    "perception_sd": round(self.perception_sd, 6),
                                    "realised_disagreement": round(self.evaluator_disagreement, 4)},
            },
        }


def _proposal_rng(seed: int, kel: Kelurahan, rw: int, cycle: int) -> random.Random:
    # String seeds are hashed with SHA-512 by random.Random: stable across runs and platforms.
    return random.Random(f"berdaya-synthetic/{seed}/{kel.code}/{rw}/{cycle}")


def generate_cycles(seed: int = 2018, cycles: Sequence[int] | None = None) -> SyntheticData:
    """Proposals and evaluation records for every reference RW in each cycle (default 2018-2026).

    A cycle in which the programme was suspended (2020) is left out: it had no proposals.
    """
    s = load_settings()
    wanted = (int(c) for c in (cycles if cycles is not None else s.default_cycles))
    cyc = tuple(c for c in wanted if not cycle_policy(s, c).suspended)
    rws = load_reference().rws()
    units = [(cycle, kel, rw) for cycle in cyc for kel, rw in rws]

    assignment = assign_problems(s, len(units), random.Random(f"berdaya-synthetic/{seed}/problems"))
    proposals = []
    for (cycle, kel, rw), problems in zip(units, assignment):
        rng = _proposal_rng(seed, kel, rw, cycle)
        draft = build(s, kel, rw, cycle, problems, rng)
        apply_problems(s, draft, problems, rng, kel, rw)
        req_rng = random.Random(f"berdaya-synthetic/{seed}/{kel.code}/{rw}/{cycle}/total")
        if req_rng.random() < s.proposal["requested_total_probability"]:
            draft.proposal["requested_total"] = sum(
                round(bl["quantity"] * bl["unit_price"])
                for a in draft.proposal["activities"] for bl in a["budget_lines"] if bl["source"] == "ppm")
        proposals.append(SyntheticProposal(draft.proposal, problems))

    # The evaluation side: the latent panel covers the 2018-based drift whatever cycles are asked for.
    ev = s.evaluation
    np_rng = np.random.default_rng([int(seed), 3])
    first = min(cyc) if cyc else s.default_cycles.start
    span = list(range(min(first, s.default_cycles.start), max(cyc, default=first) + 1))
    panel = latent_panel(len(rws), span, np_rng, s)
    latent = np.concatenate([panel[span.index(c)] for c in cyc]) if cyc else np.zeros(0)
    columns = indicators_from_latent(latent, np_rng, s)
    cuts = s.hidden_cut_points
    true, seen, sd = noisy_tiers(latent, cuts, float(ev["evaluator_noise_rate"]), np_rng, ev["noise_model"])
    ids = {
        "cycle": [c for c, _, _ in units],
        "kecamatan": [k.kecamatan for _, k, _ in units],
        "kelurahan": [k.name for _, k, _ in units],
        "rw": [rw for _, _, rw in units],
    }
    tier_names = np.array(s.tiers, dtype=object)[seen]
    evaluations = rows_from_columns({**{k: np.asarray(v, dtype=object) for k, v in ids.items()}, **columns},
                                    {"evaluator_tier": tier_names})
    return SyntheticData(seed=int(seed), cycles=cyc, proposals=proposals, evaluations=evaluations,
                         true_index=latent, true_tier=true, cut_points=cuts, tiers=s.tiers,
                         noise_rate=float(ev["evaluator_noise_rate"]), noise=ev["noise_model"], perception_sd=sd)
