"""The facilitator's text report: verdict in plain words, findings grouped by severity, --explain."""

from rules.report import render_report

PATCH = {"activities": {0: {"budget_lines": {0: {"quantity": 1200}, 1: {"source": "ppm"}}, "maintenance_plan": None}},
         "musyawarah": {"attendance": {"women": 3}}}


def test_findings_grouped_by_severity_with_message_suggestion_and_fields(small_checker, make_proposal):
    proposal = make_proposal(PATCH)
    text = render_report(small_checker.check(proposal), proposal=proposal, kb=small_checker.kb)
    assert text.startswith("Hasil pemeriksaan: TIDAK LAYAK")
    order = [text.index(h) for h in ("Menghalangi (blocking): 2", "Berat (major): 1", "Ringan (minor): 2",
                                      "Saran (advice): 1")]
    assert order == sorted(order)
    assert "  1. [PPM-ANG-001] Total dana PPM Rp 81.000.000 melebihi pagu Rp 75.000.000." in text
    assert "     Saran: Kurangi belanja PPM sebesar Rp 6.000.000." in text
    assert "     Bagian proposal: activities[0].budget_lines[1].source" in text
    assert "Kondisi:" not in text  # only with --explain


def test_explain_adds_evidence_condition_parameters_conclusions_and_passed_rules(small_checker, make_proposal):
    proposal = make_proposal(PATCH)
    text = render_report(small_checker.check(proposal), lang="en", explain=True, proposal=proposal,
                         kb=small_checker.kb)
    assert text.startswith("Check result: INELIGIBLE")
    assert "Evidence: ppm_total observed Rp 81,000,000, threshold Rp 75,000,000" in text
    assert "Condition: ppm_total > param.pagu_per_rw" in text
    assert "Parameters: pagu_per_rw = Rp 75,000,000 (in force since 1 January 2021; Uji: pagu 2021; verified)" in text
    assert "  - musyawarah_inklusif: no" in text
    assert "Rules that held (4):" in text and "  - PPM-ANG-002 Food and drink cap" in text


def test_an_eligible_proposal_says_so_plainly(small_checker, make_proposal):
    text = render_report(small_checker.check(make_proposal()), lang="en")
    assert text.splitlines()[0] == "Check result: ELIGIBLE - the proposal can go ahead"
    assert "No findings." in text
