"""`berdaya kb diff|simulate|publish|versions|rollback`: policy tuning between cycles.

Thin commands over `policy` (drafts, diff, what-if, publish, rollback); they join the `kb`
group of service/cli/kb.py. A DRAFT or VERSION argument is a directory in the
knowledge-base format or the label of a published version in the store
(BERDAYA_KB_STORE, default var/kb-store).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from knowledge.documents import read_document
from knowledge.errors import InvalidInput, Problem
from policy.store import KBStore
from service.cli.common import handle_errors, store_dir
from service.cli.kb import kb

# The libraries behind these commands are imported inside them: every `berdaya` call
# imports every command module, and most calls need none of them.

STORE_HELP = "Direktori penyimpanan versi / version store directory (default BERDAYA_KB_STORE atau var/kb-store)"


def _store(store: Path | None) -> KBStore:
    return KBStore(store_dir(store))


def resolve_kb(store: KBStore, ref: str) -> tuple[Path, str]:
    """A directory as given, or the content of a published version by its label."""
    path = Path(ref)
    if path.is_dir():
        return path, str(path)
    labels = [v.version for v in store.versions()]
    if ref in labels:
        return store.get(ref).content_dir, ref
    raise InvalidInput([Problem(ref, f"bukan direktori basis pengetahuan maupun versi terbit (versi: {', '.join(labels)})",
                                f"neither a knowledge-base directory nor a published version (versions: "
                                f"{', '.join(labels)})")])


def parse_date(text: str, field: str = "--effective-from") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput([Problem(field, f"'{text}' bukan tanggal ISO (YYYY-MM-DD)",
                                    f"'{text}' is not an ISO date (YYYY-MM-DD)")]) from None


def parse_cycles(text: str) -> list[int]:
    cycles: list[int] = []
    for part in text.replace(" ", "").split(","):
        try:
            if "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                cycles.extend(range(lo, hi + 1))
            elif part:
                cycles.append(int(part))
        except ValueError:
            raise InvalidInput([Problem("--against", f"'{part}' bukan tahun siklus (mis. 2021,2022 atau 2018-2025)",
                                        f"'{part}' is not a cycle year (e.g. 2021,2022 or 2018-2025)")]) from None
    if not cycles:
        raise InvalidInput([Problem("--against", "sebutkan minimal satu siklus", "name at least one cycle")])
    return sorted(set(cycles))


def proposal_items(path: Path) -> list[tuple[str, dict]]:
    """Stored proposals from a directory of JSON/YAML files (ref = file name) or one JSON/YAML list."""
    files = sorted(p for p in path.iterdir() if p.suffix in (".json", ".yaml", ".yml")) if path.is_dir() else [path]
    items: list[tuple[str, dict]] = []
    for f in files:
        data = read_document(f)
        if isinstance(data, list):
            items.extend((f"{f.stem}[{i}]", d) for i, d in enumerate(data))
        else:
            items.append((f.stem, data))
    return items


@kb.command("diff")
@handle_errors()
def diff_cmd(
    old: str = typer.Argument(..., help="Versi lama (direktori atau label) / old version (directory or label)"),
    new: str = typer.Argument(..., help="Versi baru (direktori atau label) / new version (directory or label)"),
    fmt: str = typer.Option("text", "--format", help="text | json"),
    lang: str = typer.Option("id", "--lang", help="id | en"),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Perbedaan dua versi / differences between two versions (rules, parameters, categories).

    Contoh / example: berdaya kb diff 2026.1 drafts/2027
    """
    from policy.diff import diff_kb, render_text
    s = _store(store)
    (a, la), (b, lb) = resolve_kb(s, old), resolve_kb(s, new)
    diff = diff_kb(a, b, old_label=la, new_label=lb)
    typer.echo(json.dumps(diff, ensure_ascii=False, indent=1) if fmt == "json" else render_text(diff, lang))


@kb.command("simulate")
@handle_errors()
def simulate_cmd(
    draft: Path = typer.Argument(..., help="Direktori draf / draft directory"),
    against: str = typer.Option(..., "--against", help="Siklus, mis. 2021,2022 atau 2018-2025 / cycles"),
    report: Path = typer.Option(None, "--report", help="Tulis XLSX, CSV dan PNG ke direktori ini / write reports here"),
    proposals: Path = typer.Option(None, "--proposals",
                                   help="Proposal tersimpan (direktori atau berkas); bawaan: siklus SINTETIS / "
                                        "stored proposals; default: the SYNTHETIC demo cycles"),
    workers: int = typer.Option(2, "--workers", min=1, max=16, help="Proses pekerja / worker processes"),
    as_of: int = typer.Option(None, "--as-of", help="Nilai dan aturan yang berlaku pada siklus ini, bukan siklus "
                                                     "proposal / judge with what is in force for this cycle"),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
    lang: str = typer.Option("id", "--lang", help="id | en"),
) -> None:
    """Putar ulang siklus lampau dengan draf / what-if replay of past cycles under a draft.

    Contoh / example: berdaya kb simulate drafts/2026 --against 2024,2025 --report laporan/
    """
    from policy.drafts import simulate_draft
    from policy.whatif_report import write_report
    s = _store(store)
    cycles = parse_cycles(against)
    latest = s.latest()
    items = proposal_items(proposals) if proposals else None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=False) as bar:
        task = bar.add_task("Simulasi / simulating", total=None)
        result = simulate_draft(s, draft, items, cycles=cycles, workers=workers, as_of=as_of,
                                synthetic=proposals is None,
                                source="synthetic" if proposals is None else str(proposals),
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
    saved = s.whatif_path(result.report_hash)
    t = result.totals
    if lang == "en":
        typer.echo(f"{t.proposals} proposals of cycles {result.cycles}: verdict changed for "
                   f"{t.verdict_changed}, findings changed for {t.findings_changed} "
                   f"(draft {result.draft.version} vs published {latest.version}).")
    else:
        typer.echo(f"{t.proposals} proposal siklus {result.cycles}: putusan berubah {t.verdict_changed}, "
                   f"temuan berubah {t.findings_changed} (draf {result.draft.version} "
                   f"dibanding versi terbit {latest.version}).")
    for row in result.rules:
        if row.delta:
            typer.echo(f"  {row.rule_id}: {row.before} → {row.after}")
    typer.echo(f"Laporan what-if / what-if report: {saved}")
    if report:
        for path in write_report(result, report):
            typer.echo(f"  {path}")


@kb.command("publish")
@handle_errors()
def publish_cmd(
    draft: Path = typer.Argument(..., help="Direktori draf / draft directory"),
    effective_from: str = typer.Option(..., "--effective-from", help="Tanggal berlaku / effective date (YYYY-MM-DD)"),
    reason: str = typer.Option(..., "--reason", help="Alasan / why"),
    by: str = typer.Option(None, "--by", help="Nama penerbit / who publishes (default: pengguna sistem)"),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
    latest_completed_cycle: int = typer.Option(None, "--latest-completed-cycle",
                                               help="Siklus selesai terakhir (bawaan: tahun lalu) / latest completed cycle"),
) -> None:
    """Terbitkan draf sebagai versi baru / publish a draft as a new, immutable version.

    Contoh / example: berdaya kb publish drafts/2026 --effective-from 2026-01-01 --reason "Hasil evaluasi 2025"
    """
    from knowledge.dates import tanggal
    from policy.drafts import publish_draft
    s = _store(store)
    pv = publish_draft(s, draft, effective_from=parse_date(effective_from), reason=reason,
                       by=by or os.environ.get("BERDAYA_USER") or getpass.getuser(),
                       latest_completed_cycle=latest_completed_cycle)
    typer.echo(f"Diterbitkan / published: {pv.version}, berlaku / effective {tanggal(pv.effective_from.isoformat())} "
               f"({pv.content_hash[:19]}…)")


@kb.command("versions")
@handle_errors()
def versions_cmd(
    fmt: str = typer.Option("text", "--format", help="text | json"),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Daftar versi terbit / list published versions (effective date, who, when, why).

    Contoh / example: berdaya kb versions
    """
    from knowledge.dates import tanggal
    found = _store(store).versions()
    if fmt == "json":
        typer.echo(json.dumps([v.summary() for v in found], ensure_ascii=False, indent=1))
        return
    typer.echo("Versi / version | berlaku / effective | oleh / by | waktu / when | induk / parent | alasan / reason")
    for v in found:
        m = v.manifest
        extra = f" (rollback {m.rollback_of})" if m.rollback_of else ""
        typer.echo(f"{m.version}{extra} | {tanggal(m.effective_from.isoformat())} | {m.published_by} | "
                   f"{m.published_at.isoformat(timespec='minutes')} | {m.parent or '—'} | {m.reason}")


@kb.command("rollback")
@handle_errors()
def rollback_cmd(
    version: str = typer.Argument(..., help="Versi yang isinya diterbitkan lagi / version whose content to republish"),
    effective_from: str = typer.Option(..., "--effective-from", help="Tanggal berlaku / effective date (YYYY-MM-DD)"),
    reason: str = typer.Option(..., "--reason", help="Alasan / why"),
    by: str = typer.Option(None, "--by", help="Nama penerbit / who publishes"),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Terbitkan lagi isi versi lama sebagai versi baru / publish an earlier version's content as a new version.

    Contoh / example: berdaya kb rollback 2026.1 --effective-from 2028-01-01 --reason "Batas 40% terlalu berat"
    """
    from knowledge.dates import tanggal
    from policy.drafts import rollback
    pv = rollback(_store(store), version, effective_from=parse_date(effective_from), reason=reason,
                                by=by or os.environ.get("BERDAYA_USER") or getpass.getuser())
    typer.echo(f"Diterbitkan / published: {pv.version} (isi / content of {version}), berlaku / effective "
               f"{tanggal(pv.effective_from.isoformat())}")


@kb.command("simulate-index")
@handle_errors()
def simulate_index_cmd(
    records: str = typer.Argument(..., help="Catatan evaluasi (csv|xlsx|json) atau 'sintetis' / evaluation records "
                                            "or 'sintetis' for the SYNTHETIC cycles"),
    index: str = typer.Option(..., "--index", help="Definisi indeks draf (nama atau berkas) / draft index definition"),
    baseline_index: str = typer.Option("ppm", "--baseline-index", help="Definisi terbit / published definition"),
    calibration: Path = typer.Option(None, "--calibration", help="Kalibrasi draf / draft calibration artifact"),
    baseline_calibration: Path = typer.Option(None, "--baseline-calibration",
                                              help="Kalibrasi terbit / published calibration artifact"),
    cycles: str = typer.Option(None, "--cycles", help="Siklus, mis. 2021,2022 / cycles to include"),
    report: Path = typer.Option(None, "--report", help="Tulis XLSX, CSV dan PNG ke direktori ini / write reports here"),
) -> None:
    """Transisi tingkat karena draf indeks/kalibrasi / tier transitions under a draft index or calibration.

    Contoh / example: berdaya kb simulate-index sintetis --index draf-ppm.yaml --cycles 2024,2025
    """
    from knowledge.tables import read_table
    from policy.whatif_tiers import index_whatif, write_tier_report

    wanted = parse_cycles(cycles) if cycles else None
    synthetic = records.lower() in ("sintetis", "synthetic")
    if synthetic:
        from knowledge.synthetic import generate_cycles

        span = range(min(wanted), max(wanted) + 1) if wanted else range(2018, 2026)
        rows = [dict(r) for r in generate_cycles(cycles=span).evaluations]
    else:
        rows = read_table(records)
    rows = [r for r in rows if wanted is None or r.get("cycle") in wanted]
    result = index_whatif(rows, baseline_index=baseline_index, draft_index=index,
                          baseline_calibration=baseline_calibration, draft_calibration=calibration,
                          synthetic=synthetic)
    t = result.totals
    typer.echo(f"{t.units} unit: tingkat berubah / tier changed {t.changed} (naik / up {t.up}, "
               f"turun / down {t.down})")
    if report:
        for path in write_tier_report(result, report):
            typer.echo(f"  {path}")
