"""The replication scorecard: the model-level findings and every AM finding of the paper
(:mod:`tdvae_am.scorecard.sections`) as measured statistics with pre-declared rules.

Interval methods and verdict rules: :mod:`tdvae_am.scorecard.statistics`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .evidence import Evidence
from .rows import FAMILIES, Finding, decoding, finalize, make
from .sections import am_findings, chain_findings
from .statistics import image_bootstrap

VERDICTS = ("replicated", "not_replicated", "inconclusive")


def model_findings(units: dict, decoders: dict, phase: dict) -> list:
    """Model-level findings: active vs collapsed units, texture information in z2 means.

    ``decoders`` and ``phase`` map each model to its family decoders and its texture-vs-twin
    decoders (results/units/<model>.json).
    """
    n, n_null = units["n_active"], units["n_active_untrained"]
    total = len(units["units"]["trained"]["information_natural"])
    out = [Finding(id="M1", section="model", finding="Some z2 units are active and others collapsed",
                   statistic="active z2 units of the trained model minus those of the untrained model (same rule)",
                   value=float(n - n_null), interval=None,
                   rule="replicated if 1 <= active <= dim - 1 and the trained model has more active units than the "
                        "untrained one; not_replicated otherwise",
                   verdict="replicated" if 1 <= n <= total - 1 and n > n_null else "not_replicated",
                   method="count (no test)", family="model", bounds=[0, total],
                   details={"n_active": n, "dim": total, "n_active_untrained": n_null,
                            "activity_rule": units["rule"]["active"]})]
    tdvae = decoders["tdvae"]
    z2 = tdvae["z2"]
    interval, p = image_bootstrap(z2["per_image"], z2["chance"])
    out.append(make("model", "M2", "Texture family decodes from z2 posterior means above chance",
                    "cross-validated accuracy (image-grouped folds)", value=z2["accuracy"], interval=interval, p=p,
                    threshold=z2["chance"], direction="above",
                    method="image-level bootstrap test (stratified by family), 95% percentile interval",
                    family="model", bounds=[0.0, 1.0], details={"chance": z2["chance"]}))
    out += [
        decoding("M3", "z2 carries more texture information than z1", z2, tdvae["z1"], "z2", "z1"),
        decoding("M4", "z2 carries more texture information than the pixels", z2, tdvae["pixels"], "z2", "pixels"),
        decoding("M5", "z2 of the trained model beats the untrained model", z2, tdvae["z2_untrained"], "z2",
                  "untrained z2"),
        decoding("M6a", "z2 carries texture information beyond the amplitude spectrum, above the untrained model "
                         "(a texture told from its own phase-scrambled twin)",
                  phase["tdvae"]["z2"], phase["tdvae"]["z2_untrained"], "z2 texture vs twin",
                  "untrained z2 texture vs twin"),
        decoding("M6b", "z2 carries texture information beyond the amplitude spectrum, above the pixels "
                         "(a texture told from its own phase-scrambled twin)",
                  phase["tdvae"]["z2"], phase["tdvae"]["pixels"], "z2 texture vs twin", "pixels texture vs twin"),
    ]
    if "chain" in decoders:
        out.append(decoding("M7", "TDVAE z2 carries more texture information than the chain VAE's z2",
                             z2, decoders["chain"]["z2"], "TDVAE z2", "chain VAE z2"))
    return out


def build_scorecard(am_dir, units: dict, reference: dict, models: dict, experiments: dict, chain=None) -> list:
    """Every finding, model-level first; ``models`` maps each model to its unit results
    (results/units/<model>.json, with ``decoding`` and ``decoding_phase``), ``experiments``
    is the registry's ``experiments`` mapping; ``chain``, the chain VAE's ``(am_dir, units,
    reference)``, adds the top-down vs chain comparisons C1-C7."""
    decoders = {m: r["decoding"] for m, r in models.items()}
    phase = {m: r["decoding_phase"] for m, r in models.items()}
    ev = Evidence(am_dir, units, reference, experiments)
    rows = model_findings(units, decoders, phase) + am_findings(ev)
    if chain is not None:
        rows += chain_findings(ev, Evidence(*chain, experiments))
    return [asdict(x) for x in finalize(rows)]


def scorecard_rows(scorecard) -> list:
    """The rows of a scorecard file's content: ``{"rules_version": ..., "rows": [...]}``, or a bare list
    of rows (scorecards from before the rules were versioned)."""
    return scorecard["rows"] if isinstance(scorecard, dict) else scorecard


def totals(scorecard: list) -> dict:
    """Counts per verdict, overall and per family (the DVC metric)."""
    def count(rows):
        return {v: sum(row["verdict"] == v for row in rows) for v in VERDICTS} | {"findings": len(rows)}
    present = [f for f in FAMILIES if any(r.get("family") == f for r in scorecard)]
    if not present:  # rows from before families were declared
        return count(scorecard)
    return count(scorecard) | {"families": {f: count([r for r in scorecard if r["family"] == f]) for f in present}}


def write_json(obj, path) -> None:
    Path(path).write_text(json.dumps(obj, indent=1, default=_jsonable))


def _jsonable(x):
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(type(x).__name__)

