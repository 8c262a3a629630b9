"""The scores page over stored runs: filters, sort and pages in the query string; tier decisions from the
table; the calibration page (in force, override rates) and the transitions `/skor` shows (synthetic data)."""

from __future__ import annotations

import html
import re

from tests.service.helpers import artifact
from tests.service.web.helpers import csrf_of, finished_run, records_csv, sign_in, synthetic_records


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def uploaded(client, keys, rows) -> tuple[str, str]:
    sign_in(client, keys["evaluator"])
    token = csrf_of(client.get("/skor").text)
    page = finished_run(client, client.post("/skor", data={"csrf_token": token},
                                            files={"file": ("evaluasi.csv", records_csv(rows), "text/csv")}))
    return re.search(r"/skor/unduh/([0-9a-f]{16})\.xlsx", page.text).group(1), token


def table_rows(page: str) -> list[str]:
    body = re.search(r'<table id="units">.*?</table>', page, re.S).group(0)
    return re.findall(r'data-rw="([^"]+)"', body)


def test_filters_sort_and_pages_are_query_parameters_over_the_stored_run(client, keys):
    rows = synthetic_records(60)
    run_id, _ = uploaded(client, keys, rows)
    first = client.get(f"/skor?run={run_id}")
    assert len(table_rows(first.text)) == 50 and 'id="next-page"' in first.text
    second = client.get(f"/skor?run={run_id}&page=2")
    assert len(table_rows(second.text)) == 10 and not set(table_rows(second.text)) & set(table_rows(first.text))
    kelurahan = rows[0]["kelurahan"]
    only = client.get(f"/skor?run={run_id}&kelurahan={kelurahan}&sort=rw&order=desc")
    expected = sorted((r["rw"] for r in rows if r["kelurahan"] == kelurahan), reverse=True)
    assert [int(x.split("-")[1]) for x in table_rows(only.text)] == expected
    tier0 = client.get(f"/skor?run={run_id}&tier=0&borderline=tidak&q={kelurahan[:4].lower()}")
    assert tier0.status_code == 200 and all(x.startswith(kelurahan) for x in table_rows(tier0.text))
    nonsense = client.get(f"/skor?run={run_id}&sort=drop+table&page=x&tier=banyak")
    assert nonsense.status_code == 200 and len(table_rows(nonsense.text)) == 50


def test_the_filter_form_sorts_too_so_a_phone_without_column_headers_can_sort(client, keys):
    """On a phone the units are cards and the column headers (the sort links) are hidden: the filter
    form chooses the sort in words and keeps the one chosen."""
    run_id, _ = uploaded(client, keys, synthetic_records(8))
    page = client.get(f"/skor?run={run_id}&sort=score&order=desc").text
    form = re.search(r'<form method="get" action="/skor" class="filters" id="filters">.*?</form>', page, re.S).group(0)
    assert re.search(r'<option value="score" selected>Skor</option>', form)
    assert re.search(r'<option value="desc" selected>Turun \(besar ke kecil, Z ke A\)</option>', form)
    assert 'for="f-sort">Urutkan menurut<' in form and 'for="f-order">Arah urutan<' in form
    scores = [float(s.replace(",", ".")) for s in re.findall(r'data-label="Skor">([0-9,]+)<', page)]
    assert len(scores) == 8 and scores == sorted(scores, reverse=True)
    assert 'class="table-wrap cards-on-phone" id="units-wrap"' in page


def _decide(client, token, run_id, row, tier, reason=""):
    return client.post("/skor/tingkat", data={
        "csrf_token": token, "run": run_id, "d_cycle": row["cycle"], "d_kelurahan": row["kelurahan"],
        "d_rw": row["rw"], "d_tier": tier, "d_reason": reason}, follow_redirects=False)


def test_tier_decisions_from_the_table_need_a_reason_to_differ_and_a_closed_cycle_refuses(client, app, keys):
    rows = synthetic_records(4)
    run_id, token = uploaded(client, keys, rows)
    units = client.get(f"/v1/score-runs/{run_id}/units", headers={"Authorization": f"Bearer {keys['evaluator']}"})
    unit = units.json()["items"][0]
    other = (unit["tier"] + 1) % 4
    missing = _decide(client, token, run_id, rows[0], other)
    assert missing.status_code == 422 and "alasan wajib" in text_of(missing.text)
    done = _decide(client, token, run_id, rows[0], other, "kunjungan lapangan")
    assert done.status_code == 303 and done.headers["location"].startswith(f"/skor?run={run_id}")
    shown = client.get(done.headers["location"])
    assert "diputuskan" in text_of(shown.text)
    headers = {"Authorization": f"Bearer {keys['policy']}"}
    assert client.post(f"/v1/cycles/{rows[1]['cycle']}/closure", json={"reason": "evaluasi selesai"},
                       headers=headers).status_code == 201
    closed = _decide(client, token, run_id, rows[1], 0, "terlambat")
    assert closed.status_code == 409 and "ditutup" in text_of(closed.text)
    decisions = client.get("/v1/tier-decisions", params={"history": "true"}, headers=headers).json()
    assert [(d["rw"], d["final_tier"], d["reason"]) for d in decisions] == [(rows[0]["rw"], other, "kunjungan lapangan")]


def test_a_tier_decision_is_confirmed_in_words_at_its_row_and_a_refusal_names_the_field(client, keys):
    rows = synthetic_records(4)
    run_id, token = uploaded(client, keys, rows)
    units = client.get(f"/v1/score-runs/{run_id}/units", headers={"Authorization": f"Bearer {keys['evaluator']}"})
    unit = next(u for u in units.json()["items"] if (u["kelurahan"], u["rw"]) == (rows[0]["kelurahan"], rows[0]["rw"]))
    other = (unit["tier"] + 1) % 4
    missing = client.post("/skor/tingkat", data={
        "csrf_token": token, "run": run_id, "d_cycle": rows[0]["cycle"], "d_kelurahan": rows[0]["kelurahan"],
        "d_rw": rows[0]["rw"], "d_unit": unit["unit_id"], "d_tier": other, "d_reason": ""})
    problems = text_of(re.search(r'<section class="problems".*?</section>', missing.text, re.S).group(0))
    assert (f"Tingkat RW {rows[0]['rw']} {rows[0]['kelurahan']} {rows[0]['cycle']} tidak disimpan (1 masalah)"
            in problems) and "Data tidak dapat dinilai" not in problems
    assert "Alasan: alasan wajib" in problems and "reason" not in problems
    saved = client.post("/skor/tingkat", data={
        "csrf_token": token, "run": run_id, "d_cycle": rows[0]["cycle"], "d_kelurahan": rows[0]["kelurahan"],
        "d_rw": rows[0]["rw"], "d_unit": unit["unit_id"], "d_tier": other, "d_reason": "kunjungan lapangan"},
        follow_redirects=False)
    assert saved.headers["location"].endswith(f"#u-{unit['unit_id']}")  # back at the row decided
    shown = client.get(saved.headers["location"])
    assert f'id="u-{unit["unit_id"]}"' in shown.text
    name = re.search(rf'<option value="{other}"[^>]*>([^<]+)</option>', shown.text).group(1)
    notice = text_of(re.search(r'<p class="notice" role="status" id="decided">.*?</p>', shown.text, re.S).group(0))
    assert notice.strip() == (f"Tingkat RW {rows[0]['rw']} {rows[0]['kelurahan']} {rows[0]['cycle']} disimpan: "
                              f"{name} (alasan: kunjungan lapangan).")


def test_a_refused_tier_decision_keeps_the_view_it_was_made_in_and_the_row_as_chosen(client, keys):
    """A missing reason refuses the decision on the same filtered, sorted view (not the run's first 50 rows),
    with the chosen tier still selected and the typed reason kept, and links that still lead to /skor."""
    rows = synthetic_records(60)
    run_id, token = uploaded(client, keys, rows)
    kelurahan = rows[0]["kelurahan"]
    units = client.get(f"/v1/score-runs/{run_id}/units", params={"kelurahan": kelurahan, "limit": 100},
                       headers={"Authorization": f"Bearer {keys['evaluator']}"}).json()["items"]
    unit = units[-1]
    row = next(r for r in rows if (r["kelurahan"], r["rw"], r["cycle"]) == (unit["kelurahan"], unit["rw"], unit["cycle"]))
    other = (unit["tier"] + 2) % 4
    refused = client.post("/skor/tingkat", data={
        "csrf_token": token, "run": run_id, "kelurahan": kelurahan, "sort": "rw", "order": "desc",
        "d_cycle": row["cycle"], "d_kelurahan": row["kelurahan"], "d_rw": row["rw"], "d_unit": unit["unit_id"],
        "d_tier": other, "d_reason": ""})
    assert refused.status_code == 422
    shown = table_rows(refused.text)
    expected = sorted((r["rw"] for r in rows if r["kelurahan"] == kelurahan), reverse=True)
    assert [int(x.split("-")[1]) for x in shown] == expected  # the kelurahan filter and the sort are kept
    form = re.search(rf'<tr id="u-{unit["unit_id"]}".*?</tr>', refused.text, re.S).group(0)
    assert re.search(rf'<option value="{other}" selected>', form)  # the tier as chosen, not the computed one
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*name="d_reason"[^>]*>', form).group(0)
    assert re.findall(r'<a href="(/[^"?]*)\?[^"]*sort=', refused.text) and \
        set(re.findall(r'<a href="(/[^"?]*)\?[^"]*sort=', refused.text)) == {"/skor"}  # never GET /skor/tingkat
    typed = client.post("/skor/tingkat", data={
        "csrf_token": token, "run": run_id, "kelurahan": kelurahan, "d_cycle": 1990, "d_kelurahan": row["kelurahan"],
        "d_rw": row["rw"], "d_unit": unit["unit_id"], "d_tier": other, "d_reason": "kunjungan lapangan"})
    form = re.search(rf'<tr id="u-{unit["unit_id"]}".*?</tr>', typed.text, re.S).group(0)
    assert typed.status_code >= 400 and 'value="kunjungan lapangan"' in form  # a typed reason is never lost


def test_policy_puts_a_calibration_in_force_and_skor_shows_the_transitions(client, app, keys):
    rows = synthetic_records(6)
    run_id, _ = uploaded(client, keys, rows)
    high = artifact((0.97, 0.98, 0.99))
    assert client.post("/v1/calibrations", json=high,
                       headers={"Authorization": f"Bearer {keys['evaluator']}"}).status_code == 201
    page = client.get("/kalibrasi")
    assert high["id"] in page.text and 'id="enact"' not in page.text  # evaluators propose, policy enacts
    refused = client.post("/kalibrasi/berlakukan", data={"csrf_token": csrf_of(page.text), "calibration_id": high["id"],
                                                         "from_cycle": 2024, "reason": "coba"})
    assert refused.status_code == 403
    client.post("/keluar", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, keys["policy"])
    page = client.get("/kalibrasi")
    no_reason = client.post("/kalibrasi/berlakukan", data={"csrf_token": csrf_of(page.text),
                                                           "calibration_id": high["id"], "from_cycle": 2024})
    assert no_reason.status_code == 422
    enacted = client.post("/kalibrasi/berlakukan", data={"csrf_token": csrf_of(page.text), "calibration_id": high["id"],
                                                         "from_cycle": 2024, "reason": "rapat evaluasi 2024"})
    history = re.search(r'<table id="in-force-history">.*?</table>', enacted.text, re.S).group(0)
    assert high["id"] in history and "rapat evaluasi 2024" in history
    client.post("/keluar", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, keys["evaluator"])
    skor = text_of(client.get(f"/skor?run={run_id}").text)
    assert f"{high['id']} : kalibrasi ini kini berlaku untuk siklus 2024" in skor
    moved = sum(1 for r in rows)  # every synthetic unit scores below 0.97: all fall to the lowest tier or stay
    assert f"dari {moved} RW berpindah tingkat" in skor


def test_the_upload_form_lists_the_columns_a_file_needs_in_words_with_their_headers(client, app, keys):
    sign_in(client, keys["evaluator"])
    page = client.get("/skor").text
    listed = re.search(r'<ul class="help columns" id="records-file-columns">(.*?)</ul>', page, re.S).group(1)
    items = re.findall(r"<li>([^<:]+): <code>([a-z_]+)</code></li>", listed)
    definition = app.state.services.engines.definition()
    expected = [("Siklus", "cycle"), ("Kecamatan", "kecamatan"), ("Kelurahan", "kelurahan"), ("RW", "rw"),
                *((ind.name.id, ind.id) for ind in definition.indicators),
                ("Tingkat dari penilai (boleh kosong)", "evaluator_tier")]
    assert [(html.unescape(w), c) for w, c in items] == expected
