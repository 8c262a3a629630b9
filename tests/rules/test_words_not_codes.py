"""Every rule of both shipped knowledge bases, fired on the base proposal its tests patch, speaks in
words: its message, suggestion and reference name the form's labels and documents by name, never a
field path, field name or code (the check JSON keeps the paths in `fields`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents import parse_proposal, read_document
from rules.check import Checker
from rules.kbtest import deep_merge
from rules.render import PLACEHOLDER
from tests.words import codes_in, field_names_in, strings_in

KB = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "kb"
SHIPPED = [KB / "ppm-cimahi", KB / "releases" / "ppm-cimahi-2025.2"]


def _rendered(kb_dir: Path) -> tuple[Checker, dict[str, list[tuple[str, str, set[str]]]]]:
    """rule id -> (text, its language, strings the proposal itself holds) for every finding of every rule test case."""
    checker = Checker.load(kb_dir)
    texts: dict[str, list[tuple[str, str, set[str]]]] = {}
    for _, suite in sorted(checker.kb.tests.items()):
        base = read_document(kb_dir / "tests" / suite.base) if suite.base else {}
        for case in suite.cases:
            data = read_document(kb_dir / "tests" / case.proposal) if case.proposal else deep_merge(base, case.patch or {})
            result = checker.check(parse_proposal(data, source=case.name), case.cycle)
            for f in result.findings:
                written = strings_in(data)
                for text, lang in ((f.message.id, "id"), (f.message.en, "en"), (f.suggestion.id, "id"),
                                   (f.suggestion.en, "en"), (f.reference, "id")):
                    texts.setdefault(f.rule_id, []).append((text, lang, written))
    return checker, texts


@pytest.mark.parametrize("kb_dir", SHIPPED, ids=lambda p: p.name)
def test_every_rule_fired_on_the_base_proposal_speaks_in_words(kb_dir):
    checker, texts = _rendered(kb_dir)
    finding_rules = {r.id for r in checker.kb.rules if r.message is not None}
    assert sorted(finding_rules - set(texts)) == []  # every rule was rendered at least once
    offending = {(rule_id, text, tuple(codes))
                 for rule_id, found in texts.items() for text, lang, written in found
                 if (codes := codes_in(text, quoted=written) + field_names_in(text, lang, quoted=written))}
    assert sorted(offending) == []


@pytest.mark.parametrize("kb_dir", SHIPPED, ids=lambda p: p.name)
def test_what_the_rw_is_told_to_do_and_each_repair_speak_in_words(kb_dir):
    checker = Checker.load(kb_dir)
    offending = []
    for rule in checker.kb.rules:
        texts = [(rule.action.id, "id"), (rule.action.en, "en")] if rule.action else []
        texts += [t for r in rule.repair for t in ((r.description.id, "id"), (r.description.en, "en"))]
        for text, lang in texts:
            bare = PLACEHOLDER.sub("x", text)
            if codes_in(bare) or field_names_in(bare, lang):
                offending.append((rule.id, text))
    assert offending == []


def test_the_pattern_finds_the_codes_a_person_must_not_read():
    assert codes_in("ubah repairs_flood_damage menjadi false") == ["repairs_flood_damage"]
    assert codes_in("catat di musyawarah.speakers.persons_with_disability") == [
        "musyawarah.speakers.persons_with_disability"]
    assert codes_in("activities[0].budget_lines[1].quantity salah") == ["activities[0].budget_lines[1].quantity"]
    assert codes_in("baris bersumber ppm") == ["ppm"]
    assert codes_in("isi \"{field.cycle}\"") == ["{field.cycle}"]
    assert codes_in("Kegiatan 1, rincian 2: Jumlah; misalnya saluran, e.g. a drain; Rp 285.000") == []
    assert codes_in("dokumen \"surat_rt\" tidak dikenal", quoted={"surat_rt"}) == []
    assert field_names_in("Ubah source baris upah; (kind upah)", "id") == ["source", "kind"]
    assert field_names_in("a line (kind upah, source swadaya)", "en") == ["kind upah", "source swadaya"]
    assert field_names_in("Ubah \"Sumber dana\" baris upah menjadi \"Swadaya warga\"", "id") == []
    assert field_names_in("Change the source of money to Wages", "en") == []
