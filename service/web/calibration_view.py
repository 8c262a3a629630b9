"""What the calibration run page shows, from a run's typed report: tier and method names, the cycles in
words, the score table per final tier with the cut points between its rows.

Numbers stay numbers here; the template formats them (`t.number`: 0,436 in Bahasa Indonesia).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.indices import IndexDefinition
from service.schemas_calibration import CalibrationRunReport, FitReport
from service.web.i18n import Translator

METHODS = ("all", "ordinal", "isotonic", "quantile", "fixed")


def tier_names(definition: IndexDefinition, t: Translator) -> dict[str, str]:
    return {level.id: t.pick(level.name.model_dump()) for level in definition.tiers.levels}


def indicator_names(definition: IndexDefinition, t: Translator) -> dict[str, str]:
    return {i.id: t.pick(i.name.model_dump()) for i in definition.indicators}


def cycles_words(cycles: list[int]) -> str:
    """2018, 2019, 2021–2024: consecutive years joined by a dash."""
    groups: list[list[int]] = []
    for cycle in sorted(cycles):
        if groups and cycle == groups[-1][-1] + 1:
            groups[-1].append(cycle)
        else:
            groups.append([cycle])
    return ", ".join(str(g[0]) if len(g) == 1 else f"{g[0]}–{g[-1]}" for g in groups)


@dataclass(frozen=True)
class BinRow:
    low: float
    high: float
    counts: list[int]


@dataclass(frozen=True)
class CutRow:
    value: float
    lower: str
    upper: str


def histogram_rows(report: CalibrationRunReport, fit: FitReport) -> list[BinRow | CutRow]:
    """Bins that hold units, lowest first, with a row for each cut point of `fit` where it falls."""
    edges, tiers = report.histogram.edges, list(report.histogram.counts)
    cuts = sorted(fit.cut_points, key=lambda c: c.value)
    rows: list[BinRow | CutRow] = []
    for k in range(len(edges) - 1):
        while cuts and cuts[0].value < edges[k]:
            cut = cuts.pop(0)
            rows.append(CutRow(cut.value, cut.lower, cut.upper))
        counts = [report.histogram.counts[tier][k] for tier in tiers]
        if any(counts):
            rows.append(BinRow(edges[k], edges[k + 1], counts))
    rows += [CutRow(c.value, c.lower, c.upper) for c in cuts]
    return rows
