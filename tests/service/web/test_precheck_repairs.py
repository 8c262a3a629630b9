"""The pre-check page's repairs through the real app: before → after tables in words, the button that
refills the form with the patched proposal (changed inputs marked, nothing stored), and the plain
sentence when only the RW can act. The proposals are the knowledge base's base proposal (not real data)."""

from __future__ import annotations

import re

from knowledge.documents import read_document, to_jsonable
from knowledge.kb import DEFAULT_KB
from rules.repair import FieldChange
from rules.repair_words import change_words
from tests.service.web.helpers import count_stored, post_form, text_of


def base() -> dict:
    return to_jsonable(read_document(DEFAULT_KB / "tests" / "base_proposal.yaml"))


def with_wages_from_ppm() -> dict:
    data = base()
    data["activities"][0]["budget_lines"][3]["source"] = "ppm"
    return data


def test_the_result_shows_the_patch_as_a_table_in_words_and_an_apply_button(client, app):
    response = post_form(client, with_wages_from_ppm())
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Perbaikan yang disarankan" in page
    assert ("Kegiatan 1, rincian 4: Sumber dana (Tenaga kerja gotong royong) "
            "Dana program (PPM / Sarpras Kelurahan) Swadaya warga") in page
    assert "Uang yang dipindah atau dipotong: Rp 4.000.000." in page and "Setelahnya proposal layak." in page
    assert re.search(r'<button type="submit" form="proposal-form" name="action" value="repair"', response.text)
    assert 'class="field' in response.text and " changed" not in re.sub(r"changed-swatch", "", response.text)
    assert count_stored(app) == 0


def test_apply_refills_the_form_with_the_patched_proposal_marks_the_change_and_stores_nothing(client, app):
    response = post_form(client, with_wages_from_ppm(), action="repair")
    assert response.status_code == 200
    assert 'id="repair-applied"' in response.text and "Layak." in text_of(response.text)
    field = re.search(r'<div class="field([^"]*)">\s*<label for="f-activities-0-budget_lines-3-source"', response.text)
    assert field and "changed" in field.group(1)
    select = re.search(r'name="activities\[0\]\.budget_lines\[3\]\.source"[^>]*>(.*?)</select>', response.text, re.S)
    assert select and '<option value="swadaya" selected>' in select.group(1)
    assert "1 kolom diubah" in text_of(response.text) and count_stored(app) == 0


def test_when_only_actions_remain_the_page_says_so_plainly(client):
    data = base()
    data["musyawarah"]["attendance"]["women"] = 0
    data["musyawarah"]["speakers"]["women"] = 0
    response = post_form(client, data)
    page = text_of(response.text)
    assert "Tidak ada perbaikan data yang dapat diusulkan: yang tersisa hanya tindakan yang harus dilakukan RW." in page
    assert 'value="repair"' not in response.text and "tindakan RW" in page


def test_changes_read_in_unit_amounts_in_rupiah_and_dates_in_words():
    amount = change_words(FieldChange(path="requested_total", pointer="/requested_total", before=65_200_000,
                                      after=61_200_000), "id")
    assert (amount.field, amount.before, amount.after) == (
        "Total dana program yang diminta (Rp)", "Rp 65.200.000", "Rp 61.200.000")
    day = change_words(FieldChange(path="activities[2].end", pointer="/activities/2/end", before="2023-02-12",
                                   after="2022-12-31"), "en")
    assert day.field == "Activity 3: End date" and day.after == "31 December 2022"


def test_every_kind_of_remaining_finding_has_its_words():
    from service.web.i18n import catalogue

    assert {f"repair_kind.{k}" for k in ("action", "not_verified", "suggestion")} <= set(catalogue())
