"""The journey's lists and a proposal's page as a new user meets them: the newest cycle first, a page
at a time with the filters in the form; the decision form only for the reviewer who decides now; the
return note at the top; documents named in a revision's changes; each role's landing and menu.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import update

from service.models import StoredProposal
from service.web import journey_pages
from service.web.rendering import NAV
from tests.service.web.helpers import make_key, post_sign_in, valid_proposal
from tests.service.web.journey_helpers import flawed, post, submitted


def three_proposals(app, people) -> list[str]:
    """RW 5 and 6 in the fixture's cycle 2022, RW 7 moved to 2027 (stored synthetic rows), oldest first."""
    ids = []
    for rw in (5, 6, 7):
        proposal = valid_proposal()
        proposal["region"]["rw"] = rw
        ids.append(submitted(app, people, proposal))
    with app.state.services.db.session() as session, session.begin():
        session.execute(update(StoredProposal).where(StoredProposal.id == ids[2]).values(cycle=2027))
    return ids


def shown_ids(html: str) -> list[str]:
    return re.findall(r'data-proposal="([^"]+)"', html)


@pytest.mark.parametrize("who,path", [("kelurahan", "/tinjauan"), ("facilitator", "/proposal")])
def test_lists_show_the_newest_cycle_first_a_page_at_a_time(app, people, monkeypatch, who, path):
    monkeypatch.setattr(journey_pages, "PAGE_SIZE", 2)
    first, second, newest = three_proposals(app, people)
    page = people[who].get(path).text
    assert shown_ids(page) == [newest, second]  # 2027 first, then the latest change of 2022
    assert "Menampilkan 1-2 dari 3 proposal" in page and "Halaman 1 dari 2" in page
    assert re.search(rf'href="{path}\?page=2"', page)
    assert '<option value="2027">2027</option>' in page and '<option value="2022">2022</option>' in page
    assert shown_ids(people[who].get(f"{path}?page=2").text) == [first]
    filtered = people[who].get(f"{path}?cycle=2022&stage=kelurahan").text
    assert shown_ids(filtered) == [second, first] and "Menampilkan 1-2 dari 2 proposal" in filtered
    assert '<option value="2022" selected>' in filtered and '<option value="kelurahan" selected>' in filtered
    assert "Halaman 1 dari 1" in filtered and "?page=2" not in filtered


def test_the_decision_form_is_shown_only_to_the_reviewer_who_decides_now(app, people):
    pid = submitted(app, people, flawed())
    for who in ("dinas", "kecamatan"):
        page = people[who].get(f"/proposal/{pid}").text
        assert f'action="/proposal/{pid}/putusan"' not in page and f'action="/proposal/{pid}/pengecualian"' not in page
        assert "yang memutuskan di tahap ini peninjau kelurahan" in page
    kelurahan = people["kelurahan"].get(f"/proposal/{pid}").text
    assert f'action="/proposal/{pid}/putusan"' in kelurahan and 'id="who-decides"' not in kelurahan
    assert post(people["kelurahan"], f"/proposal/{pid}/putusan", {"outcome": "approve"}).status_code == 303
    after = people["kelurahan"].get(f"/proposal/{pid}").text
    assert f'action="/proposal/{pid}/putusan"' not in after and f'action="/proposal/{pid}/pengecualian"' not in after
    assert "yang memutuskan di tahap ini peninjau kecamatan" in after
    assert f'action="/proposal/{pid}/putusan"' in people["kecamatan"].get(f"/proposal/{pid}").text


def test_a_returned_proposal_shows_the_reviewers_note_at_the_top(app, people):
    pid = submitted(app, people, flawed())
    note = "Lengkapi daftar hadir musyawarah (SINTETIS)"
    assert post(people["kelurahan"], f"/proposal/{pid}/putusan", {"outcome": "return", "note": note}).status_code == 303
    page = people["facilitator"].get(f"/proposal/{pid}").text
    top = page[:page.index('id="check"')]
    assert 'id="return-note"' in top and note in top and "Catatan peninjau tahap Kelurahan" in top
    assert re.search(r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|"
                     r"Desember) \d{4}", top)


def test_documents_added_in_a_revision_are_named_not_counted_as_activities(app, people):
    proposal = valid_proposal()
    pid = submitted(app, people, proposal)
    assert post(people["kelurahan"], f"/proposal/{pid}/putusan", {"outcome": "return", "note": "Dokumen"}).status_code == 303
    proposal["documents"] += ["gambar_rencana", "berita_acara_perubahan"]
    files = {"file": ("revisi.json", json.dumps(proposal).encode(), "application/json")}
    assert post(people["facilitator"], f"/proposal/{pid}/revisi", {"kind": "revision"}, files=files).status_code == 303
    page = people["facilitator"].get(f"/proposal/{pid}").text
    revisions = page[page.index('id="revisions"'):page.index('id="timeline"')]
    assert "Dokumen terlampir: Gambar rencana" in revisions and "Dokumen terlampir: Berita acara perubahan" in revisions
    assert "Kegiatan" not in revisions


def landing(app, client, role: str, **region: str) -> str:
    key = make_key(app, role, region.pop("kelurahan", None), **region)
    return post_sign_in(client, key).headers["location"]


def test_each_role_lands_on_its_work_and_sees_only_the_menu_it_may_open(app, client):
    assert landing(app, client, "reviewer", kelurahan="Cibabat", scope="kelurahan") == "/tinjauan"
    menu = client.get("/tinjauan").text.split("</nav>")[0]
    assert 'href="/tinjauan"' in menu and 'href="/skor"' not in menu and 'href="/kebijakan"' not in menu
    client.cookies.clear()
    assert landing(app, client, "facilitator", kelurahan="Cibabat") == "/pra-periksa"
    menu = client.get("/proposal").text.split("</nav>")[0]
    assert 'href="/proposal"' in menu and 'href="/pra-periksa"' in menu
    for closed in ("/skor", "/kalibrasi", "/kebijakan", "/tinjauan"):
        assert f'href="{closed}"' not in menu
    client.cookies.clear()
    assert landing(app, client, "policy") == "/kebijakan"
    menu = client.get("/kebijakan").text.split("</nav>")[0]
    assert 'href="/kebijakan"' in menu and 'href="/kalibrasi"' in menu and 'href="/skor"' not in menu


@pytest.mark.parametrize("role", ["facilitator", "reviewer", "evaluator", "policy", "admin"])
def test_every_menu_link_a_role_sees_opens_and_every_page_it_does_not_see_is_refused(app, client, role):
    region = {"facilitator": {"kelurahan": "Cibabat"}, "reviewer": {"kelurahan": "Cibabat", "scope": "kelurahan"}}
    landing(app, client, role, **region.get(role, {}))
    menu = client.get("/pra-periksa").text.split("</nav>")[0]
    for link in NAV:
        status = client.get(link.href, follow_redirects=False).status_code
        assert (f'href="{link.href}"' in menu) == (status == 200), (role, link.href, status)
