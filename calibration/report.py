"""The evaluators' report of a calibration: three PNG charts and a short bilingual summary.

Charts (matplotlib, Agg backend, no display needed): score distributions per evaluator tier
with the cut points and their bootstrap intervals, tier shares per cycle (evaluators' and
under the fitted cuts), and the leave-one-cycle-out confusion matrix of the chosen method.
`tingkat_unit.csv` lists every unit with its tier probability and flag. The summary
(`ringkasan.md`) is in Bahasa Indonesia first, English after; it names the kind of
uncertainty it shows and labels synthetic data SINTETIS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from calibration.fit import CalibrationResult

from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from calibration.estimators import QuantileCalibrator
from calibration.uncertainty import FLAG_BELOW, KIND
from knowledge.atomic import write_atomic, write_text_atomic
from knowledge.dates import date_words
from knowledge.tables import write_table

FILES = ("sebaran_skor.png", "pangsa_tingkat.png", "matriks_konfusi.png", "tingkat_unit.csv", "ringkasan.md")




def _num(value: float | None, decimals: int = 4, lang: str = "id") -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "id" else text


def _save(fig: Figure, path: Path) -> None:
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=110, bbox_inches="tight"))
    finally:
        plt.close(fig)


def _title(text: str, synthetic: bool) -> str:
    return f"[SINTETIS / SYNTHETIC] {text}" if synthetic else text


def chart_scores(result: CalibrationResult, path: Path) -> None:
    names = [t.name.id for t in result.definition.tiers.levels]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    data = result.data
    bins = np.linspace(float(data.scores.min()), float(data.scores.max()), 40)
    for k, name in enumerate(names):
        chosen = data.scores[data.tiers == k]
        if chosen.size:
            ax.hist(chosen, bins=bins.tolist(), alpha=0.55, label=f"{name} (n={chosen.size})")
    for cut, (lo, hi) in zip(result.estimator.cut_points_, result.bootstrap.intervals):
        ax.axvspan(lo, hi, color="grey", alpha=0.25)
        ax.axvline(cut, color="black", linewidth=1.2)
    ax.set_xlabel("Skor indeks / index score")
    ax.set_ylabel("Jumlah unit / units")
    ax.legend(title="Tingkat penilai / evaluator tier", fontsize=8)
    ax.set_title(_title("Sebaran skor per tingkat penilai, titik potong (garis) dan selang bootstrap 95% (abu-abu)\n"
                        "Scores per evaluator tier, cut points (lines), 95% bootstrap intervals (grey)",
                        result.synthetic), fontsize=9)
    _save(fig, path)


def shares_by_cycle(result: CalibrationResult) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Cycles and the tier shares per cycle: evaluators' and under the fitted cuts."""
    data = result.data
    k = len(result.definition.tier_ids)
    cycles = sorted(set(data.cycles.tolist()))
    fitted = result.estimator.predict(data.scores)
    evaluator = np.array([np.bincount(data.tiers[data.cycles == c], minlength=k) for c in cycles], dtype=float)
    model = np.array([np.bincount(fitted[data.cycles == c], minlength=k) for c in cycles], dtype=float)
    return cycles, evaluator / evaluator.sum(1, keepdims=True), model / model.sum(1, keepdims=True)


def chart_shares(result: CalibrationResult, path: Path) -> None:
    names = [t.name.id for t in result.definition.tiers.levels]
    cycles, evaluator, model = shares_by_cycle(result)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, shares, label in ((axes[0], evaluator, "Tingkat penilai / evaluator tiers"),
                              (axes[1], model, "Titik potong terkalibrasi / calibrated cuts")):
        bottom = np.zeros(len(cycles))
        for k, name in enumerate(names):
            ax.bar([str(c) for c in cycles], shares[:, k], bottom=bottom, label=name)
            bottom += shares[:, k]
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("Siklus / cycle")
    axes[0].set_ylabel("Pangsa / share")
    axes[1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle(_title("Pangsa tingkat per siklus / tier shares per cycle", result.synthetic), fontsize=10)
    _save(fig, path)


def chart_confusion(result: CalibrationResult, path: Path) -> None:
    names = [t.name.id for t in result.definition.tiers.levels]
    matrix = np.array(result.validation[result.method]["pooled"]["confusion"])
    fig, ax = plt.subplots(figsize=(5.5, 4.8))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), n in np.ndenumerate(matrix):
        ax.text(j, i, str(n), ha="center", va="center", color="white" if n > matrix.max() / 2 else "black")
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("Prediksi (tinggalkan satu siklus) / predicted (leave one cycle out)")
    ax.set_ylabel("Tingkat penilai / evaluator tier")
    ax.set_title(_title(f"Matriks konfusi / confusion matrix: {result.method}", result.synthetic), fontsize=9)
    _save(fig, path)


def unit_table(result: CalibrationResult, path: Path) -> None:
    """One row per unit: identifiers, score, evaluator and calibrated tier, tier probability, flag."""
    data = result.data
    tiers = result.definition.tier_ids
    predicted = result.estimator.predict(data.scores)
    rows = [{**unit, "score": round(float(score), 6), "evaluator_tier": tiers[t], "tier": tiers[p],
             "tier_probability": round(float(prob), 4), "flagged": bool(flag),
             "synthetic": result.synthetic}
            for unit, score, t, p, prob, flag in zip(data.units, data.scores, data.tiers, predicted,
                                                     result.tier_probability, result.flagged)]
    write_atomic(path, lambda tmp: write_table(rows, tmp, "csv"))


def _validation_rows(result: CalibrationResult, lang: str) -> list[str]:
    head = ("| metode | akurasi | kappa kuadratik | galat tingkat rata-rata | n | siklus dilewati |"
            if lang == "id" else "| method | accuracy | quadratic kappa | mean abs. tier error | n | cycles skipped |")
    rows = [head, "|---|---|---|---|---|---|"]
    for name, res in result.validation.items():
        p = res["pooled"]
        skipped = ", ".join(str(s["cycle"]) for s in res["skipped"]) or "–"
        mark = " *" if name == result.method else ""
        rows.append(f"| {name}{mark} | {_num(p['accuracy'], 3, lang)} | {_num(p['quadratic_kappa'], 3, lang)} | "
                    f"{_num(p['mean_abs_tier_error'], 3, lang)} | {p['n']} | {skipped} |")
    return rows


def _cut_rows(result: CalibrationResult, lang: str) -> list[str]:
    tiers = [t.name.id if lang == "id" else t.name.en for t in result.definition.tiers.levels]
    head = "| batas | titik potong | selang bootstrap 95% |" if lang == "id" else \
        "| boundary | cut point | 95% bootstrap interval |"
    rows = [head, "|---|---|---|"]
    for k, (cut, (lo, hi)) in enumerate(zip(result.estimator.cut_points_, result.bootstrap.intervals)):
        rows.append(f"| {tiers[k]} → {tiers[k + 1]} | {_num(cut, 4, lang)} | "
                    f"{_num(lo, 4, lang)} – {_num(hi, 4, lang)} |")
    return rows


def model_probability_share(result: CalibrationResult) -> float | None:
    """Share of units whose own-model P(assigned tier) is below the flag level (ordinal only).

    Shown beside the bootstrap figure, clearly named, because the two kinds of uncertainty
    differ a lot and are easily confused.
    """
    if not hasattr(result.estimator, "predict_proba"):
        return None
    proba = result.estimator.predict_proba(result.data.scores)
    own = proba[np.arange(proba.shape[0]), result.estimator.predict(result.data.scores)]
    return float(np.mean(own < FLAG_BELOW)) if own.size else None


def summary_markdown(result: CalibrationResult, created: datetime) -> str:
    """The bilingual summary: Bahasa Indonesia first, then English."""
    art = result.artifact
    boot = result.bootstrap
    flagged, units = int(result.flagged.sum()), int(result.flagged.size)
    share = 100.0 * flagged / units if units else 0.0
    cycles = ", ".join(str(c) for c in result.cycles)
    quantile = result.method == "quantile"
    model_share = model_probability_share(result)
    lines = []
    if result.synthetic:
        lines += ["> **SINTETIS** — data ini hasil pembangkitan untuk demo dan pengujian, bukan data nyata.",
                  "> **SYNTHETIC** — generated data for demos and tests, not real data.", ""]
    lines += [
        f"# Laporan kalibrasi titik potong — {result.definition.title.id}", "",
        f"- Tanggal: {date_words(created, 'id')}",
        f"- Artefak: `{art['id']}`",
        f"- Indeks: `{art['index']['name']}` (hash `{art['index']['hash'][:19]}…`)",
        f"- Siklus acuan: {cycles}; unit dipakai: {result.data.scores.size}"
        + (f"; tidak dapat dinilai: {result.data.unscored}" if result.data.unscored else ""),
        f"- Metode: **{result.method}**", "",
    ]
    if quantile:
        lines += [f"> **Peringatan:** {QuantileCalibrator.warning['id']}", ""]
    lines += ["## Titik potong", "", *_cut_rows(result, "id"), ""]
    lines += ["## Validasi (tinggalkan satu siklus)", "",
              "Setiap siklus secara bergiliran disisihkan; metode dipasang pada siklus lain lalu menebak tingkatnya. "
              "Tanda * = metode terpilih.", "", *_validation_rows(result, "id"), ""]
    lines += ["## Ketidakpastian", "",
              f"Yang ditampilkan: **{KIND['id']}**. Titik potong dipasang ulang pada {boot.cut_samples.shape[0]} "
              f"sampel ulang bootstrap biasa (pangsa tingkat alami; {boot.skipped} ulangan tidak dapat dipasang). "
              f"{flagged} dari {units} unit ({_num(share, 1)}%) memiliki peluang tetap di tingkatnya di bawah "
              f"{_num(FLAG_BELOW, 1)} dan ditandai untuk ditinjau penilai (kolom `flagged` di `tingkat_unit.csv`).", "",
              *([f"Sebagai pembanding saja (tidak dipakai untuk menandai): peluang model logit sendiri "
                 f"P(tingkat) di bawah {_num(FLAG_BELOW, 1)} untuk {_num(100 * model_share, 1)}% unit; itu "
                 "jenis ketidakpastian yang lain.", ""] if model_share is not None else []),
              "## Grafik", "", "![Sebaran skor](sebaran_skor.png)", "", "![Pangsa tingkat](pangsa_tingkat.png)", "",
              "![Matriks konfusi](matriks_konfusi.png)", "", "---", ""]
    lines += [
        f"# Cut-point calibration report — {result.definition.title.en}", "",
        f"- Date: {date_words(created, 'en')}",
        f"- Artifact: `{art['id']}`",
        f"- Index: `{art['index']['name']}` (hash `{art['index']['hash'][:19]}…`)",
        f"- Reference cycles: {cycles}; units used: {result.data.scores.size}"
        + (f"; could not be scored: {result.data.unscored}" if result.data.unscored else ""),
        f"- Method: **{result.method}**", "",
    ]
    if quantile:
        lines += [f"> **Warning:** {QuantileCalibrator.warning['en']}", ""]
    lines += ["## Cut points", "", *_cut_rows(result, "en"), ""]
    lines += ["## Validation (leave one cycle out)", "", "* = chosen method.", "", *_validation_rows(result, "en"), ""]
    lines += ["## Uncertainty", "",
              f"Shown: **{KIND['en']}**. The cuts were refitted on {boot.cut_samples.shape[0]} plain bootstrap "
              f"resamples (natural tier shares; {boot.skipped} replicates could not be fitted). {flagged} of {units} "
              f"units ({share:.1f}%) keep their tier with probability below {FLAG_BELOW:.1f} and are flagged for "
              "evaluator review (column `flagged` in `tingkat_unit.csv`).", "",
              *([f"For comparison only (not used for flags): the logit model's own P(tier) is below "
                 f"{FLAG_BELOW:.1f} for {100 * model_share:.1f}% of units; that is a different kind of "
                 "uncertainty.", ""] if model_share is not None else [])]
    return "\n".join(lines)


def write_report(result: CalibrationResult, directory: str | Path, *, created: datetime | None = None) -> list[Path]:
    """Write the three charts and `ringkasan.md` into ``directory``; returns their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    moment = created or datetime.fromisoformat(result.artifact["created_at"].replace("Z", "+00:00"))
    chart_scores(result, out / FILES[0])
    chart_shares(result, out / FILES[1])
    chart_confusion(result, out / FILES[2])
    unit_table(result, out / FILES[3])
    target = out / FILES[4]
    write_text_atomic(target, summary_markdown(result, moment))
    return [out / name for name in FILES]
