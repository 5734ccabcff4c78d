"""The documentation's result sections, rendered from the workflow's result files.

README.md and the pages of docs/ hold each generated block between ``<!-- results:NAME -->`` and
``<!-- /results:NAME -->`` (NAME one of :data:`BLOCKS`; a block may appear in several documents).
``python -m tdvae_am.readme [--root DIR]`` replaces what lies between the markers and leaves the
markers and every other byte as they are; with ``--check`` it writes nothing and exits 1 naming the
documents and blocks that differ. Content that starts (ends) with a line break keeps
one, so a block between markers on lines of their own stays on lines of its own, one between markers
inside a line stays inline.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from tdvae_am.experiments.registry import all_runs, load_registry, registry_models, units_file
from tdvae_am.files import CorruptFileError, load_json
from tdvae_am.labels import MODEL_LABELS
from tdvae_am.markdown import table
from tdvae_am.performance_docs import (
    am_batching_block,
    paper_plan_block,
    precision_block,
    seed_runs_block,
    seed_runs_total_block,
    throughput_block,
)
from tdvae_am.plots.benchmarks import phase_summary
from tdvae_am.scorecard.confirmation import confirmation, confirmed_counts
from tdvae_am.scorecard.findings import scorecard_rows, totals

START = re.compile(r"<!-- results:([^\s>]+) -->")
#: The scorecard section of the top-down vs chain comparisons (rows C1...).
CHAIN_SECTION = "top-down vs chain"
#: Decoders of results/metrics/units.json -> how the models table names them.
FAMILY_DECODERS = {"z2": "z2", "z2_untrained": "untrained z2", "z2_scrambled": "z2, phase-scrambled twins",
                   "z1": "z1", "pixels": "pixels"}
PHASE_DECODERS = {"z2": "z2", "z2_untrained": "untrained z2", "pixels": "pixels"}


class ReadmeError(ValueError):
    """A marker of README.md or a result file its blocks read is missing or malformed."""


def _path(root: Path, rel: str) -> Path:
    if not (root / rel).is_file():
        raise ReadmeError(f"{rel} is missing under {root}; run the workflow (`snakemake --cores all`) first")
    return root / rel


def _json(root: Path, rel: str):
    return load_json(_path(root, rel))


def _params(root: Path) -> dict:
    with open(_path(root, "params.yaml")) as f:
        return yaml.safe_load(f)


def _accuracy(d: dict) -> str:
    lo, hi = d["ci_bootstrap"]
    return f"{d['accuracy']:.3f} [{lo:.3f}, {hi:.3f}]"


def models_block(root: Path) -> str:
    """TDVAE vs chain VAE, one column per model of results/metrics/units.json (``train.models`` order):
    training, ELBOs, active and studied units, decoding accuracies with their bootstrap intervals."""
    columns = {}
    for m, u in _json(root, "results/metrics/units.json").items():
        s = _json(root, f"results/models/{m}/summary.json")
        e = _json(root, f"results/metrics/evaluation_{m}.json")
        sel = _json(root, units_file(m))
        cand = sel["candidates"]
        columns[m] = {
            "training": f"{s['steps']:,} steps, {s['elapsed_s'] / 60:.1f} min",
            "final validation ELBO (nats/patch)": f"{s['final']['val_elbo']:.1f}",
            "test ELBO +- sem / IWAE (nats/patch)": f"{e['elbo']['mean']:.1f} +- {e['elbo']['sem']:.1f} / "
            f"{e['iwae']['mean']:.1f} (k={e['iwae']['k']}, {e['elbo']['n']:,} patches)",
            "active z2 units, trained / untrained (threshold)": f"{u['n_active']} / {u['n_active_untrained']} "
            f"(> {u['threshold_nats']:.3g} nats)",
            "studied units, texture-sensitive / non-texture-sensitive": f"{len(sel['texture_sensitive'])} / "
            f"{len(sel['non_texture_sensitive'])} (of {cand['texture_sensitive']} / "
            f"{cand['non_texture_sensitive']} candidates{', fallback' if sel['fallback'] else ''})",
            **{f"texture family from {name} (chance {u['decoding'][k]['chance']:.2g})": _accuracy(u["decoding"][k])
               for k, name in FAMILY_DECODERS.items()},
            **{f"texture vs its phase-scrambled twin from {name} (chance {u['decoding_phase'][k]['chance']:.2g})":
               _accuracy(u["decoding_phase"][k]) for k, name in PHASE_DECODERS.items()},
        }
    labels = next(iter(columns.values()))
    rows = [[label, *(c[label] for c in columns.values())] for label in labels]
    return table(["", *(MODEL_LABELS.get(m, m) for m in columns)], rows)


def _interval(row: dict) -> str:
    """A row's interval; "-" where it has none or it is undefined (with the reason if too few units)."""
    if row["interval"] is None or not all(np.isfinite(row["interval"])):
        return "- (too few units)" if "too_few_units" in row.get("details", {}) else "-"
    return "[{:.3g}, {:.3g}]".format(*row["interval"])


def _p(value) -> str:
    return "-" if value is None else f"{value:.2g}"


def _scorecard_table(rows: list) -> str:
    tested = any("p_adjusted" in r for r in rows)  # rows from before the declared tests have no p-values
    return table(["id", "finding", "statistic", "value", "95% interval"] + ["family", "p (Holm)"] * tested
                  + ["verdict"], [
        [r["id"], r["finding"], r["statistic"], "-" if r["value"] is None else f"{r['value']:.3g}", _interval(r)]
        + ([r["family"], _p(r["p_adjusted"])] if tested else []) + [f"**{r['verdict'].replace('_', ' ')}**"]
        for r in rows
    ])


def _rows(root: Path, rel: str = "results/scorecard.json") -> list:
    return scorecard_rows(_json(root, rel))


def scorecard_block(root: Path) -> str:
    """The scorecard's rows (results/scorecard.json) but the top-down vs chain ones."""
    return _scorecard_table([r for r in _rows(root) if r["section"] != CHAIN_SECTION])


def chain_block(root: Path) -> str:
    """The scorecard's top-down vs chain rows."""
    return _scorecard_table([r for r in _rows(root) if r["section"] == CHAIN_SECTION])


def _count(n: dict) -> str:
    return (f"{n['replicated']} replicated, {n['not_replicated']} not replicated, {n['inconclusive']} "
            f"inconclusive of {n['findings']}")


def totals_block(root: Path) -> str:
    """The scorecard's counts per verdict: the paper's findings first, then each other family."""
    n = totals(_rows(root))
    if "families" not in n:
        return f"**{_count(n).replace(' of ', '** of ')} findings."
    fams = n["families"]
    rest = "; ".join(f"{f}: {_count(c)}" for f, c in fams.items() if f != "paper")
    head = f"**Paper findings: {_count(fams['paper'])}**" if "paper" in fams else "No paper findings"
    return f"{head} (Holm-adjusted within each family); {rest}."


def timing_block(root: Path) -> str:
    """Jobs and summed job wall time per phase (results/benchmarks.csv, whose rows are in workflow
    order), and the total."""
    summary = phase_summary(pd.read_csv(_path(root, "results/benchmarks.csv")))
    rows = [[p, n, f"{s / 60:.1f}"] for p, n, s in summary[["phase", "jobs", "s"]].itertuples(index=False)]
    minutes = summary["s"].sum() / 60
    hours, rest = divmod(round(minutes), 60)
    rows.append(["**total**", summary["jobs"].sum(), f"{minutes:.1f} ({hours} h {rest} min)"])
    return table(["phase", "jobs", "wall time, summed over jobs (min)"], rows)


#: The record of the README's main command run in a fresh clone (benchmarks/fresh_clone_run.py).
RUN_RECORD = "benchmarks/default_run.json"
#: Fractions of a recipe's run at which the recipes table gives its active units.
RECIPE_FRACTIONS = (0.5, 0.75, 1.0)


def _schedule(curve: pd.DataFrame, overrides: dict) -> str:
    """A recipe's beta_y schedule as its curve recorded it (start and final value, the last measured step
    still at the start and the first at the final value, within 1%, as fractions of the run) and its
    learning rate if the recipe sets one."""
    beta, frac = curve["beta_y"].to_numpy(), curve["step"].to_numpy() / curve["step"].iloc[-1]
    start, final = beta[0], beta[-1]
    lo = frac[np.flatnonzero(np.isclose(beta, start, rtol=0.01))[-1]]
    hi = frac[np.flatnonzero(np.isclose(beta, final, rtol=0.01))[0]]
    text = f"{start:g} -> {final:g} over {lo:.0%}-{hi:.0%} of the steps"
    return text + (f", lr {overrides['lr']:g}" if "lr" in overrides else "")


def recipes_block(root: Path) -> str:
    """The training-recipe study (results/recipes/<recipe>.csv, recipes in params.yaml's order, which also
    gives a recipe's learning rate if it sets one): active z2 units at :data:`RECIPE_FRACTIONS` of each
    run's samples, summed z2 information and validation ELBO at its end; recipes without a curve are named
    below the table."""
    runs = _params(root)["recipes"]["runs"]
    rows, missing = [], []
    for name, overrides in runs.items():
        if not (root / f"results/recipes/{name}.csv").is_file():
            missing.append(f"`{name}`")
            continue
        curve = pd.read_csv(root / f"results/recipes/{name}.csv")
        end = curve["samples"].iloc[-1]
        at = [curve["n_active"].iloc[int(np.abs(curve["samples"] - f * end).argmin())] for f in RECIPE_FRACTIONS]
        rows.append([f"`{name}`", _schedule(curve, overrides), f"{end:,}", " / ".join(map(str, at)),
                     f"{curve['information_total'].iloc[-1]:.1f}", f"{curve['val_elbo'].iloc[-1]:.1f}"])
    if not rows:
        raise ReadmeError(f"no curve of the recipes in params.yaml under {root / 'results/recipes'}; "
                          "run `snakemake --cores all recipes` first")
    fractions = " / ".join(f"{f:.0%}" for f in RECIPE_FRACTIONS)
    out = table(["recipe", "beta_y schedule", "samples", f"active z2 units at {fractions} of the samples",
                 "z2 information at the end (nats)", "validation ELBO at the end"], rows)
    return out + (f"\n\nNot run yet: {', '.join(missing)}." if missing else "")


def run_time_block(root: Path) -> str:
    """The default run's time: the jobs' summed wall time (results/benchmarks.csv) and, where
    benchmarks/default_run.json records it (benchmarks/fresh_clone_run.py), the wall clock of the
    README's command in a fresh clone (summed over its segments where it was continued) and the machine."""
    summary = phase_summary(pd.read_csv(_path(root, "results/benchmarks.csv")))
    text = f"{summary['jobs'].sum()} jobs, {_hours(summary['s'].sum())} of job time summed over jobs"
    if (root / RUN_RECORD).is_file():
        run = _json(root, RUN_RECORD)
        parts = len(run.get("segments_s", []))
        resumed = f" (summed over {parts} segments: the run was interrupted and continued)" if parts > 1 else ""
        text += (f"; the command took {_hours(run['wall_s'])} of wall clock in a fresh clone, installation "
                 f"included{resumed},"
                 f" on {run['cores']} CPU cores ({run['cpu']}, {'with' if run['native_bf16'] else 'without'}"
                 f" native bf16; training in {run['precision']}), {'with' if run['gpu'] else 'no'} GPU")
    return text + "."


def _hours(seconds: float) -> str:
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


#: What a block of a target outside the default one says until its results are committed.
NOT_RUN = "Not run yet: `snakemake --cores all {target}` writes `{files}`."


def _studied(root: Path, card: str) -> str:
    """Units studied per model (texture-sensitive + non-texture-sensitive) of the run whose scorecard is ``card``."""
    folder = Path(card).parent
    parts = []
    for model, label in MODEL_LABELS.items():
        path = root / folder / Path(units_file(model)).name
        if path.is_file():
            units = load_json(path)
            parts.append(f"{label} {len(units['texture_sensitive'])} + {len(units['non_texture_sensitive'])}")
    return ", ".join(parts)


def _verdict_value(row: dict | None) -> str:
    if row is None:
        return "-"
    value = row.get("value")
    shown = f" ({value:.3g})" if isinstance(value, (int, float)) and np.isfinite(value) else ""
    return str(row["verdict"]).replace("_", " ") + shown


#: The main run's and the confirmation run's scorecards.
CONFIRM_CARDS = ("results/scorecard.json", "results/confirm/scorecard.json")


def _confirmed(root: Path) -> tuple[str, list, list, list] | None:
    """The confirmation's summary (confirmed rows per family, the ids of the others), the two seeds,
    each card's rows by id and the paired rows; None before the confirmation run's scorecard is committed."""
    if not (root / CONFIRM_CARDS[1]).is_file():
        return None
    cards = [_json(root, rel) for rel in CONFIRM_CARDS]
    seeds = [c.get("seed", "?") if isinstance(c, dict) else "?" for c in cards]
    versions = [c.get("rules_version") if isinstance(c, dict) else None for c in cards]
    rows = [{r["id"]: r for r in scorecard_rows(c)} for c in cards]
    compared = confirmation(*(list(r.values()) for r in rows))
    counts = "; ".join(f"{family}: {c['confirmed']} of {c['rows']}" for family, c in confirmed_counts(compared).items())
    same = "the same rules" if versions[0] and versions[0] == versions[1] else "DIFFERENT rules"
    flipped = [t["id"] for t in compared if not t["confirmed"]]
    head = (f"Confirmed (same verdict on seeds {seeds[0]} and {seeds[1]}, scored by {same}: "
            f"rules_version {versions[0]} / {versions[1]}): {counts}. "
            f"Not confirmed: {', '.join(flipped) if flipped else 'none'}.")
    return head, seeds, rows, compared


def confirmation_totals_block(root: Path) -> str:
    """The confirmed rows per family (the first sentence of :func:`confirmation_block`)."""
    confirmed = _confirmed(root)
    return confirmed[0] if confirmed else NOT_RUN.format(target="confirm", files=CONFIRM_CARDS[1])


def confirmation_block(root: Path) -> str:
    """Each row's verdict and value on the main run's seed and on the confirmation seed
    (results/scorecard.json, results/confirm/scorecard.json), whether the verdicts agree, the confirmed
    rows per family, and the units each run studied."""
    confirmed = _confirmed(root)
    if confirmed is None:
        return NOT_RUN.format(target="confirm", files=CONFIRM_CARDS[1])
    head, seeds, rows, compared = confirmed
    studied = [_studied(root, rel) for rel in CONFIRM_CARDS]
    if all(studied):
        head += (f" Units studied (texture-sensitive + non-texture-sensitive): seed {seeds[0]}: {studied[0]}; "
                 f"seed {seeds[1]}: {studied[1]}.")
    lines = [[t["id"], t["family"], t["finding"], *(_verdict_value(r.get(t["id"])) for r in rows),
              "yes" if t["confirmed"] else "**no**"] for t in compared]
    header = ["id", "family", "finding", f"seed {seeds[0]} (value)", f"seed {seeds[1]} (value)", "confirmed"]
    return head + "\n\n" + table(header, lines)


def _mean_interval(s: dict) -> str:
    lo, hi = s["interval"]
    return f"{s['mean']:.3g} [{lo:.3g}, {hi:.3g}]" if np.isfinite([lo, hi]).all() else f"{s['mean']:.3g}"


#: The model claims and unit counts over seeds (target `seeds`).
SEEDS_SUMMARY = "results/seeds/summary.json"


def _seeds_summary(root: Path) -> dict | None:
    return _json(root, SEEDS_SUMMARY) if (root / SEEDS_SUMMARY).is_file() else None


def seeds_block(root: Path) -> str:
    """The model claims and active units over seeds (results/seeds/summary.json): per claim each seed's
    verdict, how many seeds replicate it and the mean statistic with its t interval over seeds."""
    if (summary := _seeds_summary(root)) is None:
        return NOT_RUN.format(target="seeds", files=SEEDS_SUMMARY)
    seeds = summary["seeds"]
    rows = [[claim_id, c["statistic"], " / ".join(str(v).replace("_", " ") for v in c["verdicts"]),
             f"{c['replicated']} of {len(seeds)}", _mean_interval(c)] for claim_id, c in summary["claims"].items()]
    rows += [[f"active z2 units, {MODEL_LABELS.get(m, m)}", "trained (untrained)",
              " / ".join(f"{a:g} ({b:g})" for a, b in zip(u["active"]["values"], u["active_untrained"]["values"])),
              "", _mean_interval(u["active"])] for m, u in summary["units"].items()]
    return table(["claim", "statistic", f"per seed ({', '.join(map(str, seeds))})", "replicated",
                   "mean [95% t interval over seeds]"], rows) + "\n\n" + _seed_models(root, seeds)


def seeds_totals_block(root: Path) -> str:
    """The model claims over seeds in one line: the claims grouped by how many seeds replicate them."""
    if (summary := _seeds_summary(root)) is None:
        return NOT_RUN.format(target="seeds", files=SEEDS_SUMMARY)
    by_count = {}  # seeds replicating -> claims
    for claim_id, c in summary["claims"].items():
        by_count.setdefault(c["replicated"], []).append(claim_id)
    n = len(summary["seeds"])
    groups = "; ".join(f"{', '.join(ids)} on {k} of {n}" for k, ids in sorted(by_count.items(), reverse=True))
    return f"Model claims replicated over {n} seeds (seeds {', '.join(map(str, summary['seeds']))}): {groups}."


def _seed_models(root: Path, seeds: list[int]) -> str:
    """Where each seed's models come from: the main seed's are the main run's (trained on the machine of
    benchmarks/default_run.json, where it records that run), the others' were trained by `seeds` on the
    machine their record names; and whether the confirmation run's models of its seed differ from them."""
    params = _params(root)
    main_seed, confirm_seed = params["seed"], params["confirm"]["seed"]
    records = {s: _json(root, f"results/seeds/seed{s}.json") for s in seeds if s != main_seed}
    parts = []
    if main_seed in seeds:
        trained = ""
        if (root / RUN_RECORD).is_file():
            run = _json(root, RUN_RECORD)
            trained = f", trained on {run['cores']} CPU cores ({run['cpu']}) in {run['precision']}"
        parts.append(f"seed {main_seed}'s are the main run's (its committed unit results, read as they are{trained})")
    machines = {}  # machine -> the seeds trained on it
    for s, rec in records.items():
        m = rec["machine"]
        machines.setdefault(f"{m['cores']} CPU cores ({m['cpu']}), torch {m['torch']}", []).append(str(s))
    parts += [f"seed{'s' * (len(ss) > 1)} {', '.join(ss)} trained by `seeds` on {m}" for m, ss in machines.items()]
    text = "Models: " + "; ".join(parts) + "."
    if confirm_seed in records and (root / "results/confirm/units.json").is_file():
        confirmed = _json(root, "results/confirm/units.json")["n_active"]
        seed_run = records[confirm_seed]["models"]["tdvae"]["n_active"]
        if confirmed != seed_run:
            text += (f" The confirmation scorecard's seed-{confirm_seed} TDVAE (results/confirm/) has {confirmed} "
                     f"active z2 units, this seed run's {seed_run}: trained in separate runs, they are different "
                     f"models of the same seed (docs/methods.md says when training repeats itself).")
    return text


#: Where each scale of params.yaml's presets is meant to run.
SCALE_HARDWARE = {"smoke": "any CPU, minutes; CI", "default": "2 CPU cores, hours (below)",
                  "paper": "GPU cluster ([docs/cluster.md](docs/cluster.md))"}


def scales_block(root: Path) -> str:
    """One row per preset of params.yaml: the command, training patches and steps, texture images."""
    params = _params(root)
    rows = []
    for scale, preset in params["presets"].items():
        command = "snakemake --cores all" + ("" if scale == params["scale"] else f" --config scale={scale}")
        train, textures = preset["train"], preset["textures"]
        rows.append([scale, f"`{command}`", f"{preset['natural']['n_train']:,}",
                     f"{train['steps']:,} x {train['batch_size']} ({train['precision']})",
                     f"{textures['n_images']} of {textures['image_size']} px", SCALE_HARDWARE.get(scale, "")])
    return table(["scale", "command", "natural training patches", "training steps x batch (precision)",
                   "texture images per family", "hardware"], rows)


def registry_block(root: Path) -> str:
    """Counts of config/experiments.yaml (experiments, runs per model, AM figures) and of the committed
    figures (figures/*.png)."""
    registry = load_registry(_path(root, "config/experiments.yaml"))
    runs = {MODEL_LABELS.get(m, m): len(all_runs(registry, m)) for m in registry_models(registry)}
    per_model = "; ".join(f"{n} on the {m}" for m, n in runs.items())
    figures = len(list((root / "figures").glob("*.png")))
    return (f"{len(registry['experiments'])} experiments, {sum(runs.values())} AM runs ({per_model}), "
            f"{len(registry['figures'])} AM figures; {figures} figures in `figures/` in all.")


BLOCKS = {"models": models_block, "scorecard-totals": totals_block, "scorecard": scorecard_block,
          "chain": chain_block, "timing": timing_block, "recipes": recipes_block, "run-time": run_time_block,
          "registry": registry_block, "scales": scales_block, "confirmation": confirmation_block,
          "confirmation-totals": confirmation_totals_block,
          "seeds": seeds_block, "seeds-totals": seeds_totals_block, "throughput": throughput_block,
          "precision": precision_block,
          "am-batching": am_batching_block, "paper-plan": paper_plan_block, "seed-runs": seed_runs_block,
          "seed-runs-total": seed_runs_total_block}


def render(name: str, root: str | Path) -> str:
    """The markdown of block ``name`` from the result files under ``root``."""
    try:
        return BLOCKS[name](Path(root))
    except KeyError as err:
        raise ReadmeError(f"block {name}: a result file lacks the key {err}; re-run the workflow") from None


def update(text: str, root: str | Path, document: str = "README.md") -> tuple[str, list[str]]:
    """``text`` (of ``document``) with every block re-rendered, and the names of the blocks that changed."""
    out, changed, pos = [], [], 0
    while m := START.search(text, pos):
        name, end_marker = m[1], f"<!-- /results:{m[1]} -->"
        if name not in BLOCKS:
            raise ReadmeError(f"{document}: unknown block {m[0]} (known: {', '.join(BLOCKS)})")
        end = text.find(end_marker, m.end())
        if end < 0:
            raise ReadmeError(f"{document}: {m[0]} has no end marker {end_marker}")
        old = text[m.end() : end]
        new = "\n" * old.startswith("\n") + render(name, root) + "\n" * old.endswith("\n")
        if new != old:
            changed.append(name)
        out += [text[pos : m.end()], new]
        pos = end
    return "".join(out) + text[pos:], changed


#: The pages that report results: every measured number there is in a generated block.
RESULT_PAGES = (Path("README.md"), Path("docs/results.md"), Path("docs/performance.md"), Path("docs/cluster.md"))
BLOCK = re.compile(START.pattern + r".*?<!-- /results:\1 -->", re.S)   # a marked block, markers included
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
DECIMAL = re.compile(r"(?<![\w.\-/])-?\d+\.\d+(?![\w.]*\w)")


def loose_numbers(text: str) -> list[str]:
    """The decimal numbers of ``text`` outside its generated blocks and code: on a results page,
    a result typed by hand, which goes stale when the results change."""
    return DECIMAL.findall(CODE.sub("", BLOCK.sub("", text)))


def documents(root: Path) -> list[Path]:
    """README.md and the pages of docs/, relative to ``root``."""
    return [Path("README.md"), *sorted(p.relative_to(root) for p in (root / "docs").glob("*.md"))]


def main(argv: list[str] | None = None) -> int:
    """``python -m tdvae_am.readme [--root DIR] [--check]``; 0 done or up to date, 1 out of date
    (``--check``), 2 a missing marker or result file, or a number typed on a results page
    outside its blocks (:func:`loose_numbers`)."""
    parser = argparse.ArgumentParser(prog="python -m tdvae_am.readme", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (README.md, docs/, results/)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a block is out of date")
    args = parser.parse_args(argv)
    try:
        updates = {}
        for doc in documents(args.root):
            new, changed = update((args.root / doc).read_bytes().decode(), args.root, str(doc))
            updates[doc] = (new, changed)
    except (ReadmeError, CorruptFileError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    typed = {doc: numbers for doc in RESULT_PAGES if doc in updates and (numbers := loose_numbers(updates[doc][0]))}
    if typed:
        named = "; ".join(f"{doc}: {', '.join(numbers)}" for doc, numbers in typed.items())
        print(f"error: numbers typed outside a generated block ({named}): render them in a block "
              "or cite the table's row instead", file=sys.stderr)
        return 2
    stale = {doc: changed for doc, (_, changed) in updates.items() if changed}
    if args.check and stale:
        named = "; ".join(f"{doc} in block(s) {', '.join(changed)}" for doc, changed in stale.items())
        print(f"out of date: {named}: run python -m tdvae_am.readme", file=sys.stderr)
        return 1
    for doc, changed in stale.items():
        (args.root / doc).write_bytes(updates[doc][0].encode())
        print(f"{doc}: updated {', '.join(changed)}")
    if not stale:
        print("README.md and docs/: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
