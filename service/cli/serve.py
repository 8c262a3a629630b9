"""`berdaya serve` (the HTTP service under uvicorn) and `berdaya run-demo` (what `make run` starts)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer

from service.cli.common import app, handle_errors
from service.settings import Settings

if TYPE_CHECKING:
    from policy.store import KBStore

# The libraries behind these commands are imported inside them: every `berdaya` call
# imports every command module, and most calls need none of them.


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    # Migrate once here, before any worker starts, so workers find the schema ready.
    import uvicorn

    from service.db import Database
    db = Database(settings)
    db.migrate()
    db.dispose()
    # Workers are separate processes: they read the same configuration from the environment.
    os.environ["BERDAYA_DATABASE_URL"] = settings.database_url
    os.environ["BERDAYA_WORKERS"] = str(workers)
    os.environ["BERDAYA_CHECK_WORKERS"] = str(settings.check_workers)
    uvicorn.run("service.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                access_log=False, log_level="warning", timeout_graceful_shutdown=5,
                # Workers start slowly on a busy machine (imports, the rules compile); the default
                # 5 s health check would kill and respawn them before they ever serve.
                timeout_worker_healthcheck=120)


def _check_workers(option: int | None, workers: int) -> int:
    """Check worker processes per uvicorn worker: the option, else $BERDAYA_CHECK_WORKERS, else the
    machine's cores shared among the uvicorn workers (2 on 2 cores with one worker; then the event
    loop and the checks each have a core, as benchmarks/bench_service.py measures)."""
    if option is not None:
        return option
    return int(os.environ.get("BERDAYA_CHECK_WORKERS") or max(1, (os.cpu_count() or 1) // workers))


@app.command()
@handle_errors()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Alamat / bind address"),
    port: int = typer.Option(8000, "--port", help="Port"),
    workers: int = typer.Option(1, "--workers", help="Proses worker / worker processes (PostgreSQL for > 1)"),
    database_url: str | None = typer.Option(None, "--database-url", help="Default: $BERDAYA_DATABASE_URL"),
    check_workers: int | None = typer.Option(
        None, "--check-workers", help="Proses pra-periksa per worker / pre-check processes per worker "
                                      "(default: $BERDAYA_CHECK_WORKERS, else the cores / --workers; 0 = threads)"),
) -> None:
    """Jalankan layanan HTTP / run the HTTP service (OpenAPI at /docs).

    Contoh / example: BERDAYA_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/berdaya berdaya serve --workers 2
    """
    settings = Settings.from_env(database_url=database_url, workers=workers, host=host,
                                 check_workers=_check_workers(check_workers, workers))
    _serve(settings, host, port, workers)


ROLE_WORDS = {"facilitator": "fasilitator / facilitator", "evaluator": "penilai / evaluator",
              "policy": "staf kebijakan / policy staff", "admin": "admin / administrator"}


def demo_banner(address: str, stored: int, keys: dict[str, tuple[str, str]], kelurahan: str) -> str:
    """What `make run` prints before serving: the address, the keys and what to try first (id, then en)."""
    from rules.render import fmt_int

    loaded = (f"Data demo SINTETIS: {fmt_int(stored, 'id')} usulan dimuat dan diperiksa / synthetic demo data: "
              f"{fmt_int(stored, 'en')} proposals loaded and checked" if stored else
              "Data demo SINTETIS sudah ada di basis data / the synthetic demo data is already in the database")
    lines = [
        "", f"Berdaya siap di / Berdaya is ready at {address}/", loaded, "",
        "Kunci demo (label 'demo', hanya untuk demo lokal; kunci demo lama dicabut) /",
        "demo keys (label 'demo', local demo only; earlier demo keys are revoked):",
    ]
    for role, (key_id, key) in keys.items():
        where = f" - kelurahan {kelurahan}" if role == "facilitator" else ""
        lines.append(f"  {ROLE_WORDS.get(role, role):<30} {key}   (id {key_id}{where})")
    lines += [
        "", "Coba dulu / try first:",
        f"  1. {address}/pra-periksa  Pra-periksa usulan RW tanpa kunci: isi formulir siklus 2027 atau unggah",
        "     templat XLSX. / Pre-check an RW proposal, no key needed: fill in the form for cycle 2027 or",
        "     upload the XLSX template.",
        f"  2. {address}/masuk  Masuk dengan kunci fasilitator, periksa lalu Ajukan usulan {kelurahan}. /",
        f"     Sign in with the facilitator key, check and submit a proposal of {kelurahan}.",
        f"  3. {address}/kebijakan  Dengan kunci staf kebijakan: aturan, parameter bertanggal, what-if. /",
        "     With the policy key: rules, dated parameters, what-if.",
        f"  4. {address}/skor  Dengan kunci penilai: unggah evaluasi (berdaya demo-data --out var/demo). /",
        "     With the evaluator key: upload evaluations (berdaya demo-data --out var/demo).",
        f"  5. {address}/docs  API dengan contoh / the API with examples (POST /v1/checks needs no key).",
        "", "Berhenti: Ctrl+C / stop: Ctrl+C", "",
    ]
    return "\n".join(lines)


def older_store_note(store: KBStore) -> str | None:
    """A note when the version store was made by an earlier Berdaya and lacks the shipped versions."""
    from knowledge.kb import load_knowledge_base
    from policy.store import shipped_releases

    shipped = [load_knowledge_base(r.content).version for r in shipped_releases(store.kb_name)]
    published = {pv.version for pv in store.versions()}
    missing = [label for label in shipped if label not in published]
    if not missing:
        return None
    return (f"Catatan: penyimpanan versi {store.root} dibuat Berdaya versi lama dan tidak memuat versi "
            f"{', '.join(missing)}; hapus var/ (make clean) agar mulai dengan versi yang dikirim. / Note: the "
            f"version store {store.root} was made by an earlier Berdaya and lacks version(s) {', '.join(missing)}; "
            "remove var/ (make clean) to start with the shipped versions.")


@app.command("run-demo")
@handle_errors()
def run_demo(
    host: str = typer.Option("127.0.0.1", "--host", help="Alamat / bind address"),
    port: int = typer.Option(8000, "--port", help="Port"),
    kelurahan: str = typer.Option("Cibabat", "--kelurahan", help="Kelurahan kunci fasilitator demo"),
    no_serve: bool = typer.Option(False, "--no-serve", help="Siapkan saja, jangan layani / prepare only"),
) -> None:
    """Siapkan basis data demo (siklus SINTETIS) dan layani / prepare the demo database and serve.

    Creates and migrates var/berdaya.sqlite3 (or $BERDAYA_DATABASE_URL), stores the synthetic
    demo cycles as checked proposals if the database has none, prints one demo key per role.

    Contoh / example: berdaya run-demo
    """
    from service.db import Database
    from service.demo import issue_demo_keys, load_demo_cycles
    from service.engines import Engines
    from service.logs import configure_logging
    settings = Settings.from_env(host=host)
    configure_logging(settings.log_level)
    db = Database(settings)
    db.migrate()
    engines = Engines(settings.kb_dir, settings.index, settings.kb_store)
    stored = load_demo_cycles(db, engines, open_for=kelurahan)
    keys = issue_demo_keys(db, kelurahan)
    db.dispose()
    typer.echo(demo_banner(f"http://{host}:{port}", stored, keys, kelurahan))
    note = older_store_note(engines.store)
    if note:
        typer.echo(note)
    if not no_serve:
        _serve(settings.model_copy(update={"check_workers": _check_workers(None, 1)}), host, port, 1)
