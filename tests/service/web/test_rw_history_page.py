"""The page of an RW's history (/skor/rw/{kelurahan}/{rw}): linked from the scores table, in words, with
the advice of each cycle and whether it was followed; a bilingual 404 for an RW without stored scores; only
the roles that may read scores (synthetic records)."""

from __future__ import annotations

import re

from tests.service.helpers import advice_records
from tests.service.web.helpers import csrf_of, finished_run, records_csv, sign_in
from tests.words import codes_in, visible_text


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def uploaded(client, keys) -> str:
    sign_in(client, keys["evaluator"])
    token = csrf_of(client.get("/skor").text)
    rows = [{**r, "synthetic": True} for r in advice_records()]
    page = finished_run(client, client.post("/skor", data={"csrf_token": token},
                                            files={"file": ("evaluasi.csv", records_csv(rows), "text/csv")}))
    return page.text


def test_the_scores_table_links_each_rw_to_its_history_in_words(client, keys):
    table = uploaded(client, keys)
    assert set(re.findall(r'href="(/skor/rw/[^"]+)"', table)) == {f"/skor/rw/Cibabat/{rw}" for rw in (1, 2, 3)}
    pages = {rw: client.get(f"/skor/rw/Cibabat/{rw}") for rw in (1, 2, 3)}
    assert {p.status_code for p in pages.values()} == {200}
    followed, not_followed, partly = (text_of(pages[rw].text) for rw in (1, 2, 3))
    assert "Riwayat RW 1 Kelurahan Cibabat" in followed and "Kecamatan Cimahi Utara" in followed
    assert "Diikuti. Pada siklus 2024, 2 dari 2 indikator yang disarankan bergerak sesuai saran." in followed
    assert ("Porsi dana pihak lain: 0,00 di siklus 2023 (saran: menuju 0,30) → 0,20 di siklus 2024, "
            "bergerak sesuai saran") in followed
    assert "Tidak diikuti. Pada siklus 2024, 0 dari 2" in not_followed
    assert "Keterlambatan LPJ (hari): 90,00 di siklus 2023 (saran: menuju 0,00) → 120,00 di siklus 2024, " \
           "tidak bergerak sesuai saran" in not_followed
    assert "Sebagian diikuti. Pada siklus 2024, 1 dari 2" in partly
    assert "Belum dapat dinilai" in followed and "Siklus 2023" in followed and "Siklus 2024" in followed
    assert "Untuk naik ke" in followed and "-60,00" in followed  # the advice; the LPJ's change, Indonesian numbers
    for page in pages.values():
        assert [(t, c) for t in visible_text(page.text) if (c := codes_in(t))] == []


def test_a_decided_tier_shows_who_decided_and_why(client, keys):
    uploaded(client, keys)
    token = csrf_of(client.get("/skor").text)
    decided = client.post("/skor/tingkat", data={"csrf_token": token, "d_cycle": "2023", "d_kelurahan": "Cibabat",
                                                 "d_rw": "1", "d_tier": "3", "d_reason": "kunjungan lapangan"},
                          follow_redirects=False)
    assert decided.status_code == 303, decided.text[:500]
    page = text_of(client.get("/skor/rw/Cibabat/1").text)
    assert "Madani , berbeda dari tingkat terhitung; diputuskan oleh web test evaluator pada" in page
    assert "Alasan: kunjungan lapangan" in page


def test_an_rw_without_stored_scores_is_a_bilingual_404(client, keys):
    uploaded(client, keys)
    for path, name in (("/skor/rw/Cibabat/9", "RW 9 Kelurahan Cibabat"), ("/skor/rw/Antah/x", "Kelurahan Antah")):
        missing = client.get(path)
        assert missing.status_code == 404
        text = text_of(missing.text)
        assert name in text and "tidak punya skor tersimpan" in text and "has no stored scores" in text


def test_only_roles_that_read_scores_see_an_rw_history(client, keys, app):
    uploaded(client, keys)
    client.cookies.clear()
    anonymous = client.get("/skor/rw/Cibabat/1", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/masuk")
    sign_in(client, keys["facilitator"])
    assert client.get("/skor/rw/Cibabat/1").status_code == 403
    client.cookies.clear()
    sign_in(client, keys["policy"])
    page = client.get("/skor/rw/Cibabat/1")
    assert page.status_code == 200 and "Siklus 2023" in page.text
    assert 'href="/skor"' not in page.text.split("<main", 1)[-1]  # no way back to a page policy staff cannot open
