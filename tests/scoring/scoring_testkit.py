"""Shared builders for the scoring tests: definitions, a hand-checked ppm row, IDM fixture rows."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import yaml

from knowledge.indices import INDICES_DIR, parse_index_definition
from knowledge.tables import read_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IDM_PUBLISHED = ("iks", "ike", "ikl", "idm", "status")


@cache
def _definition_data(name: str) -> dict:
    return yaml.safe_load((INDICES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def definition_data(name: str) -> dict:
    """A fresh, editable copy of a shipped definition's YAML data."""
    return copy.deepcopy(_definition_data(name))


def definition_from(data: dict, source: str = "test.yaml"):
    return parse_index_definition(copy.deepcopy(data), source=source)


def hdi_2022_rows() -> tuple[list[dict], list[dict]]:
    """UNDP HDR 2023/24 indicator rows for 2022 (iso3, year, le, eys, mys, gnipc) and the published HDI and group."""
    rows = read_table(FIXTURES / "hdi_2022_sample.csv")
    published = [{k: r.pop(k) for k in ("country", "published_hdi", "published_group")} for r in rows]
    return rows, published


def idm_rows() -> tuple[list[dict], list[dict]]:
    """Indicator rows (kode_desa, tahun, 50 scores) and, aligned, the published values."""
    rows = read_table(FIXTURES / "idm_sample.csv")
    published = [{k: r.pop(k) for k in IDM_PUBLISHED} for r in rows]
    return rows, published


# One RW, values chosen so that each normalised value is easy to check by hand (see the test).
PPM_ROW = {
    "cycle": 2024, "kecamatan": "Cimahi Utara", "kelurahan": "Cibabat", "rw": 7,
    "musyawarah_attendance_rate": 0.15, "women_attendance_share": 0.4, "meetings_held": 3,
    "poor_beneficiary_share": 0.25, "disability_voice": 2, "vulnerable_proposals_share": 0.6,
    "swadaya_share": 0.1, "volunteer_hours_per_household": 10, "other_funding_share": 0.0,
    "realisation_rate": 1.2, "on_time_share": 0.9, "lpj_days_late": 45, "public_disclosure": 4,
    "assets_maintained_share": 0.7, "active_groups": 5, "umkm_income_change": 0.15, "satisfaction_score": 4,
}


def ppm_row(**changes) -> dict:
    row = dict(PPM_ROW)
    row.update(changes)
    return row
