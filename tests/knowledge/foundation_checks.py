"""An independent check of generated proposals against the shipped knowledge base's thresholds, for the tests.

It does not use the generator's code, settings or the knowledge base: the numbers below are
stated here, from the thresholds the shipped knowledge base enforces for each cycle.
"""

from __future__ import annotations

import datetime as dt

# What the shipped knowledge base enforces (parameters of ppm-cimahi 2026.1).
KB = {
    "pagu": {2018: 72_500_000, 2019: 72_500_000, 2026: 150_000_000},  # 75,000,000 in 2021-2025
    "split_2018": (50_000_000, 22_500_000),   # infrastructure, community activities (2018 only)
    "menu_2026_off": {"sarana_prasarana.gedung_serbaguna", "sarana_prasarana.kantor_rw",
                      "sarana_prasarana.penerangan_cctv", "sarana_prasarana.mushola", "sarana_prasarana.gapura"},
    "max_mamin_share": 0.10,
    "min_women_attendance_share": 0.30,
    "min_poor_attendance_share": 0.10,
    "min_attendance_share_of_households": 0.10,
    "min_poor_beneficiary_share": 0.10,
    "min_pemberdayaan_share": 0.10,
    "min_swadaya_share": 0.05,
    "min_women_team_share": 0.30,
    "required_documents": {"berita_acara_musyawarah", "daftar_hadir", "rab", "foto_lokasi", "surat_pernyataan_swadaya"},
}
NEGATIVE_WORDS = ("kendaraan bermotor", "sepeda motor", "mobil", "pembelian tanah", "gaji", "honor",
                  "minuman keras", "senjata", "kampanye", "partai")
PUBLIC_BUILDINGS = {"sarana_prasarana.posyandu", "sarana_prasarana.gedung_serbaguna", "sarana_prasarana.kantor_rw"}


def pagu(cycle: int) -> int:
    return KB["pagu"].get(cycle, 150_000_000 if cycle >= 2026 else 75_000_000)


def total(line: dict) -> int:
    return round(line["quantity"] * line["unit_price"])


def measures(p: dict) -> dict:
    lines = [bl for a in p["activities"] for bl in a["budget_lines"]]
    ppm = sum(total(bl) for bl in lines if bl["source"] == "ppm")
    value = sum(total(bl) for bl in lines)
    att = p["musyawarah"]["attendance"]
    pemb = sum(total(bl) for a in p["activities"] if a["category"].startswith("pemberdayaan.")
               for bl in a["budget_lines"] if bl["source"] == "ppm")
    infra = [a for a in p["activities"] if a["category"].startswith("sarana_prasarana.")]
    return {
        "ppm_total": ppm,
        "ppm_pemberdayaan": pemb,
        "ppm_sarana_prasarana": ppm - pemb,
        "mamin_share": sum(total(bl) for bl in lines if bl["source"] == "ppm" and bl["kind"] == "mamin") / ppm,
        "swadaya_share": sum(total(bl) for bl in lines if bl["source"] == "swadaya") / value,
        "pemberdayaan_share": pemb / ppm,
        "women_share": att["women"] / att["total"],
        "poor_share": att["poor"] / att["total"],
        "attendance_share": att["total"] / p["musyawarah"]["households_in_rw"],
        "disability": att["persons_with_disability"],
        "youth": att["youth"],
        "team_women_share": p["team"]["women_members"] / p["team"]["members"],
        "min_poor_beneficiary_share": min(
            (a["beneficiaries"]["poor_households"] / a["beneficiaries"]["households"] for a in infra), default=1.0),
    }


def violations(p: dict) -> set[str]:
    """Problem names (the seeded problem types) plus 'other:<what>' for anything else broken."""
    m, out = measures(p), set()
    cycle = p["cycle"]
    lines = [bl for a in p["activities"] for bl in a["budget_lines"]]
    over_split = cycle == 2018 and (m["ppm_sarana_prasarana"] > KB["split_2018"][0]
                                    or m["ppm_pemberdayaan"] > KB["split_2018"][1])
    if m["ppm_total"] > pagu(cycle) or over_split:
        out.add("over_ceiling")
    if any(bl["source"] == "ppm" and bl["kind"] == "upah" for bl in lines):
        out.add("wages_from_ppm")
    if m["mamin_share"] > KB["max_mamin_share"]:
        out.add("mamin_over_cap")
    if any(bl.get("cash_to_individuals") for bl in lines):
        out.add("cash_to_individuals")
    if any(a.get("repairs_flood_damage") for a in p["activities"]):
        out.add("flood_damage_repair")
    if any(w in bl["item"].casefold() for bl in lines for w in NEGATIVE_WORDS):
        out.add("negative_list_item")
    if not KB["required_documents"] <= set(p["documents"]):
        out.add("missing_documents")
    if p.get("amends") and not p["amends"]["berita_acara_perubahan"]:
        out.add("amendment_without_berita_acara")
    if m["women_share"] < KB["min_women_attendance_share"]:
        out.add("no_women_in_musyawarah")
    if m["poor_share"] < KB["min_poor_attendance_share"]:
        out.add("no_poor_in_musyawarah")
    if any(a["category"].startswith("sarana_prasarana.") and not a.get("maintenance_plan") for a in p["activities"]):
        out.add("no_maintenance_plan")
    written = [bl for bl in lines if bl.get("amount") is not None]
    if any(bl["amount"] != total(bl) for bl in written) or (
            p.get("requested_total") is not None and p["requested_total"] != m["ppm_total"]):
        out.add("arithmetic_slip")
    year = [(dt.date.fromisoformat(a["start"]), dt.date.fromisoformat(a["end"])) for a in p["activities"]]
    if any(s.year != cycle or e.year != cycle for s, e in year):
        out.add("dates_outside_cycle")
    # Everything else must hold in every proposal, seeded or not.
    checks = {
        "disability": m["disability"] >= 1,
        "youth": m["youth"] >= 1,
        "attendance_quorum": m["attendance_share"] >= KB["min_attendance_share_of_households"],
        "poor_beneficiaries": m["min_poor_beneficiary_share"] >= KB["min_poor_beneficiary_share"],
        "pemberdayaan_share": m["pemberdayaan_share"] >= KB["min_pemberdayaan_share"],
        "swadaya_share": m["swadaya_share"] >= KB["min_swadaya_share"],
        "team_women": m["team_women_share"] >= KB["min_women_team_share"],
        "menu": cycle < 2026 or not any(a["category"] in KB["menu_2026_off"] for a in p["activities"]),
        "accessibility": all(a["accessibility_features"] for a in p["activities"] if a["category"] in PUBLIC_BUILDINGS),
        "musyawarah_in_january": dt.date.fromisoformat(p["musyawarah"]["date"]) == dt.date.fromisoformat(
            p["musyawarah"]["date"]).replace(year=cycle, month=1),
        "submitted_in_february": dt.date.fromisoformat(p["submitted_on"]).timetuple()[:2] == (cycle, 2),
        "activities_after_submission": all(s > dt.date.fromisoformat(p["submitted_on"]) for s, _ in year),
    }
    out.update(f"other:{name}" for name, ok in checks.items() if not ok)
    return out


def threshold_distances(p: dict) -> dict[str, float]:
    """How far a proposal's values lie from each threshold, on the allowed side (negative: broken)."""
    m = measures(p)
    out = {"ppm_total": 1 - m["ppm_total"] / pagu(p["cycle"]), "mamin_share": KB["max_mamin_share"] - m["mamin_share"]}
    for key, name in (("women_share", "min_women_attendance_share"), ("poor_share", "min_poor_attendance_share"),
                      ("attendance_share", "min_attendance_share_of_households"),
                      ("min_poor_beneficiary_share", "min_poor_beneficiary_share"),
                      ("pemberdayaan_share", "min_pemberdayaan_share"), ("swadaya_share", "min_swadaya_share"),
                      ("team_women_share", "min_women_team_share")):
        out[key] = m[key] - KB[name]
    return out
