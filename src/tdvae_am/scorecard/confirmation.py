"""Confirmation on an independent seed: the frozen rules' fingerprint, verdicts compared row by row,
and claims summarized over seeds.

- :func:`rules_version` hashes what decides a verdict (the scorecard code, the unit rules, the
  experiment registry and the config values they read), so a scorecard says which rules made it.
- :func:`confirmation` pairs two scorecards row by row; a row is *confirmed* when both give the
  same verdict.
- :func:`over_seeds` summarizes one number per seed (a claim's statistic, a count) by its mean
  and a t interval over seeds.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import asdict
from pathlib import Path

import numpy as np
from scipy import stats

from .findings import model_findings
from .rows import finalize

#: The package whose code decides the verdicts (the one imported, as the scorecard job runs it).
PACKAGE = Path(__file__).resolve().parents[1]
#: Its subpackages that hold the rules: the scorecard's and the units'.
RULE_MODULES = ("scorecard", "units")


def rule_files(registry: Path, package: Path = PACKAGE) -> list[Path]:
    """The rule modules of ``package`` (every ``*.py`` of :data:`RULE_MODULES`) and the experiment
    ``registry``; a missing one is an error naming it."""
    files = [f for module in RULE_MODULES for f in sorted((package / module).glob("*.py"))]
    for path in (*(package / m for m in RULE_MODULES), Path(registry)):
        if not path.exists():
            raise FileNotFoundError(f"{path}: a file of the scorecard rules is missing")
    return [*files, Path(registry)]


def rules_version(registry: Path, settings: dict, package: Path = PACKAGE) -> str:
    """12 hex digits of the SHA-256 of the rule modules (named relative to ``package``), the
    registry's content and ``settings`` (the config values the rules read, as canonical JSON)."""
    digest = hashlib.sha256()
    for path in rule_files(registry, package):
        name = path.resolve().relative_to(package).as_posix() if path.resolve().is_relative_to(package) else "registry"
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:12]


def provenance(registry: Path, settings: dict, package: Path = PACKAGE) -> dict:
    """The scorecard's record of its rules: :func:`rules_version`, the git commit of the package's
    checkout (None outside one) and whether the rule files differ from it."""
    def git(*args):
        proc = subprocess.run(["git", "-C", str(package), *args], capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    modified = git("status", "--porcelain", "--", *map(str, rule_files(registry, package))) if commit else None
    return {"rules_version": rules_version(registry, settings, package), "commit": commit,
            "rules_modified": None if modified is None else bool(modified)}


def confirmation(first: list[dict], second: list[dict]) -> list[dict]:
    """One entry per row id of ``first`` (in its order): family, finding, the two verdicts and
    whether they agree; a row missing from ``second`` has verdict None there and is not confirmed."""
    other = {row["id"]: row for row in second}
    table = []
    for row in first:
        twin = other.get(row["id"])
        verdict = twin["verdict"] if twin else None
        table.append({"id": row["id"], "family": row.get("family"), "finding": row["finding"],
                      "verdicts": [row["verdict"], verdict], "confirmed": verdict == row["verdict"]})
    return table


def confirmed_counts(table: list[dict]) -> dict:
    """Per family (in the table's order): rows, confirmed and flipped."""
    counts = {}
    for entry in table:
        c = counts.setdefault(entry["family"], {"rows": 0, "confirmed": 0, "flipped": 0})
        c["rows"] += 1
        c["confirmed" if entry["confirmed"] else "flipped"] += 1
    return counts


def over_seeds(values, bounds=(-np.inf, np.inf), level: float = 0.95) -> dict:
    """Mean, sample std and t interval over seeds of one number per seed, the interval clipped to the
    statistic's ``bounds``; non-finite values are dropped and counted, and with fewer than 2 finite
    values the interval is undefined (NaN)."""
    x = np.asarray(values, dtype=float)
    finite = x[np.isfinite(x)]
    n = len(finite)
    mean = float(finite.mean()) if n else float("nan")
    if n < 2:
        return {"n": n, "n_missing": len(x) - n, "mean": mean, "std": float("nan"),
                "interval": [float("nan"), float("nan")]}
    sd = float(finite.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))
    lo, hi = bounds
    return {"n": n, "n_missing": len(x) - n, "mean": mean, "std": sd,
            "interval": [max(mean - half, lo), min(mean + half, hi)]}


def seed_record(seed: int, results: dict) -> dict:
    """What one seed's trained models say without AM: per model (``results`` maps it to its unit
    results, results/units/<model>.json) the active units of the trained and the untrained model,
    the class candidates and the decoding accuracies; and the model claims M1-M7, Holm-adjusted
    among themselves as in the scorecard."""
    rows = finalize(model_findings(results["tdvae"], {m: r["decoding"] for m, r in results.items()},
                                   {m: r["decoding_phase"] for m, r in results.items()}))
    return {
        "seed": seed,
        "models": {m: {"n_active": r["n_active"], "n_active_untrained": r["n_active_untrained"],
                       "candidates": r["candidates"],
                       "decoding": {k: d["accuracy"] for k, d in r["decoding"].items()},
                       "decoding_phase": {k: d["accuracy"] for k, d in r["decoding_phase"].items()}}
                   for m, r in results.items()},
        "model_rows": [asdict(row) for row in rows],
    }


def across_seeds(records: list[dict]) -> dict:
    """Each seed's numbers side by side with their summary over seeds (:func:`over_seeds`): the
    model claims (value and verdict per seed, how many seeds replicate), active units and
    candidates per model (counts: intervals within [0, inf))."""
    records = sorted(records, key=lambda r: r["seed"])
    seeds = [r["seed"] for r in records]
    claims = {}
    for row in records[0]["model_rows"]:
        per_seed = [next((x for x in r["model_rows"] if x["id"] == row["id"]), None) for r in records]
        values = [np.nan if x is None or x["value"] is None else x["value"] for x in per_seed]
        verdicts = [None if x is None else x["verdict"] for x in per_seed]
        claims[row["id"]] = {"finding": row["finding"], "statistic": row["statistic"], "values": values,
                             "verdicts": verdicts, "replicated": sum(v == "replicated" for v in verdicts),
                             **over_seeds(values, row.get("bounds") or (-np.inf, np.inf))}
    units = {}
    for model in records[0]["models"]:
        per = [r["models"].get(model) for r in records]
        counts = {
            "active": [np.nan if p is None else p["n_active"] for p in per],
            "active_untrained": [np.nan if p is None else p["n_active_untrained"] for p in per],
            **{f"candidates_{c}": [np.nan if p is None else p["candidates"][c] for p in per]
               for c in ("texture_sensitive", "non_texture_sensitive")},
        }
        units[model] = {k: {"values": v, **over_seeds(v, (0, np.inf))} for k, v in counts.items()}
    return {"seeds": seeds, "claims": claims, "units": units}
