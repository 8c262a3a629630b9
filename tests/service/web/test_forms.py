"""The proposal form: form fields -> proposal dict, and finding paths -> form inputs."""

from __future__ import annotations

import pytest

from knowledge.documents import parse_proposal
from knowledge.errors import InvalidInput
from service.web import forms
from tests.service.web.helpers import TYPED_NUMBERS, as_form, valid_proposal


def test_a_posted_form_becomes_the_same_proposal():
    data = valid_proposal()
    posted = forms.form_to_proposal(as_form(data), documents=data["documents"])
    assert parse_proposal(posted) == parse_proposal(data)


def test_rupiah_with_thousands_dots_is_read_as_whole_rupiah():
    data = valid_proposal()
    fields = as_form(data)
    fields["activities[0].budget_lines[0].unit_price"] = "65.000"
    posted = forms.form_to_proposal(fields, documents=data["documents"])
    assert posted["activities"][0]["budget_lines"][0]["unit_price"] == 65000


def test_rupiah_with_its_sign_and_dates_written_dd_mm_yyyy_are_understood():
    data = valid_proposal()
    fields = as_form(data)
    fields["activities[0].budget_lines[0].unit_price"] = "Rp 285.000"
    fields["activities[0].budget_lines[1].unit_price"] = "rp285000"
    fields["submitted_on"] = "14/02/2022"
    fields["activities[0].start"] = "2.5.2022"
    posted = forms.form_to_proposal(fields, documents=data["documents"])
    assert [b["unit_price"] for b in posted["activities"][0]["budget_lines"]] == [285000, 285000]
    assert (posted["submitted_on"], posted["activities"][0]["start"]) == ("2022-02-14", "2022-05-02")


# What a person types -> what Berdaya reads (None: refused at its field, never guessed).


@pytest.mark.parametrize(("typed", "read"), TYPED_NUMBERS)
def test_numbers_are_read_as_indonesians_write_them_and_nothing_else(typed, read):
    assert forms.read_number(typed) == read
    assert type(forms.read_number(typed)) is type(read)


def test_a_quantity_with_a_decimal_comma_reaches_the_proposal_unchanged():
    data = valid_proposal()
    fields = as_form(data)
    fields["activities[0].budget_lines[0].quantity"] = "6,5"
    fields["activities[0].budget_lines[0].unit_price"] = "1.500,00"
    line = forms.form_to_proposal(fields, documents=data["documents"])["activities"][0]["budget_lines"][0]
    assert (line["quantity"], line["unit_price"]) == (6.5, 1500)


def test_a_number_the_rule_cannot_read_is_refused_at_its_field_saying_how_to_write_it():
    data = valid_proposal()
    fields = as_form(data)
    fields["activities[0].budget_lines[1].quantity"] = "6.5"
    with pytest.raises(InvalidInput) as err:
        forms.parse_typed(forms.form_to_proposal(fields, documents=data["documents"]), "formulir")
    [problem] = err.value.problems
    assert problem.path == "activities[0].budget_lines[1].quantity"
    assert problem.id.startswith('"6.5" tidak terbaca sebagai angka') and "6,5" in problem.id


def test_numbers_are_shown_back_the_way_they_are_read():
    for value in (6.5, 0.25, 1e-7, 1234567.125):
        assert forms.read_number(forms.written(value)) == value
    assert forms.written(40.0) == 40 and forms.written("teks") == "teks"


def test_a_value_that_is_not_a_number_reaches_the_schema_with_its_path():
    data = valid_proposal()
    fields = as_form(data)
    fields["activities[0].budget_lines[1].quantity"] = "tiga puluh"
    with pytest.raises(InvalidInput) as err:
        parse_proposal(forms.form_to_proposal(fields, documents=data["documents"]))
    assert [p.path for p in err.value.problems] == ["activities[0].budget_lines[1].quantity"]


def test_rows_removed_in_the_browser_are_renumbered_in_order():
    data = valid_proposal()
    data["activities"].append({**data["activities"][0], "code": "A2"})
    data["activities"].append({**data["activities"][0], "code": "A3"})
    fields = {k: v for k, v in as_form(data).items() if not k.startswith("activities[1].")}
    # The browser removed activity 1 and budget line 0 of activity 2.
    fields = {k: v for k, v in fields.items() if not k.startswith("activities[2].budget_lines[0].")}
    posted = forms.form_to_proposal(fields, documents=data["documents"])
    assert [a["code"] for a in posted["activities"]] == ["A1", "A3"]
    assert [line["item"] for line in posted["activities"][1]["budget_lines"]] == ["Tenaga kerja"]


def test_unchecked_boxes_blank_texts_and_blank_optional_groups():
    data = valid_proposal()
    fields = as_form(data)
    fields["activities[0].maintenance_plan"] = "  "
    del fields["musyawarah.minutes_attached"]
    posted = forms.form_to_proposal(fields, documents=[])
    proposal = parse_proposal(posted)
    assert proposal.activities[0].maintenance_plan is None
    assert proposal.musyawarah.minutes_attached is False
    assert proposal.musyawarah.speakers is None       # no speaker counts typed: not recorded
    assert proposal.amends is None                    # no amended proposal named
    assert proposal.documents == []


def test_documents_from_checkboxes_and_the_free_text_field_are_merged():
    fields = as_form(valid_proposal())
    fields["documents_other"] = "gambar_rencana, rab"
    posted = forms.form_to_proposal(fields, documents=["rab", "daftar_hadir"])
    assert posted["documents"] == ["rab", "daftar_hadir", "gambar_rencana"]


def test_amendment_fields_make_an_amendment():
    fields = as_form(valid_proposal())
    fields["amends.proposal_ref"] = "PPM-2022-17"
    posted = forms.form_to_proposal(fields)
    assert posted["amends"] == {"proposal_ref": "PPM-2022-17", "berita_acara_perubahan": False}


def test_finding_paths_map_to_the_inputs_they_concern():
    names = forms.all_input_names(valid_proposal())
    assert forms.flagged_inputs(["activities[0].budget_lines[1].source"], names) == {
        "activities[0].budget_lines[1].source"}
    whole_lines = forms.flagged_inputs(["activities[0].budget_lines"], names)
    assert "activities[0].budget_lines[0].item" in whole_lines and "activities[0].budget_lines[1].kind" in whole_lines
    assert not any(n.startswith("activities[0].budget_lines_") for n in whole_lines)
    assert forms.flagged_inputs(["activities[*].maintenance_plan"], names) == {"activities[0].maintenance_plan"}
    assert forms.flagged_inputs(["musyawarah.attendance"], names) == {
        f"musyawarah.attendance.{f}" for f in forms.ATTENDANCE_FIELDS}
    # A prefix of a name is not a match: 'activities[0].start' must not flag 'activities[0].stated_total'.
    assert forms.flagged_inputs(["activities[0].start"], names) == {"activities[0].start"}


def test_input_ids_are_valid_html_ids_and_distinct():
    names = forms.all_input_names(valid_proposal())
    ids = [forms.input_id(n) for n in names]
    assert len(set(ids)) == len(ids)
    assert all(i.replace("-", "").replace("_", "").isalnum() for i in ids)


def test_budget_totals_of_numbers_too_large_to_multiply_are_zero_not_an_error():
    data = valid_proposal()
    data["activities"][0]["budget_lines"][0]["quantity"] = 1e308
    totals = forms.budget_totals(data)
    assert totals["activities"][0] == 0 and totals["by_source"]["ppm"] == 0
    assert totals["by_source"]["swadaya"] == 30 * 100000
