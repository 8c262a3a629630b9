"""The demo database: synthetic cycles stored as proposals with their checks, and demo keys.

Used by `berdaya run-demo` (what `make run` starts). Everything loaded here is synthetic
and stored with `synthetic = true`; the keys are labelled `demo`.
"""

from __future__ import annotations

from knowledge.documents import parse_proposal, to_jsonable
from knowledge.reference import load_reference
from knowledge.synthetic import generate_cycles
from service import repository
from service.apikeys import ROLES, check_role, hash_key, new_key, new_key_id
from service.db import Database
from service.engines import Engines

DEMO_LABEL = "demo"


def load_demo_cycles(db: Database, engines: Engines, *, seed: int = 2018, open_for: str | None = None) -> int:
    """Check and store every synthetic proposal, if the database holds no proposal yet.

    `open_for` (the demo facilitator's kelurahan): its RWs get no proposal of the latest cycle, so
    the demo facilitator can still submit one for the current cycle instead of meeting a conflict.
    """
    with db.session() as session:
        if repository.count_proposals(session):
            return 0
    generated = generate_cycles(seed=seed).proposals
    latest = max((int(item.proposal["cycle"]) for item in generated), default=0)
    known = load_reference().find_kelurahan(open_for) if open_for else None
    left_open = known.name if known else open_for
    items = []
    for item in generated:
        if int(item.proposal["cycle"]) == latest and item.proposal["region"]["kelurahan"] == left_open:
            continue
        proposal = parse_proposal(item.proposal, source="synthetic")
        check, audit = engines.check_audited(proposal)
        # Each proposal records the version in force for its own cycle.
        items.append((to_jsonable(proposal.model_dump(mode="json")), check, audit.content_hash))
    with db.session() as session:
        return repository.submit_many(session, items, synthetic=True)


def issue_demo_keys(db: Database, kelurahan: str) -> dict[str, tuple[str, str]]:
    """Revoke earlier demo keys and create one per role; returns role -> (key id, key)."""
    with db.session() as session:
        old = [k.id for k in repository.list_keys(session) if k.label == DEMO_LABEL and k.revoked_at is None]
    for key_id in old:
        with db.session() as session:
            repository.revoke_key(session, key_id)
    keys: dict[str, tuple[str, str]] = {}
    for role in ROLES:
        # The demo's reviewer decides at the chain's last stage, city-wide (the dinas).
        region = check_role(role, kelurahan if role == "facilitator" else None,
                            scope="city" if role == "reviewer" else None)
        key, key_id = new_key(), new_key_id()
        with db.session() as session:
            repository.create_key(session, key_id=key_id, key_hash=hash_key(key), role=role, kelurahan=region.kelurahan,
                                  label=DEMO_LABEL, scope=region.scope, kecamatan=region.kecamatan)
        keys[role] = (key_id, key)
    return keys
