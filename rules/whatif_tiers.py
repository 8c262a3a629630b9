"""What-if for an index definition or a calibration draft: tier transitions over past evaluation records.

The caller scores the same records twice (published definition/calibration, then the
draft) with `scoring.engine.score_table` and hands the two tier lists here; this module
only compares them, so it needs no scoring import (the CLI and the service do the wiring).
Tables: the tier transition matrix overall and per cycle, counts per cycle and kelurahan
(moved up, moved down), and every unit whose tier changed. Reports as for rule what-ifs:
XLSX (one sheet per table), CSV and a PNG chart, Bahasa Indonesia first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from knowledge.tables import sheet_row
from rules.whatif_report import atomic_write, write_csv_tables

NOT_SCORED = "tidak_dinilai"


def _matrix(pairs: list[tuple[str, str]], tiers: list[str]) -> dict[str, dict[str, int]]:
    counts = Counter(pairs)
    return {b: {a: counts.get((b, a), 0) for a in tiers} for b in tiers}


def tier_transitions(rows: Sequence[dict[str, Any]], before: Sequence[str | None], after: Sequence[str | None],
                     tiers: Sequence[str], *, before_label: str, after_label: str,
                     synthetic: bool = False) -> dict[str, Any]:
    """Compare two tier assignments of the same records (row-aligned); `None` means not scored."""
    order = [*tiers, NOT_SCORED]
    rank = {t: i for i, t in enumerate(tiers)}
    units: list[dict[str, Any]] = []
    for row, b, a in zip(rows, before, after, strict=True):
        units.append({"cycle": row.get("cycle"), "kecamatan": row.get("kecamatan"), "kelurahan": row.get("kelurahan"),
                      "rw": row.get("rw"), "before": b or NOT_SCORED, "after": a or NOT_SCORED})
    units.sort(key=lambda u: (u["cycle"], str(u["kecamatan"]), str(u["kelurahan"]), u["rw"] or 0))
    by_cycle: dict[Any, list[Any]] = defaultdict(list)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for u in units:
        by_cycle[u["cycle"]].append((u["before"], u["after"]))
        key = (u["cycle"], u["kecamatan"], u["kelurahan"])
        g = groups.setdefault(key, {"cycle": key[0], "kecamatan": key[1], "kelurahan": key[2], "units": 0,
                                    "changed": 0, "up": 0, "down": 0})
        g["units"] += 1
        if u["before"] != u["after"]:
            g["changed"] += 1
            if u["before"] in rank and u["after"] in rank:
                g["up" if rank[u["after"]] > rank[u["before"]] else "down"] += 1
    changed = [u for u in units if u["before"] != u["after"]]
    return {
        "kind": "whatif-tiers", "synthetic": synthetic,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "baseline": {"label": before_label}, "draft": {"label": after_label},
        "tiers": order, "cycles": sorted({u["cycle"] for u in units}),
        "transitions": {"all": _matrix([(u["before"], u["after"]) for u in units], order),
                        "by_cycle": {str(c): _matrix(p, order) for c, p in sorted(by_cycle.items())}},
        "kelurahan": [groups[k] for k in sorted(groups, key=lambda k: (k[0], str(k[1]), str(k[2])))],
        "changed": changed,
        "totals": {"units": len(units), "changed": len(changed),
                   "up": sum(g["up"] for g in groups.values()), "down": sum(g["down"] for g in groups.values())},
    }


def tier_tables(report: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    tiers = report["tiers"]
    rows = []
    for label, matrix in [("semua / all", report["transitions"]["all"]), *sorted(report["transitions"]["by_cycle"].items())]:
        rows += [[f"{label}: {b}"] + [matrix[b][a] for a in tiers] for b in tiers]
    summary = [["Versi terbit / published", report["baseline"]["label"]], ["Draf / draft", report["draft"]["label"]],
               ["Sumber data / data source", "SINTETIS / synthetic" if report["synthetic"] else "data tersimpan / stored"],
               ["Unit / units", report["totals"]["units"]], ["Tingkat berubah / tier changed", report["totals"]["changed"]],
               ["Naik / up", report["totals"]["up"]], ["Turun / down", report["totals"]["down"]]]
    return {
        "ringkasan": (["Butir / item", "Nilai / value"], summary),
        "transisi": (["Sebelum \\ sesudah / before \\ after", *tiers], rows),
        "kelurahan": (["Siklus / cycle", "Kecamatan", "Kelurahan", "Unit / units", "Berubah / changed",
                       "Naik / up", "Turun / down"],
                      [[g["cycle"], g["kecamatan"], g["kelurahan"], g["units"], g["changed"], g["up"], g["down"]]
                       for g in report["kelurahan"]]),
        "berubah": (["Siklus / cycle", "Kecamatan", "Kelurahan", "RW", "Sebelum / before", "Sesudah / after"],
                    [[u["cycle"], u["kecamatan"], u["kelurahan"], u["rw"], u["before"], u["after"]]
                     for u in report["changed"]]),
    }


def write_tier_report(report: dict[str, Any], directory: str | Path) -> list[Path]:
    """tingkat.xlsx (one sheet per table), one CSV per table and tingkat_transisi.png in `directory`."""
    from openpyxl import Workbook

    d = Path(directory)
    tables = tier_tables(report)
    wb = Workbook()
    for sheet in wb.worksheets:  # the default sheet: every sheet is named after its table
        wb.remove(sheet)
    for name, (header, rows) in tables.items():
        ws = wb.create_sheet(name)
        ws.append(sheet_row(header))
        for row in rows:
            ws.append(sheet_row(row))
    written = [d / "tingkat.xlsx"]
    atomic_write(written[0], wb.save)
    written += write_csv_tables(tables, d, prefix="tingkat_")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tiers = report["tiers"]
    grid = [[report["transitions"]["all"][b][a] for a in tiers] for b in tiers]
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(grid, cmap="Greens")
    ax.set_xticks(range(len(tiers)), tiers, rotation=30, ha="right")
    ax.set_yticks(range(len(tiers)), tiers)
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center")
    ax.set_xlabel("Sesudah (draf) / after (draft)")
    ax.set_ylabel("Sebelum (terbit) / before (published)")
    tag = " (SINTETIS / synthetic)" if report["synthetic"] else ""
    ax.set_title(f"Transisi tingkat / tier transitions{tag}")
    fig.tight_layout()
    target = d / "tingkat_transisi.png"
    atomic_write(target, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    plt.close(fig)
    written.append(target)
    return written
