"""Helpers of the service tests: settings, keys per role, proposals in another region, score records,
and `berdaya serve` as a real process."""

from __future__ import annotations

import copy
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi.routing import APIRoute

from calibration.artifact import build_artifact
from knowledge.documents import parse_proposal
from knowledge.indices import load_index_definition
from service import repository
from service.apikeys import hash_key, new_key, new_key_id
from service.permissions import Permission
from service.schemas import EXAMPLE_RECORD
from service.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def checked_in_force(app, proposal: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """(check JSON, knowledge-base content hash) of the published version in force for the proposal's cycle."""
    done = app.state.services.engines.registry.check_in_force(parse_proposal(proposal))
    return json.loads(json.dumps(done.result.model_dump(mode="json"))), done.kb_hash


def make_settings(url: str, **overrides: Any) -> Settings:
    return Settings(database_url=url, **overrides)


@dataclass
class Keys:
    facilitator: str
    facilitator_other: str
    evaluator: str
    policy: str
    admin: str

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role)}"}


def add_key(app, role: str, kelurahan: str | None = None) -> tuple[str, str]:
    key, key_id = new_key(), new_key_id()
    with app.state.services.db.session() as session:
        repository.create_key(session, key_id=key_id, key_hash=hash_key(key), role=role, kelurahan=kelurahan)
    return key_id, key


PROBLEM = "application/problem+json"


def reviewer(app, scope: str, *, kelurahan: str | None = None, kecamatan: str | None = None) -> dict[str, str]:
    key = new_key()
    with app.state.services.db.session() as session:
        repository.create_key(session, key_id=new_key_id(), key_hash=hash_key(key), role="reviewer",
                              kelurahan=kelurahan, scope=scope, kecamatan=kecamatan)
    return {"Authorization": f"Bearer {key}"}


def read(client, keys, pid) -> dict:
    return client.get(f"/v1/proposals/{pid}", headers=keys.auth("facilitator")).json()


def refused(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["message"]["id"] and body["message"]["en"] and body["message"]["id"] != body["message"]["en"]
    return body


def with_region(proposal: dict, kelurahan: str, kecamatan: str, rw: int) -> dict:
    out = copy.deepcopy(proposal)
    out["region"] = {"kecamatan": kecamatan, "kelurahan": kelurahan, "rw": rw}
    return out


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def record(rw: int, **changes) -> dict:
    row = copy.deepcopy(EXAMPLE_RECORD)
    row["rw"] = rw
    row.update(changes)
    return row


# A known fixture for following advice (synthetic records): in 2023 the score advises raising "Porsi dana
# pihak lain" (other_funding_share, 0 -> 0.3) and lowering "Keterlambatan LPJ (hari)" (lpj_days_late, 90 -> 0).
ADVISED_2023 = {"other_funding_share": 0.0, "lpj_days_late": 90, "public_disclosure": 2}
NEXT_2024 = {1: {"other_funding_share": 0.2, "lpj_days_late": 30},    # both moved the advised way
             2: {"other_funding_share": 0.0, "lpj_days_late": 120},   # neither: one unchanged, one worse
             3: {"other_funding_share": 0.1, "lpj_days_late": 90}}    # one of the two


def advice_records() -> list[dict]:
    """RW 1, 2 and 3 of Cibabat in 2023 (the same advice) and 2024 (followed, not followed, partly)."""
    return [record(rw, cycle=2023, **ADVISED_2023) for rw in NEXT_2024] + [
        record(rw, cycle=2024, **{**ADVISED_2023, **later}) for rw, later in NEXT_2024.items()]


def known_tier_rows(cycles=(2022, 2023), per_cycle=60, seed=3) -> list[dict]:
    """Synthetic rows whose evaluator tiers are their own ppm scores cut at the quartiles, with a little
    perception noise: a calibration on them has a known answer."""
    import numpy as np

    from knowledge.synthetic import noisy_tiers, rows_from_columns, synthetic_indicator_matrix
    from scoring.engine import score_table

    definition = load_index_definition("ppm")
    rows = rows_from_columns(synthetic_indicator_matrix(per_cycle * len(cycles), seed, cycles=cycles))
    scores = np.array(score_table(definition, rows).score, dtype=float)
    cuts = np.quantile(scores, [0.25, 0.5, 0.75])
    _, tiers, _ = noisy_tiers(scores, cuts, 0.1, np.random.default_rng(seed))
    for row, tier in zip(rows, tiers, strict=True):
        row.update(evaluator_tier=definition.tier_ids[int(tier)], synthetic=True)
    return rows


def artifact(cuts=(0.35, 0.55, 0.75)) -> dict:
    definition = load_index_definition("ppm")
    return build_artifact(index_name="ppm", index_hash=definition.content_hash(), method="fixed",
                          cycles=[2022, 2023], tiers=list(definition.tier_ids), cut_points=list(cuts),
                          cut_intervals=[[c, c] for c in cuts], validation={}, synthetic=True)


def upload(client, keys, art, role="policy"):
    return client.post("/v1/calibrations", json=art, headers=keys.auth(role))


BIN = Path(sys.executable).parent / "berdaya"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(url: str, workers: int, cwd: Path, **env_extra: str) -> Iterator[tuple[str, dict, Path]]:
    """`berdaya serve` as a real process on a free loopback port: (base URL, its environment, its log)."""
    port = free_port()
    env = {**os.environ, "BERDAYA_DATABASE_URL": url, **env_extra}
    log_path = cwd / "stdout.log"
    out = log_path.open("w+")
    proc = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out.seek(0)
                raise AssertionError(f"berdaya serve did not start: {out.read()}")
            time.sleep(0.2)
        yield base, env, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()


def cli_key(env: dict, role: str, kelurahan: str | None = None) -> str:
    """A new API key made with `berdaya keys create` against the server's database."""
    args = [str(BIN), "keys", "create", "--role", role] + (["--kelurahan", kelurahan] if kelurahan else [])
    created = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"key: (bdy_\S+)", created.stdout)
    assert found, created.stdout
    return found.group(1)


def permission_of(dependant) -> Permission | None:
    """The permission a route's dependencies ask for (None for a public route)."""
    for dependency in dependant.dependencies:
        found = getattr(dependency.call, "permission", None) or permission_of(dependency)
        if found is not None:
            return found
    return None


def api_routes(routes_) -> list[APIRoute]:
    """Every APIRoute of an app; included routers are one node each, their routes inside."""
    out = []
    for route in routes_:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out += api_routes(route.original_router.routes)
    return out


def routes(app) -> list[tuple[str, str, Permission | None]]:
    """(method, path, permission) of every route of an app."""
    return [(method, route.path, permission_of(route.dependant))
            for route in api_routes(app.routes) for method in sorted(route.methods)]


def kb_base_proposal() -> dict:
    """The knowledge base's hand-written base proposal (RW 05 Cibabat 2022; eligible, not real data)."""
    from knowledge.documents import read_document, to_jsonable
    from knowledge.kb import DEFAULT_KB

    return to_jsonable(read_document(DEFAULT_KB / "tests" / "base_proposal.yaml"))


def wages_and_over_ceiling() -> dict:
    data = kb_base_proposal()
    data["activities"][0]["budget_lines"][3]["source"] = "ppm"        # Rp 4.000.000 of wages from PPM money
    data["activities"][1]["budget_lines"][0]["unit_price"] = 50_000_000  # PPM over the Rp 75.000.000 ceiling
    return data
