"""`berdaya keys ...` and `berdaya run-demo --no-serve`: keys are stored only as hashes."""

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from service.app import create_app
from service.cli import app as cli
from service.settings import Settings
from tests.service.web.helpers import valid_proposal

runner = CliRunner()


def invoke(args, url):
    return runner.invoke(cli, args, env={"BERDAYA_DATABASE_URL": url})


def test_keys_create_list_revoke_and_only_hashes_are_stored(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    created = invoke(["keys", "create", "--role", "facilitator", "--kelurahan", "cibabat", "--label", "Bu Ani"], url)
    assert created.exit_code == 0, created.output
    key_id = re.search(r"id: (key_\w+)", created.output).group(1)
    key = re.search(r"key: (bdy_\S+)", created.output).group(1)

    listed = invoke(["keys", "list"], url)
    assert key_id in listed.output and "Cibabat" in listed.output and key not in listed.output

    engine = create_engine(url)
    with engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM api_keys")) for v in row)
    engine.dispose()
    assert key not in dump and key[4:] not in dump

    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/v1/proposals", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert invoke(["keys", "revoke", key_id], url).exit_code == 0
        assert client.get("/v1/proposals", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert "revoked" in invoke(["keys", "list"], url).output


def test_keys_create_prints_a_one_time_sign_in_link_and_its_qr_code(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    env = {"BERDAYA_DATABASE_URL": url, "BERDAYA_PUBLIC_URL": "https://berdaya.example.id/"}
    created = runner.invoke(cli, ["keys", "create", "--role", "facilitator", "--kelurahan", "Cibabat"], env=env)
    assert created.exit_code == 0, created.output
    link = re.search(r"link: (https://berdaya\.example\.id/masuk/tautan/([\w-]{43}))\n", created.output)
    assert link, created.output
    assert "berlaku sampai" in created.output and "valid until" in created.output
    qr_rows = [line for line in created.output.splitlines() if set(line) <= set("█▀▄ ") and len(line) > 20]
    assert len(qr_rows) >= 15 and len({len(row) for row in qr_rows}) == 1  # a square of half-block rows

    key_id = re.search(r"id: (key_\w+)", created.output).group(1)
    again = runner.invoke(cli, ["keys", "link", key_id], env=env)
    assert again.exit_code == 0 and "/masuk/tautan/" in again.output and link.group(2) not in again.output
    with TestClient(create_app(Settings(database_url=url))) as client:
        path = "/masuk/tautan/" + link.group(2)
        assert client.get(path).status_code == 200
        assert invoke(["keys", "revoke", key_id], url).exit_code == 0
        assert client.get(path).status_code == 410
    refused = runner.invoke(cli, ["keys", "link", key_id], env=env)
    assert refused.exit_code == 2 and "dicabut" in refused.output
    assert runner.invoke(cli, ["keys", "link", "key_000000000000"], env=env).exit_code == 2


def test_keys_create_refuses_bad_roles_and_scopes(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    assert invoke(["keys", "create", "--role", "mayor"], url).exit_code == 2
    assert invoke(["keys", "create", "--role", "facilitator"], url).exit_code == 2
    assert invoke(["keys", "create", "--role", "facilitator", "--kelurahan", "Atlantis"], url).exit_code == 2
    assert invoke(["keys", "create", "--role", "evaluator", "--kelurahan", "Cibabat"], url).exit_code == 2
    assert invoke(["keys", "revoke", "key_000000000000"], url).exit_code == 2


def test_run_demo_loads_synthetic_cycles_and_prints_a_working_key_per_role(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = invoke(["run-demo", "--no-serve"], url)
    assert result.exit_code == 0, result.output
    loaded = int(re.search(r"([\d,]+) proposals loaded", result.output).group(1).replace(",", ""))
    assert loaded > 0
    words = {"facilitator": "facilitator", "evaluator": "evaluator", "policy staff": "policy",
             "administrator": "admin"}
    found = re.findall(r"^\s+\S.*? / (facilitator|evaluator|policy staff|administrator)\s+(bdy_\S+)", result.output, re.M)
    keys = {words[role]: key for role, key in found}
    assert set(keys) == {"facilitator", "evaluator", "policy", "admin"}
    with TestClient(create_app(Settings(database_url=url))) as client:
        listing = client.get("/v1/proposals?limit=1", headers={"Authorization": f"Bearer {keys['evaluator']}"})
        assert listing.json()["total"] == loaded
        first = client.get(f"/v1/proposals/{listing.json()['items'][0]['id']}",
                           headers={"Authorization": f"Bearer {keys['policy']}"}).json()
        assert first["synthetic"] is True
        replay = client.post(f"/v1/decisions/{first['decision_id']}/replay",
                             headers={"Authorization": f"Bearer {keys['admin']}"}).json()
        assert replay["identical"] is True
        mine = client.get("/v1/proposals", headers={"Authorization": f"Bearer {keys['facilitator']}"}).json()
        assert {i["kelurahan"] for i in mine["items"]} <= {"Cibabat"}
        # The current cycle is left open for the demo facilitator's kelurahan (others have theirs).
        everyone = {"Authorization": f"Bearer {keys['evaluator']}"}
        assert client.get("/v1/proposals?cycle=2026&kelurahan=Cibabat", headers=everyone).json()["total"] == 0
        assert client.get("/v1/proposals?cycle=2026&kelurahan=Melong", headers=everyone).json()["total"] > 0
        current = json.loads(json.dumps(valid_proposal()).replace("2022-", "2026-"))
        current.update(cycle=2026, title="Perbaikan drainase 2026 (SINTETIS)")
        submitted = client.post("/v1/proposals", json=current,
                                headers={"Authorization": f"Bearer {keys['facilitator']}"})
        assert submitted.status_code == 201, submitted.text
    again = invoke(["run-demo", "--no-serve"], url)  # a second run loads nothing and revokes old demo keys
    assert "already in the database" in again.output
    with TestClient(create_app(Settings(database_url=url))) as client:
        old = client.get("/v1/proposals", headers={"Authorization": f"Bearer {keys['evaluator']}"})
        assert old.status_code == 401


def test_run_demo_is_quiet_and_says_where_to_go_first(tmp_path):
    result = invoke(["run-demo", "--no-serve", "--port", "8123"], f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    lines = result.output.splitlines()
    assert len(lines) < 40, f"{len(lines)} lines"      # not one log line per stored proposal
    assert sum(line.startswith("{") for line in lines) <= 1
    text = result.output
    assert "Berdaya siap di / Berdaya is ready at http://127.0.0.1:8123/" in text
    assert text.index("Coba dulu") < text.index("try first") and "http://127.0.0.1:8123/pra-periksa" in text
    assert text.index("Kunci demo") < text.index("Coba dulu")


def test_run_demo_says_when_the_version_store_predates_the_shipped_versions(tmp_path):
    from knowledge.versions import SHIPPED_KB
    from policy.store import KBStore

    old = KBStore(tmp_path / "old-store", initial_dir=SHIPPED_KB)   # one version, as an earlier Berdaya made
    assert [pv.version for pv in old.versions()] == ["2026.1"]
    result = runner.invoke(cli, ["run-demo", "--no-serve"], env={
        "BERDAYA_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "BERDAYA_KB_STORE": str(old.root)})
    assert result.exit_code == 0, result.output
    assert "tidak memuat versi 2025.2" in result.output and "make clean" in result.output
    fresh = invoke(["run-demo", "--no-serve"], f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    assert "make clean" not in fresh.output


def test_reviewer_keys_carry_their_scope_and_region(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    created = invoke(["keys", "create", "--role", "reviewer", "--scope", "kecamatan", "--kecamatan",
                      "cimahi utara"], url)
    assert created.exit_code == 0, created.output
    assert "kecamatan\tCimahi Utara" in invoke(["keys", "list"], url).output
    assert invoke(["keys", "create", "--role", "reviewer", "--scope", "city"], url).exit_code == 0
    assert invoke(["keys", "create", "--role", "reviewer", "--scope", "kelurahan", "--kelurahan", "Melong"],
                  url).exit_code == 0
    for bad in (["--scope", "planet"], [], ["--scope", "kecamatan"], ["--scope", "kecamatan", "--kecamatan", "Bogor"],
                ["--scope", "kelurahan"], ["--scope", "city", "--kecamatan", "Cimahi Utara"],
                ["--scope", "kecamatan", "--kecamatan", "Cimahi Utara", "--kelurahan", "Cibabat"]):
        refused = invoke(["keys", "create", "--role", "reviewer", *bad], url)
        assert refused.exit_code == 2, bad
    assert invoke(["keys", "create", "--role", "facilitator", "--kelurahan", "Cibabat", "--scope", "city"],
                  url).exit_code == 2
