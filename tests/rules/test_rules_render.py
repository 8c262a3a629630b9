"""Number formats and templates in Bahasa Indonesia and English."""

import datetime as dt

import pytest

from rules.render import fmt_date, fmt_value, render


@pytest.mark.parametrize("value, fmt, lang, text", [
    (75000000, "rupiah", "id", "Rp 75.000.000"),
    (75000000, "rupiah", "en", "Rp 75,000,000"),
    (0.3, "pct", "id", "30%"),
    (0.125, "pct", "id", "12,5%"),
    (0.125, "pct", "en", "12.5%"),
    (1234.5, "num", "id", "1.234,50"),
    (1234.5, "num", "en", "1,234.50"),
    (1234.6, "int", "id", "1.235"),
    (-1500, "int", "id", "-1.500"),
    (True, None, "id", "ya"),
    (["rab", "daftar_hadir"], None, "en", "rab, daftar_hadir"),
])
def test_formats(value, fmt, lang, text):
    assert fmt_value(value, fmt, lang) == text


def test_indonesian_dates():
    assert fmt_date(dt.date(2022, 2, 14), "id") == "14 Februari 2022"
    assert fmt_date(dt.date(2022, 2, 14), "en") == "14 February 2022"


def test_templates_fill_facts_parameters_and_leave_unknown_names_visible():
    values = {"ppm_total": 80000000, "param.pagu_per_rw": 75000000}
    assert render("Dana {ppm_total:rupiah} > {param.pagu_per_rw:rupiah} ({x})", values, "id") == \
        "Dana Rp 80.000.000 > Rp 75.000.000 ({x})"
