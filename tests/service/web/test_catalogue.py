"""Every visible text comes from the one catalogue, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.labels import generic_path
from knowledge.proposal import KINDS
from service.jobs import JobState
from service.schemas_history import AdviceOutcome
from service.schemas_journey import EventKind, ProposalState, RevisionKind
from service.web import forms
from service.web.i18n import LANGS, Translator, catalogue
from service.web.xlsx_proposal import ACTIVITY_COLUMNS, LINE_COLUMNS, MUSYAWARAH_ROWS, PROPOSAL_ROWS
from tests.service.web.helpers import valid_proposal

WEB = Path(__file__).resolve().parents[3] / "service" / "web"
# A whole key ("journey.cycle"), not a prefix that a template completes ("history.outcome." ~ value).
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]*[a-z_])["']""")


def test_every_entry_has_both_languages_and_no_empty_text():
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGS), key
        assert all(str(texts[lang]).strip() for lang in LANGS), key


def test_every_literal_key_used_in_templates_and_code_exists():
    used = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]:
        used |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    assert used, "no keys found: the pattern is wrong"
    assert sorted(used - set(catalogue())) == []


def test_keys_built_from_data_exist():
    keys = set(catalogue())
    built = {f"severity.{s}" for s in ("blocking", "major", "minor", "advice", "schema")}
    built |= {f"severity.{s}.explain" for s in ("blocking", "major", "minor", "advice")}
    built |= {f"verdict.{v}" for v in ("eligible", "needs_revision", "ineligible")}
    built |= {f"job.{s.value}" for s in JobState}
    built |= {f"edit_kind.{k}" for k in ("add_value", "list_items", "change_rule", "switch_off")}
    built |= {f"{prefix}.{c}" for prefix in ("diff_change", "diff_value") for c in ("added", "removed", "changed")}
    built |= {f"precheck.found.{s}" for s in ("blocking", "major", "minor", "advice")}
    built |= {f"unit.{u}" for u in ("IDR", "ratio", "count", "days", "date", "list", "text", "boolean")}
    built |= {f"category_group.{g}" for g in ("sarana_prasarana", "pemberdayaan")}
    built |= {f"verdict.{v}.explain" for v in ("eligible", "needs_revision", "ineligible")}
    built |= {f"verdict_name.{v}" for v in ("eligible", "needs_revision", "ineligible")}
    built |= {f"stored_body.{v}" for v in ("eligible", "needs_revision", "ineligible")}
    built |= {f"group.{g}" for g in ("eligibility", "budget", "inclusion", "documents", "sustainability", "consistency")}
    built |= {f"role.{r}" for r in ("facilitator", "reviewer", "evaluator", "policy", "admin")}
    built |= {f"state.{s.value}" for s in ProposalState} | {f"event.{e.value}" for e in EventKind}
    built |= {f"revision_kind.{k.value}" for k in RevisionKind}
    built |= {f"source.{s}" for s in forms.SOURCES} | {f"kind.{k}" for k in KINDS}
    built |= {f"error.{e}.{p}" for e in ("role", "csrf", "not_found") for p in ("title", "body")}
    labels = {f"field.{generic_path(n)}" for n in forms.all_input_names(valid_proposal())}
    workbook = {f"field.{p}" for p in PROPOSAL_ROWS} | {f"field.musyawarah.{p}" for p in MUSYAWARAH_ROWS}
    workbook |= {f"field.activities.{c}" for c in ACTIVITY_COLUMNS}
    workbook |= {f"field.activities.budget_lines.{c}" for c in LINE_COLUMNS}
    assert sorted((built | labels | workbook) - keys) == []


def test_every_outcome_of_an_rw_history_has_its_words():
    """The RW history names whether advice was followed by `history.outcome.<value>`: an outcome added to
    the enum without its words in the catalogue fails here, not on an evaluator's page."""
    keys = {f"history.outcome.{o.value}" for o in AdviceOutcome}
    assert len(keys) >= 5 and sorted(keys - set(catalogue())) == []
    ind, eng = Translator("id"), Translator("en")
    words = {o: (ind(f"history.outcome.{o.value}"), eng(f"history.outcome.{o.value}")) for o in AdviceOutcome}
    assert words[AdviceOutcome.PARTLY] == ("Sebagian diikuti", "Partly followed")
    assert words[AdviceOutcome.NOT_YET] == ("Belum dapat dinilai", "Not known yet")
    assert len({w for w, _ in words.values()}) == len(words)  # no two outcomes read the same


def test_dates_and_rupiah_are_written_the_indonesian_way():
    ind, eng = Translator("id"), Translator("en")
    assert ind.date("2022-02-14") == "14 Februari 2022" and eng.date("2022-02-14") == "14 February 2022"
    assert ind.rupiah(75000000) == "Rp 75.000.000" and eng.rupiah(75000000) == "Rp 75,000,000"
    assert ind.number(0.6251, 2) == "0,63" and eng.number(1234.5, 1) == "1,234.5"
