"""What-if for an index definition or a calibration draft: tier transitions over past evaluation records.

`index_whatif` scores the same records twice (published definition/calibration, then the
draft) with `scoring.engine.score_table`; `tier_transitions` compares two tier lists. Tables:
the tier transition matrix overall and per cycle, counts per cycle and kelurahan (moved up,
moved down), and every unit whose tier changed. Reports as for rule what-ifs:
XLSX (one sheet per table), CSV and a PNG chart, Bahasa Indonesia first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from calibration.artifact import load_artifact
from knowledge.indices import load_index_definition
from policy.reports import TierReport
from policy.whatif_report import Table, write_csv_tables, write_matrix_chart, write_tables_xlsx
from scoring.engine import score_table

NOT_SCORED = "tidak_dinilai"


def _matrix(pairs: list[tuple[str, str]], tiers: list[str]) -> dict[str, dict[str, int]]:
    counts = Counter(pairs)
    return {b: {a: counts.get((b, a), 0) for a in tiers} for b in tiers}


def tier_transitions(rows: Sequence[dict[str, Any]], before: Sequence[str | None], after: Sequence[str | None],
                     tiers: Sequence[str], *, before_label: str, after_label: str,
                     synthetic: bool = False) -> TierReport:
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
    return TierReport.model_validate({
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
    })


def index_whatif(rows: list[dict[str, Any]], *, baseline_index: str, draft_index: str,
                 baseline_calibration: Path | None, draft_calibration: Path | None, synthetic: bool) -> TierReport:
    """Score the same evaluation records under the published and the draft index/calibration; compare tiers."""
    ids = ("cycle", "kecamatan", "kelurahan", "rw")
    runs = []
    for index, cal in ((baseline_index, baseline_calibration), (draft_index, draft_calibration)):
        definition = load_index_definition(index)
        artifact = load_artifact(cal) if cal else None
        table = score_table(definition, rows, calibration=artifact, id_columns=ids)
        label = f"{definition.name} {definition.content_hash()[:19]}" + (f" + {artifact['id']}" if artifact else "")
        runs.append(([u["tier_id"] for u in table.units], definition, label))
    (before, definition, before_label), (after, _, after_label) = runs
    return tier_transitions(rows, before, after, definition.tier_ids, before_label=before_label,
                            after_label=after_label, synthetic=synthetic)


def tier_tables(report: TierReport) -> dict[str, Table]:
    tiers = report.tiers
    rows: list[list[Any]] = []
    for label, matrix in [("semua / all", report.transitions.all), *sorted(report.transitions.by_cycle.items())]:
        rows += [[f"{label}: {b}"] + [matrix[b][a] for a in tiers] for b in tiers]
    t = report.totals
    summary: list[list[Any]] = [["Versi terbit / published", report.baseline["label"]], ["Draf / draft", report.draft["label"]],
               ["Sumber data / data source", "SINTETIS / synthetic" if report.synthetic else "data tersimpan / stored"],
               ["Unit / units", t.units], ["Tingkat berubah / tier changed", t.changed],
               ["Naik / up", t.up], ["Turun / down", t.down]]
    return {
        "ringkasan": (["Butir / item", "Nilai / value"], summary),
        "transisi": (["Sebelum \\ sesudah / before \\ after", *tiers], rows),
        "kelurahan": (["Siklus / cycle", "Kecamatan", "Kelurahan", "Unit / units", "Berubah / changed",
                       "Naik / up", "Turun / down"],
                      [[g.cycle, g.kecamatan, g.kelurahan, g.units, g.changed, g.up, g.down] for g in report.kelurahan]),
        "berubah": (["Siklus / cycle", "Kecamatan", "Kelurahan", "RW", "Sebelum / before", "Sesudah / after"],
                    [[u.cycle, u.kecamatan, u.kelurahan, u.rw, u.before, u.after] for u in report.changed]),
    }


def write_tier_report(report: TierReport, directory: str | Path) -> list[Path]:
    """tingkat.xlsx (one sheet per table), one CSV per table and tingkat_transisi.png in `directory`."""
    d = Path(directory)
    tables = tier_tables(report)
    written = [write_tables_xlsx(tables, d / "tingkat.xlsx")]
    written += write_csv_tables(tables, d, prefix="tingkat_")
    tiers = report.tiers
    tag = " (SINTETIS / synthetic)" if report.synthetic else ""
    written.append(write_matrix_chart([[report.transitions.all[b][a] for a in tiers] for b in tiers], tiers,
                                      f"Transisi tingkat / tier transitions{tag}", d / "tingkat_transisi.png",
                                      cmap="Greens"))
    return written
