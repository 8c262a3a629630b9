"""Properties that must hold for any input (hypothesis): monotonicity, row order, weight scale."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.indices import load_index_definition
from scoring.engine import score_matrix, score_table
from tests.scoring.scoring_testkit import definition_data, definition_from, ppm_row

DEFS = {name: load_index_definition(name) for name in ("ppm", "idm", "hdi")}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNBOUNDED_MAX = 200_000.0   # only HDI income has no upper bound


def bounds(ind):
    lo = ind.valid_range.min if ind.valid_range.min is not None else 0.0
    hi = ind.valid_range.max if ind.valid_range.max is not None else UNBOUNDED_MAX
    return lo, hi


def row_values(defn):
    return st.tuples(*[st.floats(*bounds(i), allow_nan=False) for i in defn.indicators])


@st.composite
def unit_and_raise(draw, name):
    defn = DEFS[name]
    x = np.array(draw(row_values(defn)), dtype=float)
    j = draw(st.integers(0, len(defn.indicators) - 1))
    t = draw(st.floats(0, 1))
    ind = defn.indicators[j]
    lo, hi = bounds(ind)
    y = x.copy()
    y[j] = min(hi, x[j] + t * (hi - x[j])) if ind.direction == "positive" else max(lo, x[j] - t * (x[j] - lo))
    return defn, x, y


@pytest.mark.parametrize("name", ["ppm", "idm", "hdi"])
@SETTINGS
@given(data=st.data())
def test_raising_an_indicator_in_its_good_direction_never_lowers_score_or_tier(name, data):
    defn, x, y = data.draw(unit_and_raise(name))
    before, after = score_matrix(defn, x[None, :]), score_matrix(defn, y[None, :])
    assert after.score[0] >= before.score[0]
    assert after.tier[0] >= before.tier[0]


PPM_IDS = DEFS["ppm"].indicator_ids


@st.composite
def ppm_table(draw):
    n = draw(st.integers(2, 8))
    rows = []
    for k in range(n):
        values = draw(row_values(DEFS["ppm"]))
        row = ppm_row(cycle=draw(st.sampled_from([2023, 2024])), rw=k + 1,
                      kelurahan=draw(st.sampled_from(["Cibabat", "Citeureup"])), **dict(zip(PPM_IDS, values)))
        for col in draw(st.lists(st.sampled_from(PPM_IDS), max_size=3, unique=True)):
            row[col] = None                       # gaps exercise the imputation paths
        rows.append(row)
    keys = [(r["cycle"], r["kelurahan"], r["rw"]) for r in rows]
    if len(set(keys)) < len(keys):
        rows = [dict(r, rw=k + 1, cycle=2023 + k % 2) for k, r in enumerate(rows)]
    return rows


def by_unit(table):
    return {(u["cycle"], u["kelurahan"], u["rw"]): u for u in table.units}


@SETTINGS
@given(rows=ppm_table(), data=st.data())
def test_row_order_does_not_change_any_units_result(rows, data):
    shuffled = data.draw(st.permutations(rows))
    a, b = by_unit(score_table(DEFS["ppm"], rows, explain=True)), by_unit(score_table(DEFS["ppm"], shuffled, explain=True))
    assert a.keys() == b.keys()
    for key, u in a.items():
        v = b[key]
        assert (u["tier"], u["imputed"], u["not_scored_reason"]) == (v["tier"], v["imputed"], v["not_scored_reason"])
        if u["score"] is None:
            assert v["score"] is None
        else:
            assert v["score"] == pytest.approx(u["score"], rel=1e-12, abs=1e-14)
            assert [s["indicator"] for s in (u["next_tier"] or {}).get("steps", [])] == \
                   [s["indicator"] for s in (v["next_tier"] or {}).get("steps", [])]


@pytest.mark.parametrize("name", ["ppm", "idm", "hdi"])
@SETTINGS
@given(data=st.data(), c=st.floats(1e-3, 1e3))
def test_scaling_all_weights_by_a_constant_changes_nothing(name, data, c):
    defn = DEFS[name]
    X = np.array([data.draw(row_values(defn)) for _ in range(3)], dtype=float)
    scaled_data = definition_data(name)
    for item in scaled_data["indicators"] + scaled_data["dimensions"]:
        item["weight"] = item["weight"] * c
    scaled = definition_from(scaled_data)
    a, b = score_matrix(defn, X), score_matrix(scaled, X)
    np.testing.assert_allclose(b.score, a.score, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.dimensions, a.dimensions, rtol=1e-12, atol=1e-14)
    assert b.tier.tolist() == a.tier.tolist()
