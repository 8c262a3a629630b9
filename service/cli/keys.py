"""`berdaya keys create|link|revoke|list`: API keys for the HTTP service (admin work on the server).

The key itself is printed once, at creation; the database keeps only its hash. With it comes a
one-time sign-in link and its QR code (`berdaya keys link` makes a new one for an existing key),
so that its holder signs in on a phone without typing the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from service.apikeys import ROLES, check_role, hash_key, new_key, new_key_id
from service.cli.common import app, handle_errors
from service.settings import Settings

if TYPE_CHECKING:
    from service.db import Database

keys_app = typer.Typer(help="Kunci API layanan / API keys of the service", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def open_database(database_url: str | None = None) -> Database:
    # Imported here: the database layer loads SQLAlchemy, which other commands do not need.
    from service.db import Database

    db = Database(Settings.from_env(database_url=database_url))
    db.migrate()
    return db


def print_link(db: Database, key_id: str) -> None:
    """A new one-time sign-in link of the key, with its QR code and the time it stops working."""
    from knowledge.dates import date_words
    from service.models import utcnow
    from service.usecases.signin_links import issue_link, terminal_qr

    link = issue_link(db, Settings.from_env(database_url=db.url), key_id, utcnow())
    until = f"{date_words(link.expires_at.date(), 'id')} {link.expires_at:%H.%M} UTC"
    typer.echo(f"tautan masuk sekali pakai / one-time sign-in link (berlaku sampai / valid until {until}):")
    typer.echo(f"link: {link.url}")
    typer.echo(terminal_qr(link.url))


def issue_key(db: Database, role: str, kelurahan: str | None, label: str = "", *, scope: str | None = None,
              kecamatan: str | None = None) -> tuple[str, str]:
    """Create a key; returns (key id, the key itself)."""
    from service import repository

    region = check_role(role, kelurahan, scope=scope, kecamatan=kecamatan)
    key, key_id = new_key(), new_key_id()
    with db.session() as session:
        repository.create_key(session, key_id=key_id, key_hash=hash_key(key), role=role, kelurahan=region.kelurahan,
                              label=label, scope=region.scope, kecamatan=region.kecamatan)
    return key_id, key


@keys_app.command("create")
@handle_errors()
def create(
    role: str = typer.Option(..., "--role", help=f"Peran / role: {', '.join(ROLES)}"),
    kelurahan: str | None = typer.Option(
        None, "--kelurahan", help="Wajib untuk fasilitator dan peninjau kelurahan / facilitators, kelurahan reviewers"),
    scope: str | None = typer.Option(
        None, "--scope", help="Peninjau / reviewers: kelurahan, kecamatan atau/or city (dinas)"),
    kecamatan: str | None = typer.Option(None, "--kecamatan", help="Wajib untuk peninjau kecamatan / kecamatan reviewers"),
    label: str = typer.Option("", "--label", help="Catatan pemilik kunci / who holds the key"),
    database_url: str | None = typer.Option(None, "--database-url", help="Default: $BERDAYA_DATABASE_URL"),
) -> None:
    """Buat kunci API / create an API key (printed once; only its hash is stored).

    Contoh / example: berdaya keys create --role facilitator --kelurahan Cibabat;
    berdaya keys create --role reviewer --scope kecamatan --kecamatan "Cimahi Utara"
    """
    db = open_database(database_url)
    key_id, key = issue_key(db, role, kelurahan, label, scope=scope, kecamatan=kecamatan)
    typer.echo(f"id: {key_id}")
    typer.echo(f"key: {key}")
    print_link(db, key_id)
    typer.echo("Simpan kunci ini sekarang; kunci tidak dapat ditampilkan lagi. / "
               "Store this key now; it cannot be shown again.", err=True)


@keys_app.command("link")
@handle_errors()
def link(
    key_id: str = typer.Argument(..., help="Id kunci / key id (key_...)"),
    database_url: str | None = typer.Option(None, "--database-url", help="Default: $BERDAYA_DATABASE_URL"),
) -> None:
    """Buat tautan masuk sekali pakai (dan kode QR-nya) untuk kunci yang ada / a one-time sign-in link
    (and its QR code) for an existing key.

    Alamatnya dari $BERDAYA_PUBLIC_URL / its address from $BERDAYA_PUBLIC_URL.
    Contoh / example: berdaya keys link key_1a2b3c4d5e6f
    """
    print_link(open_database(database_url), key_id)


@keys_app.command("revoke")
@handle_errors()
def revoke(
    key_id: str = typer.Argument(..., help="Id kunci / key id (key_...)"),
    database_url: str | None = typer.Option(None, "--database-url", help="Default: $BERDAYA_DATABASE_URL"),
) -> None:
    """Cabut kunci API / revoke an API key.

    Contoh / example: berdaya keys revoke key_1a2b3c4d5e6f
    """
    from service import repository

    db = open_database(database_url)
    with db.session() as session:
        row = repository.revoke_key(session, key_id)
    typer.echo(f"dicabut / revoked: {row.id}")


@keys_app.command("list")
@handle_errors()
def list_(
    database_url: str | None = typer.Option(None, "--database-url", help="Default: $BERDAYA_DATABASE_URL"),
) -> None:
    """Daftar kunci API (tanpa kuncinya) / list API keys (never the keys themselves).

    Contoh / example: berdaya keys list
    """
    from service import repository

    db = open_database(database_url)
    with db.session() as session:
        rows = repository.list_keys(session)
    for row in rows:
        state = f"dicabut/revoked {row.revoked_at.isoformat()}" if row.revoked_at else "aktif/active"
        region = row.kelurahan or row.kecamatan or ("kota/city" if row.scope == "city" else "-")
        typer.echo(f"{row.id}\t{row.role}\t{row.scope or '-'}\t{region}\t{state}\t{row.label}")
