"""The text report a facilitator reads after a check (Bahasa Indonesia by default, or English).

The verdict in plain words, then the findings grouped by severity, each with its message,
its suggestion and the proposal fields it concerns. With `explain=True` each finding also
shows its evidence, the rule's condition, the parameter values used with their legal
references, and the report ends with the derived conclusions and the rules that held.
"""

from __future__ import annotations

from typing import Any

from knowledge.kb import KnowledgeBase
from knowledge.kb_schema import SEVERITIES
from knowledge.proposal import Proposal
from rules.check import CheckResult, Finding
from rules.render import fmt_date, fmt_value

VERDICT_TEXT = {
    "id": {
        "eligible": "LAYAK - proposal dapat diteruskan",
        "needs_revision": "PERLU PERBAIKAN - perbaiki temuan berat sebelum diteruskan",
        "ineligible": "TIDAK LAYAK - ada temuan yang menghalangi; proposal tidak dapat dibiayai seperti ini",
    },
    "en": {
        "eligible": "ELIGIBLE - the proposal can go ahead",
        "needs_revision": "NEEDS REVISION - fix the major findings before it goes ahead",
        "ineligible": "INELIGIBLE - a blocking finding; the proposal cannot be funded as it is",
    },
}
SEVERITY_TEXT = {
    "id": {"blocking": "Menghalangi", "major": "Berat", "minor": "Ringan", "advice": "Saran"},
    "en": {"blocking": "Blocking", "major": "Major", "minor": "Minor", "advice": "Advice"},
}
LABELS = {
    "id": {"result": "Hasil pemeriksaan", "kb": "Basis pengetahuan", "version": "versi", "cycle": "siklus",
           "proposal": "Proposal", "none": "Tidak ada temuan.", "suggestion": "Saran", "fields": "Bagian proposal",
           "reference": "Rujukan", "evidence": "Bukti", "observed": "teramati", "threshold": "ambang",
           "condition": "Kondisi", "params": "Parameter", "since": "berlaku sejak", "conclusions": "Kesimpulan antara",
           "passed": "Aturan yang terpenuhi", "yes": "ya", "no": "tidak", "ruleset": "Versi aturan di mesin",
           "modelled": "asumsi, mengacu pada"},
    "en": {"result": "Check result", "kb": "Knowledge base", "version": "version", "cycle": "cycle",
           "proposal": "Proposal", "none": "No findings.", "suggestion": "Suggestion", "fields": "Proposal fields",
           "reference": "Reference", "evidence": "Evidence", "observed": "observed", "threshold": "threshold",
           "condition": "Condition", "params": "Parameters", "since": "in force since", "conclusions":
           "Derived conclusions", "passed": "Rules that held", "yes": "yes", "no": "no",
           "ruleset": "Engine rule version", "modelled": "assumed, modelled on"},
}
UNIT_FORMAT = {"IDR": "rupiah", "ratio": "pct", "count": "int", "days": "int"}


def _fmt(value: Any, unit: str | None, lang: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_value(value, UNIT_FORMAT.get(unit or ""), lang)
    return fmt_value(value, None, lang)


def _finding_lines(n: int, f: Finding, result: CheckResult, lang: str, explain: bool,
                   kb: KnowledgeBase | None) -> list[str]:
    t = LABELS[lang]
    lines = [f"  {n}. [{f.rule_id}] {f.message.en if lang == 'en' else f.message.id}",
             f"     {t['suggestion']}: {f.suggestion.en if lang == 'en' else f.suggestion.id}"]
    if f.fields:
        lines.append(f"     {t['fields']}: {', '.join(f.fields)}")
    lines.append(f"     {t['reference']}: {f.reference}")
    if explain:
        ex = result.explanation
        if f.evidence is not None:
            unit = kb.facts[f.evidence.fact].unit if kb and f.evidence.fact in kb.facts else None
            lines.append(f"     {t['evidence']}: {f.evidence.fact} {t['observed']} {_fmt(f.evidence.observed, unit, lang)}"
                         + (f", {t['threshold']} {_fmt(f.evidence.threshold, unit, lang)}"
                            if f.evidence.threshold is not None else ""))
        lines.append(f"     {t['condition']}: {ex.conditions.get(f.rule_id, '')}")
        for p in ex.params.get(f.rule_id, []):
            unit = kb.parameters[p.name].unit if kb and p.name in kb.parameters else None
            status = p.status if p.status != "assumed" else f"{t['modelled']} {p.modelled_on}"
            lines.append(f"     {t['params']}: {p.name} = {_fmt(p.value, unit, lang)} ({t['since']} "
                         f"{fmt_date(p.since, lang)}; {p.reference}; {status})")
    return lines


def render_report(result: CheckResult, *, lang: str = "id", explain: bool = False,
                  proposal: Proposal | None = None, kb: KnowledgeBase | None = None) -> str:
    """The facilitator's report for one check result."""
    lang = "en" if lang == "en" else "id"
    t = LABELS[lang]
    lines = [f"{t['result']}: {VERDICT_TEXT[lang][result.verdict]}",
             f"{t['kb']}: {result.knowledge_base.name} {t['version']} {result.knowledge_base.version}, "
             f"{t['cycle']} {result.cycle}"]
    if proposal is not None:
        r = proposal.region
        lines.append(f"{t['proposal']}: {proposal.title} (RW {r.rw}, {r.kelurahan}, {r.kecamatan})")
    lines.append("")
    if not result.findings:
        lines.append(t["none"])
    n = 0
    for severity in SEVERITIES:
        group = [f for f in result.findings if f.severity == severity]
        if not group:
            continue
        label = SEVERITY_TEXT[lang][severity] + (f" ({severity})" if lang == "id" else "")
        lines.append(f"{label}: {len(group)}")
        for f in group:
            n += 1
            lines += _finding_lines(n, f, result, lang, explain, kb)
        lines.append("")
    if explain:
        ex = result.explanation
        if ex.conclusions:
            lines.append(f"{t['conclusions']}:")
            for name, holds in sorted(ex.conclusions.items()):
                lines.append(f"  - {name}: {t['yes'] if holds else t['no']}")
            lines.append("")
        lines.append(f"{t['passed']} ({len(result.passed)}):")
        for rid in result.passed:
            title = ex.titles.get(rid, {}).get(lang, "")
            lines.append(f"  - {rid} {title}".rstrip())
        lines.append("")
        lines.append(f"{t['ruleset']}: {ex.ruleset}")
    return "\n".join(lines).rstrip() + "\n"
