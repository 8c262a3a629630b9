"""Cross-field checks of an index definition, each problem naming the field at fault.

Pydantic checks each field on its own; these checks need the whole definition (a dimension
an indicator names must exist, tiers must be ordered, weights must sum to a positive number).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from knowledge.errors import Problem

if TYPE_CHECKING:
    from knowledge.indices import IndexDefinition

RESERVED_COLUMNS = ("evaluator_tier",)


def _duplicates(values: list[str]) -> set[str]:
    return {v for v, n in Counter(values).items() if n > 1}


def _indicator_problems(d: IndexDefinition) -> list[Problem]:
    out: list[Problem] = []
    dims = {x.id: x for x in d.dimensions}
    for n, ind in enumerate(d.indicators):
        at = f"indicators[{n}]"
        if ind.dimension not in dims:
            out.append(Problem(f"{at}.dimension",
                               f"dimensi '{ind.dimension}' tidak dikenal; yang ada: {', '.join(dims)}",
                               f"unknown dimension '{ind.dimension}'; defined: {', '.join(dims)}"))
        lo, hi = ind.goalposts.low, ind.goalposts.high
        if not lo < hi:
            out.append(Problem(f"{at}.goalposts.high", f"batas atas ({hi}) harus lebih besar dari batas bawah ({lo})",
                               f"high goalpost ({hi}) must be greater than low ({lo})"))
        vr = ind.valid_range
        if vr.min is not None and vr.max is not None and not vr.min < vr.max:
            out.append(Problem(f"{at}.valid_range.max", "rentang sah: max harus lebih besar dari min",
                               "valid range: max must be greater than min"))
        if ind.transform == "log" and (lo <= 0 or vr.min is None or vr.min <= 0):
            out.append(Problem(f"{at}.transform", "transformasi log memerlukan batas bawah dan nilai minimum sah > 0",
                               "a log transform needs a low goalpost and a valid minimum > 0"))
        cut = ind.adequacy_cutoff
        if cut is not None and ((vr.min is not None and cut < vr.min) or (vr.max is not None and cut > vr.max)):
            out.append(Problem(f"{at}.adequacy_cutoff", "ambang kecukupan di luar rentang sah",
                               "adequacy cutoff lies outside the valid range"))
        dim = dims.get(ind.dimension)
        if dim is not None and dim.aggregation == "geometric" and not ind.goalposts.cap:
            out.append(Problem(f"{at}.goalposts.cap", "rata-rata geometrik memerlukan nilai terpotong (cap: true)",
                               "a geometric mean needs capped values (cap: true)"))
    return out


def _weight_problems(d: IndexDefinition) -> list[Problem]:
    out: list[Problem] = []
    if not sum(x.weight for x in d.dimensions) > 0:
        out.append(Problem("dimensions[*].weight", "jumlah bobot dimensi harus positif",
                           "dimension weights must sum to a positive number"))
    for n, dim in enumerate(d.dimensions):
        inds = [i for i in d.indicators if i.dimension == dim.id]
        if not inds:
            out.append(Problem(f"dimensions[{n}]", f"dimensi '{dim.id}' tidak mempunyai indikator",
                               f"dimension '{dim.id}' has no indicators"))
        elif not sum(i.weight for i in inds) > 0:
            out.append(Problem(f"dimensions[{n}].weight",
                               f"jumlah bobot indikator dimensi '{dim.id}' harus positif",
                               f"indicator weights of dimension '{dim.id}' must sum to a positive number"))
    return out


def _tier_problems(d: IndexDefinition) -> list[Problem]:
    out: list[Problem] = []
    cuts = d.tiers.cut_points
    need = len(d.tiers.levels) - 1
    if len(cuts) != need:
        out.append(Problem("tiers.cut_points", f"harus ada {need} titik potong untuk {need + 1} tingkat",
                           f"{need + 1} tiers need {need} cut points, got {len(cuts)}"))
    for n in range(1, len(cuts)):
        if not cuts[n].value > cuts[n - 1].value:
            out.append(Problem(f"tiers.cut_points[{n}].value", "titik potong harus naik tegas (urut)",
                               "cut points must be strictly increasing (tiers ordered)"))
    return out


def _column_problems(d: IndexDefinition) -> list[Problem]:
    out: list[Problem] = []
    for label, values in (("indicators", d.indicator_ids), ("dimensions", d.dimension_ids),
                          ("tiers.levels", d.tier_ids), ("id_columns", d.id_columns)):
        for dup in sorted(_duplicates(values)):
            out.append(Problem(label, f"id '{dup}' muncul lebih dari sekali", f"id '{dup}' appears more than once"))
    clash = (set(d.id_columns) & set(d.indicator_ids)) | (set(d.id_columns + d.indicator_ids) & set(RESERVED_COLUMNS))
    for name in sorted(clash):
        out.append(Problem("id_columns", f"kolom '{name}' dipakai dua kali atau nama cadangan",
                           f"column '{name}' is used twice or is a reserved name"))
    if d.cycle_column is not None and d.cycle_column not in d.id_columns:
        out.append(Problem("cycle_column", "kolom siklus harus salah satu id_columns",
                           "the cycle column must be one of id_columns"))
    md = d.missing_data
    for n, col in enumerate(md.group_columns):
        if col not in d.id_columns:
            out.append(Problem(f"missing_data.group_columns[{n}]", f"'{col}' bukan kolom identitas",
                               f"'{col}' is not an identifier column"))
    if "previous_cycle" in md.imputation and d.cycle_column is None:
        out.append(Problem("missing_data.imputation", "imputasi siklus sebelumnya memerlukan cycle_column",
                           "previous-cycle imputation needs a cycle_column"))
    if "group_mean" in md.imputation and not md.group_columns:
        out.append(Problem("missing_data.group_columns", "imputasi rata-rata kelompok memerlukan group_columns",
                           "group-mean imputation needs group_columns"))
    if d.counting is not None and not any(i.adequacy_cutoff is not None and i.weight > 0 for i in d.indicators):
        out.append(Problem("counting", "penghitungan Alkire–Foster memerlukan ambang kecukupan indikator",
                           "Alkire–Foster counting needs indicator adequacy cutoffs"))
    return out


def semantic_problems(d: IndexDefinition) -> list[Problem]:
    return _column_problems(d) + _indicator_problems(d) + _weight_problems(d) + _tier_problems(d)
