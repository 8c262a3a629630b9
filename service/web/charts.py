"""Chart geometry for the pages' inline SVG: stacked tier-share bars, paired bars, heat tables.

Only numbers and positions are computed here; the templates draw them and always put the
same figures in a table next to the chart, for screen readers and for printing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

# Colour-blind-safe, distinguishable in greyscale, dark text readable on each (WCAG AA).
TIER_COLOURS = ("#f4a582", "#fddbc7", "#92c5de", "#4393c3", "#2166ac", "#053061")
BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 180, 640


def tier_shares(units: Iterable[Mapping[str, Any]], by: str, tiers: list[tuple[int, str]]) -> dict[str, Any]:
    """Share of units in each tier, one stacked bar per value of `by` (e.g. kelurahan, cycle)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for unit in units:
        if unit.get("tier") is None:
            continue
        counts[str(unit.get(by))][int(unit["tier"])] += 1
    bars = []
    span = CHART_WIDTH - LABEL_WIDTH
    for row, label in enumerate(sorted(counts)):
        total = sum(counts[label].values())
        x: float = LABEL_WIDTH
        segments = []
        for tier, name in tiers:
            n = counts[label].get(tier, 0)
            width = span * n / total if total else 0.0
            segments.append({"tier": tier, "name": name, "count": n, "share": n / total if total else 0,
                             "x": round(x, 2), "width": round(width, 2),
                             "colour": TIER_COLOURS[tier % len(TIER_COLOURS)]})
            x += width
        bars.append({"label": label, "total": total, "y": row * (BAR_HEIGHT + GAP), "segments": segments})
    height = max(1, len(bars)) * (BAR_HEIGHT + GAP)
    return {"bars": bars, "height": height, "width": CHART_WIDTH, "bar_height": BAR_HEIGHT,
            "label_width": LABEL_WIDTH, "tiers": [(t, n, TIER_COLOURS[t % len(TIER_COLOURS)]) for t, n in tiers]}


def paired_bars(items: list[tuple[str, int, int]]) -> dict[str, Any]:
    """Before/after bars per label (what-if: how often each rule fired before and after)."""
    top = max([max(b, a) for _, b, a in items] or [1]) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 40
    rows = []
    for i, (label, before, after) in enumerate(items):
        y = i * (2 * BAR_HEIGHT + GAP)
        rows.append({"label": label, "before": before, "after": after, "y": y,
                     "w_before": round(span * before / top, 2), "w_after": round(span * after / top, 2)})
    height = max(1, len(rows)) * (2 * BAR_HEIGHT + GAP)
    return {"rows": rows, "height": height, "width": CHART_WIDTH, "label_width": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT}


def matrix_cells(matrix: Mapping[str, Mapping[str, int]], order: list[str]) -> list[list[dict[str, Any]]]:
    """A transition matrix as rows of cells with a shade in 0..1 (the largest count is 1)."""
    top = max([matrix.get(b, {}).get(a, 0) for b in order for a in order] or [0]) or 1
    return [[{"before": b, "after": a, "value": matrix.get(b, {}).get(a, 0),
              "shade": round(matrix.get(b, {}).get(a, 0) / top, 3), "diagonal": a == b} for a in order]
            for b in order]


def share_bars(counts: Iterable[tuple[Any, int | None, int]], tiers: list[tuple[int, str]]) -> dict[str, Any]:
    """`tier_shares` from counts already made in the database: (value, tier, count) rows."""
    units: list[dict[str, Any]] = []
    for value, tier, n in counts:
        units.extend([{"by": value, "tier": tier}] * n)
    return tier_shares(units, "by", tiers)
