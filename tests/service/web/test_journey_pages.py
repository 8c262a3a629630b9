"""The journey's pages: the facilitator's list with its filters, one proposal's page with its forms, the queue.

Each form goes through the same use cases as the API; a refusal is shown on the page in both
languages and changes nothing.
"""

from __future__ import annotations

import json
import re

from tests.service.web.helpers import as_form, csrf_of, make_key, valid_proposal
from tests.service.web.journey_helpers import browser_of, flawed, post, submitted


def test_a_reviewer_decides_and_accepts_an_exception_on_the_proposal_page(app, people):
    pid = submitted(app, people, flawed())
    page = people["kelurahan"].get(f"/proposal/{pid}")
    assert page.status_code == 200 and "Menunggu di tahap: Kelurahan" in page.text
    assert f'action="/proposal/{pid}/putusan"' in page.text and "Terima sebagai pengecualian" in page.text
    rule = re.search(r'name="rule_id" value="([^"]+)"', page.text).group(1)
    accepted = post(people["kelurahan"], f"/proposal/{pid}/pengecualian",
                    {"rule_id": rule, "reason": "Musyawarah susulan dijadwalkan"})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/proposal/{pid}"
    shown = people["facilitator"].get(f"/proposal/{pid}").text
    assert "Pengecualian yang diterima" in shown and "Musyawarah susulan dijadwalkan" in shown
    assert f'action="/proposal/{pid}/putusan"' not in shown  # the facilitator does not decide
    returned = post(people["kelurahan"], f"/proposal/{pid}/putusan", {"outcome": "return", "note": "Perbaiki"})
    assert returned.status_code == 303
    listed = people["facilitator"].get("/proposal").text
    assert "Dikembalikan untuk perbaikan" in listed and f'href="/proposal/{pid}"' in listed


def test_refusals_are_shown_in_both_languages_and_change_nothing(app, people):
    pid = submitted(app, people, flawed())
    before = people["facilitator"].get(f"/proposal/{pid}").text.count('data-event="')
    for who, data, status in (("kecamatan", {"outcome": "approve"}, 403), ("melong", {"outcome": "approve"}, 403),
                              ("kelurahan", {"outcome": "return", "note": ""}, 422)):
        response = post(people[who], f"/proposal/{pid}/putusan", data)
        assert response.status_code == status, (who, response.text[:300])
        assert "tidak ada yang berubah" in response.text and "nothing changed" in response.text
    assert people["facilitator"].get(f"/proposal/{pid}").text.count('data-event="') == before


def test_the_facilitator_revises_by_upload_and_the_change_is_named_in_words(app, people):
    proposal = flawed()
    pid = submitted(app, people, proposal)
    assert post(people["kelurahan"], f"/proposal/{pid}/putusan", {"outcome": "return", "note": "Judul"}).status_code == 303
    proposal["title"] = "Perbaikan drainase (revisi)"
    files = {"file": ("revisi.json", json.dumps(proposal).encode(), "application/json")}
    revised = post(people["facilitator"], f"/proposal/{pid}/revisi", {"kind": "revision"}, files=files)
    assert revised.status_code == 303, revised.text[:500]
    page = people["facilitator"].get(f"/proposal/{pid}").text
    assert "Perbaikan drainase (revisi)" in page and "Revisi 2" in page and "Menunggu di tahap: Kelurahan" in page
    revisions = page[page.index('id="revisions"'):page.index('id="timeline"')]
    assert "Yang berubah: Judul proposal" in revisions and "/title" not in revisions


def test_an_approved_proposal_offers_only_the_amendment_and_needs_its_berita_acara(app, people):
    proposal = valid_proposal()
    pid = submitted(app, people, proposal)
    for stage in ("kelurahan", "kecamatan", "dinas"):
        assert post(people[stage], f"/proposal/{pid}/putusan", {"outcome": "approve"}).status_code == 303, stage
    page = people["facilitator"].get(f"/proposal/{pid}").text
    assert "Disetujui" in page and "berita acara perubahan" in page and "Tarik proposal" not in page
    files = {"file": ("amandemen.json", json.dumps(proposal).encode(), "application/json")}
    missing = post(people["facilitator"], f"/proposal/{pid}/revisi", {"kind": "amendment"}, files=files)
    assert missing.status_code == 422 and "tidak ada yang berubah" in missing.text
    files = {"file": ("amandemen.json", json.dumps(proposal).encode(), "application/json")}
    done = post(people["facilitator"], f"/proposal/{pid}/revisi",
                {"kind": "amendment", "ba_nomor": "BA-3/2022", "ba_tanggal": "2022-08-01"}, files=files)
    assert done.status_code == 303, done.text[:500]
    page = people["facilitator"].get(f"/proposal/{pid}").text
    assert "BA-3/2022" in page and "1 Agustus 2022" in page and "Amendemen" in page


def test_the_list_filters_by_cycle_and_stage_and_the_queue_holds_the_reviewers_stage(app, people):
    first = submitted(app, people, valid_proposal())
    other = valid_proposal()
    other["region"]["rw"] = 6
    second = submitted(app, people, other)
    assert post(people["kelurahan"], f"/proposal/{first}/putusan", {"outcome": "approve"}).status_code == 303
    at_kecamatan = people["facilitator"].get("/proposal?stage=kecamatan").text
    assert first in at_kecamatan and second not in at_kecamatan
    assert second in people["facilitator"].get("/proposal?stage=kelurahan&cycle=2022").text
    assert "Belum ada proposal" in people["facilitator"].get("/proposal?cycle=2019").text
    queue = people["kecamatan"].get("/tinjauan").text
    assert first in queue and second not in queue
    assert second in people["kelurahan"].get("/tinjauan").text and first not in people["kelurahan"].get("/tinjauan").text
    assert people["facilitator"].get("/tinjauan", follow_redirects=False).status_code == 403
    withdrawn = post(people["facilitator"], f"/proposal/{second}/tarik", {"note": "Diganti"})
    assert withdrawn.status_code == 303
    assert second in people["facilitator"].get("/proposal?stage=withdrawn").text


def test_an_ineligible_proposal_is_submitted_only_after_confirmation_and_the_notice_says_so(app, people):
    from tests.service.web.helpers import as_form

    browser = people["facilitator"]
    data = valid_proposal()
    data["activities"][0]["repairs_flood_damage"] = True

    def submit(action: str):
        token = csrf_of(browser.get("/pra-periksa").text)
        fields = {**as_form(data), "csrf_token": token, "action": action, "documents": data["documents"]}
        return browser.post("/pra-periksa", data=fields)

    asked = submit("submit")
    assert asked.status_code == 200 and 'id="confirm"' in asked.text and "Ajukan proposal yang tidak layak?" in asked.text
    assert "Tersimpan sebagai proposal" not in asked.text and "Belum ada proposal" in browser.get("/proposal").text
    done = submit("submit_anyway")
    assert "Tersimpan sebagai proposal RW 5 Kelurahan Cibabat siklus" in done.text and 'id="confirm"' not in done.text
    notice = done.text[done.text.index('id="stored"'):]
    notice = notice[:notice.index("</section>")]
    assert "seperti yang Anda konfirmasi" in notice and 'href="/proposal/' in notice
    assert "Tidak layak." in browser.get("/proposal").text


def save_draft_form(browser, proposal: dict, draft_id: str | None = None):
    """Press "Simpan sebagai draf" on the pre-check form (a new draft, or the draft being edited)."""
    url = f"/pra-periksa?draf={draft_id}" if draft_id else "/pra-periksa"
    fields = {**as_form(proposal), "csrf_token": csrf_of(browser.get(url).text), "action": "draft",
              "documents": proposal.get("documents", []), **({"draft_id": draft_id} if draft_id else {})}
    return browser.post("/pra-periksa", data=fields, follow_redirects=False)


def test_a_facilitator_saves_edits_and_submits_a_draft_on_the_pages(app, people):
    browser, proposal = people["facilitator"], flawed()
    saved = save_draft_form(browser, proposal)
    assert saved.status_code == 303, saved.text[:500]
    pid = saved.headers["location"].removeprefix("/proposal/")
    page = browser.get(f"/proposal/{pid}").text
    assert f'action="/proposal/{pid}/ajukan"' in page and f'href="/pra-periksa?draf={pid}"' in page
    row = re.search(rf'<tr data-proposal="{pid}">.*?</tr>', browser.get("/proposal").text, re.S).group(0)
    assert re.search(r'<td class="stage"[^>]*>Draf</td>', row)
    assert pid not in people["kelurahan"].get("/tinjauan").text
    assert people["kelurahan"].get(f"/proposal/{pid}").status_code == 404

    form = browser.get(f"/pra-periksa?draf={pid}").text
    assert f'name="draft_id" value="{pid}"' in form and 'value="submit"' not in form
    proposal["title"] = "Drainase RW, draf diubah"
    assert save_draft_form(browser, proposal, pid).headers["location"] == f"/proposal/{pid}"
    page = browser.get(f"/proposal/{pid}").text
    assert "Drainase RW, draf diubah" in page and page.count('data-event="drafted"') == 2

    assert post(browser, f"/proposal/{pid}/ajukan", {}).status_code == 303
    page = browser.get(f"/proposal/{pid}").text
    assert "Menunggu di tahap: Kelurahan" in page and f'action="/proposal/{pid}/ajukan"' not in page
    assert pid in people["kelurahan"].get("/tinjauan").text
    refused = post(browser, f"/proposal/{pid}/hapus", {})
    assert refused.status_code == 409 and "tidak dapat dihapus" in refused.text


def test_a_facilitator_deletes_a_draft_and_the_rw_is_free_again(app, people):
    browser, proposal = people["facilitator"], valid_proposal()
    pid = save_draft_form(browser, proposal).headers["location"].removeprefix("/proposal/")
    again = save_draft_form(browser, proposal)
    assert again.status_code == 409 and pid in again.text  # one per RW and cycle, drafts included
    deleted = post(browser, f"/proposal/{pid}/hapus", {})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/proposal"
    assert browser.get(f"/proposal/{pid}").status_code == 404
    assert save_draft_form(browser, proposal).status_code == 303


def test_a_draft_is_not_found_on_any_page_by_anyone_but_its_kelurahans_facilitators(app, people):
    """Its page, print, PDF, downloads and forms answer a guessed draft id as they answer an unknown one:
    404, the same page; a reviewer's decision or exception on it changes nothing."""
    pid = save_draft_form(people["facilitator"], flawed()).headers["location"].removeprefix("/proposal/")
    unknown = "00000000-0000-4000-8000-000000000000"
    outsiders = {name: people[name] for name in ("kelurahan", "kecamatan", "dinas", "melong")}
    outsiders["facilitator_melong"] = browser_of(app, make_key(app, "facilitator", "Melong"))
    outsiders["evaluator"] = browser_of(app, make_key(app, "evaluator"))
    reads = ["/proposal/{}", "/proposal/{}/cetak", "/proposal/{}/cetak.pdf", "/proposal/{}/revisi/1.json",
             "/proposal/{}/revisi/1.xlsx"]
    review = {"/proposal/{}/putusan": {"outcome": "approve"},
              "/proposal/{}/pengecualian": {"rule_id": "PPM-INK-001", "reason": "Musyawarah susulan"}}
    submit = {"/proposal/{}/ajukan": {}, "/proposal/{}/hapus": {}, "/proposal/{}/tarik": {}}
    for name, browser in outsiders.items():
        token = csrf_of(browser.get("/proposal").text)
        calls = [("GET", path, None) for path in reads]
        if name.startswith("facilitator"):
            calls += [("GET", "/pra-periksa?draf={}", None), ("GET", "/pra-periksa/revisi/{}", None)]
            calls += [("POST", path, data) for path, data in submit.items()]
        elif name != "evaluator":
            calls += [("POST", path, data) for path, data in review.items()]
        for method, path, data in calls:
            form = None if data is None else {"csrf_token": token, **data}
            guessed = browser.request(method, path.format(pid), data=form, follow_redirects=False)
            missing = browser.request(method, path.format(unknown), data=form, follow_redirects=False)
            assert guessed.status_code == missing.status_code == 404, (name, path, guessed.text[:300])
            assert guessed.text.replace(pid, unknown) == missing.text, (name, path)
    page = people["facilitator"].get(f"/proposal/{pid}").text
    assert page.count('data-event="') == 1 and f'action="/proposal/{pid}/ajukan"' in page  # still a draft
    outsiders["facilitator_melong"].close()
    outsiders["evaluator"].close()
