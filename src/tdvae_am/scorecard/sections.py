"""The AM findings of the paper, one function per section, each declaring the runs it reads.

A declared read is ``experiment/variant``, ``experiment/*`` (every variant, in registry
order) or ``experiment/group=<name>`` (the variants of one group, e.g. an optimizer's
learning rates). :func:`check_reads` holds the declarations against the registry when the
workflow starts, and :class:`~tdvae_am.scorecard.evidence.Evidence` refuses an undeclared
read. Every activation is normalized per unit by what unregularized pixel AM reaches
(:attr:`Evidence.scale`); swept values (ELBO weights, kernel sizes, the initial std) are
read from the runs' configs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from tdvae_am.analysis.gabor import edge_likeness
from tdvae_am.analysis.spectra import mean_frequency, spectral_entropy
from tdvae_am.config import ConfigError
from tdvae_am.experiments.tuning import best_variants, variant_groups
from tdvae_am.imageops.fourier import HF_CUTOFF

from .evidence import (
    LEVEL_FRACTION,
    Evidence,
    common_level,
    hf,
    iterations_to_level,
    lowpass_correlation,
    max_xcorr,
    pairwise_diversity,
    pixel_std,
    shift_invariant_variability,
)
from .rows import NON_TEXTURE, TEXTURE, contrast, gated, positive, proportion, two_groups
from .statistics import spearman_rows

OPTIMIZERS = ("sgd", "mei", "rmsprop", "adam")
METHODS = ("pixel", "distribution", "transformation", "transformation_distribution")
DIVERSITY = ("correlation", "cosine", "euclidean")
DENOISERS = ("blur", "bilateral", "tv")


@dataclass(frozen=True)
class Section:
    name: str
    reads: tuple
    findings: Callable


SECTIONS: list = []


def section(name: str, *reads: str):
    """Register a section's findings function with the runs it reads."""
    def register(fn):
        SECTIONS.append(Section(name, ("pixel/plain",) + reads, fn))
        return fn
    return register


def check_reads(experiments: dict, models=("tdvae",)) -> None:
    """Every declared read names a run of the registry (and, with the chain VAE among
    ``models``, every read of :func:`chain_findings` a run on both models); raises
    :class:`ConfigError`."""
    declared = [(sec.name, sec.reads) for sec in SECTIONS]
    if "chain" in models:
        declared.append(("top-down vs chain", CHAIN_READS))
        for read in CHAIN_READS:
            exp = read.partition("/")[0]
            if exp in experiments and "chain" not in experiments[exp].get("models", ["tdvae"]):
                raise ConfigError(f"experiments.{exp}.models", f"scorecard section 'top-down vs chain' reads "
                                  f"{read!r} of both models; add chain to the experiment's models")
    for name, reads in declared:
        for read in reads:
            exp, _, var = read.partition("/")
            where = f"scorecard section {name!r} reads {read!r}"
            if exp not in experiments:
                raise ConfigError("am.experiments", f"{where}: no experiment {exp!r} in the registry")
            variants = experiments[exp]["variants"]
            if var.startswith("group="):
                if not any((v or {}).get("group") == var[6:] for v in variants.values()):
                    raise ConfigError(f"experiments.{exp}", f"{where}: no variant has group {var[6:]!r}")
            elif var != "*" and var not in variants:
                raise ConfigError(f"experiments.{exp}.variants", f"{where}: no variant {var!r}; "
                                  f"known: {', '.join(variants)}")


def read_runs(read: str, experiments: dict) -> list[tuple[str, str]]:
    """The ``(experiment, variant)`` runs a declared read names (``experiment/variant``,
    ``experiment/*`` or ``experiment/group=<name>``)."""
    exp, _, var = read.partition("/")
    variants = experiments[exp]["variants"]
    if var == "*":
        return [(exp, v) for v in variants]
    if var.startswith("group="):
        return [(exp, v) for v, spec in variants.items() if (spec or {}).get("group") == var[6:]]
    return [(exp, var)]


def scorecard_runs(experiments: dict, models=("tdvae",)) -> dict[str, list]:
    """``{model: [(experiment, variant), ...]}``: the runs the scorecard reads of each model, in
    registry order: every section's of the TDVAE and, with the chain VAE among ``models``, the
    top-down vs chain comparison's of both."""
    chain = "chain" in models
    reads = {"tdvae": [r for sec in SECTIONS for r in sec.reads] + (list(CHAIN_READS) if chain else [])}
    if chain:
        reads["chain"] = list(CHAIN_READS)
    out = {}
    for model, declared in reads.items():
        named = {run for read in declared for run in read_runs(read, experiments)}
        out[model] = [(e, v) for e, exp in experiments.items() for v in exp["variants"] if (e, v) in named]
    return out


def _elbo_weight(ev: Evidence, experiment: str, variant: str) -> float | None:
    terms = [t for t in ev.config(experiment, variant).get("obj", []) if t["name"] == "elbo"]
    return float(terms[0]["weight"]) if terms else None


def _elbo_sweep(ev: Evidence, experiment: str) -> tuple:
    """(weights, variants) of the variants with an ELBO term, in registry order."""
    pairs = [(_elbo_weight(ev, experiment, v), v) for v in ev.variants(experiment)]
    pairs = [(w, v) for w, v in pairs if w is not None]
    return np.array([w for w, _ in pairs]), [v for _, v in pairs]


def sampling_gain(ev: Evidence) -> np.ndarray:
    """log(std of the z1-sampled one-hot syntheses / std of the mean synthesis), per unit."""
    mean_img = ev.images("onehot_synthesis", "mean")[:, 0]
    samples = ev.images("onehot_synthesis", "sample", "samples", first=False)
    sample_std = samples.reshape(*samples.shape[:3], -1).std(-1).mean((1, 2))
    return np.log(sample_std / np.maximum(mean_img.reshape(len(mean_img), -1).std(-1), 1e-9))


def _mean_or_none(values) -> float | None:
    return None if values is None or not len(values) else float(np.mean(values))


def _edges(images: np.ndarray) -> tuple:
    """(excess best-Gabor r over the phase-scrambled null, details) of (U, H, W) images."""
    e = edge_likeness(images)
    return e["excess"], {"gabor_r": np.round(e["r"], 4).tolist(), "scrambled_null_r": np.round(e["null"], 4).tolist()}


def first_success(images: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """(U, H, W): each unit's first successful restart's image of (U, R, H, W); NaN where none."""
    pick = np.where(ok.any(1), ok.argmax(1), 0)
    out = images[np.arange(len(images)), pick].astype(float)
    out[~ok.any(1)] = np.nan
    return out


def _edges_where(images: np.ndarray) -> tuple:
    """:func:`_edges` of the units with a finite image, NaN elsewhere."""
    keep = np.isfinite(images).all((1, 2))
    excess = np.full(len(images), np.nan)
    details = {}
    if keep.any():
        excess[keep], details = _edges(images[keep])
    return excess, details


def race(ev: Evidence, contestants: dict) -> dict:
    """Speed and success against one common target: per unit, :data:`LEVEL_FRACTION` of the way
    from the natural mean to the best final activation any contestant reached. ``contestants``
    maps a name to its (T, U, R) activation trace (equal T); returns per contestant the
    iterations to stay at the level (censored at T), whether it got there, its final activation."""
    traces = {k: t.mean(2) for k, t in contestants.items()}
    if len({t.shape[0] for t in traces.values()}) > 1:
        raise ValueError(f"a race needs equal iterations, got {({k: t.shape[0] for k, t in traces.items()})}")
    finals = {k: t[-1] for k, t in traces.items()}
    level = common_level(np.stack(list(finals.values())), ev.nat_mean)
    out = {}
    for k, t in traces.items():
        its, reached = iterations_to_level(t, level)
        out[k] = {"iterations": its, "reached": reached, "final": finals[k]}
    return out


def _race_details(result: dict) -> dict:
    return {"level": f"{LEVEL_FRACTION:g} of the way from the natural mean to the best final activation of any "
                     "contestant, per unit",
            "mean_iterations": {k: float(v["iterations"].mean()) for k, v in result.items()},
            "censored_units": {k: int((~v["reached"]).sum()) for k, v in result.items()}}


@section("STA")
def sta(ev: Evidence) -> list:
    s = "STA"
    excess = ev.reference_of("sta_gabor_correlation") - ev.reference_of("sta_gabor_null")
    nulls = {"sta_split_half": np.round(ev.reference_of("sta_split_half"), 4).tolist(),
             "scrambled_null_r": np.round(ev.reference_of("sta_gabor_null"), 4).tolist()}
    if "sta_gabor_correlation_untrained" in ev.reference:
        untrained = ev.reference_of("sta_gabor_correlation_untrained")
        nulls["untrained_sta_gabor_r"] = np.round(untrained, 4).tolist()
        nulls["above_untrained_sta"] = {c: float(np.mean(ev.reference_of("sta_gabor_correlation")[m] > untrained[m]))
                                        for c, m in ev.masks.items() if m.any()}
    return [
        contrast(s, "1a", "STA: oriented edges for non-texture units, unstructured for texture units",
                 "edge-likeness of the STA (best-Gabor r minus that of its phase-scrambled copies), non-texture "
                 "minus texture units", excess, ev.masks, ev.information, **nulls),
        contrast(s, "1b", "STA: lower activation for texture units",
                 "activation to the STA (normalized), non-texture minus texture units",
                 ev.normalized(ev.reference_of("sta_activation")), ev.masks, ev.information),
    ]


@section("pixel", "pixel/unbudgeted", "pixel_pre/none", "pixel_pre/jitter", "pixel_post/none",
         *(f"pixel_post/{d}" for d in DENOISERS), "pixel_grad/g0", "pixel_grad/g05", "pixel_grad/g2",
         "pixel_elbo/*", "pixel_elbo_original_sign/*")
def pixel(ev: Evidence) -> list:
    s, ref = "pixel", ev.reference
    cutoff = ref["whitening_cutoff"]
    natural = ref["natural_power_above_whitening_cutoff"]
    f = []
    for id_a, id_b, variant, what in (("2a", "2b", "plain", "with the std <= 1 budget"),
                                      ("2c", "2d", "unbudgeted", "without any budget")):
        final = ev.per_chain("pixel", variant, "final_activation").mean(1)
        f.append(proportion(s, id_a, f"Unregularized pixel AM ({what}) reaches high activation",
                            "fraction of units whose final activation exceeds that of their single most activating "
                            "natural patch", final > ev.nat_max, threshold=0.5,
                            above_natural_p99=float(np.mean(final > ev.nat_p99))))
        f.append(positive(s, id_b, f"Unregularized pixel AM ({what}) produces high-frequency noise",
                          f"fraction of power above the whitening cutoff ({cutoff:.3g} c/px), result minus "
                          "natural patches", hf(ev.images("pixel", variant), cutoff) - natural, bounds=[-1.0, 1.0],
                          natural=natural))

    none, jit = ev.images("pixel_pre", "none"), ev.images("pixel_pre", "jitter")
    f.append(positive(s, "3a", "Jitter raises activation (clean image)",
                      "normalized activation of the result itself, jitter minus none",
                      ev.nact("pixel_pre", "jitter") - ev.nact("pixel_pre", "none")))
    # cannot fail: jitter optimizes exactly the shift-averaged activation it is scored on
    f.append(positive(s, "3c", "Jitter raises activation (averaged over jitters of the result)",
                      "normalized activation averaged over random shifts of the result, jitter minus none",
                      ev.nact("pixel_pre", "jitter", "final_activation_jitter")
                      - ev.nact("pixel_pre", "none", "final_activation_jitter"), family="sanity"))
    f.append(positive(s, "3b", "Jitter raises coherence (less high-frequency noise)",
                      f"fraction of power above {HF_CUTOFF} c/px, none minus jitter", hf(none) - hf(jit),
                      bounds=[-1.0, 1.0]))

    base_hf = hf(ev.images("pixel_post", "none"))
    f.append(positive(s, "4a", "Post-step denoisers cut noise",
                      f"fraction of power above {HF_CUTOFF} c/px, none minus denoiser (mean of blur, bilateral, TV)",
                      np.mean([base_hf - hf(ev.images("pixel_post", v)) for v in DENOISERS], 0), bounds=[-1.0, 1.0]))
    change = np.mean([ev.nact("pixel_post", v) - ev.nact("pixel_post", "none") for v in DENOISERS], 0)
    f.append(contrast(s, "4b", "Post-step denoisers stall texture units (lower activation)",
                      "normalized activation change by the denoisers, non-texture minus texture units", change,
                      ev.masks, ev.information))

    f.append(positive(s, "5a", "Gradient filtering with a moderate gamma makes the result coherent",
                      f"fraction of power above {HF_CUTOFF} c/px, gamma 0 minus gamma 0.5",
                      hf(ev.images("pixel_grad", "g0")) - hf(ev.images("pixel_grad", "g05")), bounds=[-1.0, 1.0],
                      activation_change=float(np.mean(ev.nact("pixel_grad", "g05") - ev.nact("pixel_grad", "g0")))))
    f.append(positive(s, "5b", "A large gamma lowers activation", "normalized activation, gamma 2 minus gamma 0.5",
                      ev.nact("pixel_grad", "g2") - ev.nact("pixel_grad", "g05"), direction="below"))

    weights, wv = _elbo_sweep(ev, "pixel_elbo")
    stds = np.stack([pixel_std(ev.images("pixel_elbo", v)) for v in wv], 1)
    acts = np.stack([ev.nact("pixel_elbo", v) for v in wv], 1)
    sweep = f"ELBO weights {', '.join(f'{w:g}' for w in weights)}"
    ratio = {f"{w:g}": _mean_or_none(ev.run("pixel_elbo", v)[0].summary.get("elbo_grad_ratio"))
             for w, v in zip(weights, wv)}
    f.append(positive(s, "6a", "A larger ELBO weight lowers pixel variance",
                      f"Spearman correlation of the ELBO weight with pixel std, per unit ({sweep})",
                      spearman_rows(weights, stds), direction="below", kind="correlation", elbo_grad_ratio=ratio))
    # cannot fail: any penalty added to the objective lowers the activation it trades against
    f.append(positive(s, "6b", "A larger ELBO weight lowers activation",
                      f"Spearman correlation of the ELBO weight with activation, per unit ({sweep})",
                      spearman_rows(weights, acts), direction="below", kind="correlation", family="sanity"))
    rho, elbo_top = {}, {}
    for exp in ("pixel_elbo", "pixel_elbo_original_sign"):
        w, vs = _elbo_sweep(ev, exp)
        elbos = np.stack([ev.per_chain(exp, v, "final_elbo").mean(1) for v in vs], 1)
        rho[exp], elbo_top[exp] = spearman_rows(w, elbos), float(elbos[:, -1].mean())
    f.append(positive(s, "S1", "Correcting the original code's ELBO sign: the intended sign raises the ELBO of "
                               "the result with the weight, the original sign lowers it",
                      "Spearman(weight, ELBO of the result), paper-intent sign minus original-code sign",
                      rho["pixel_elbo"] - rho["pixel_elbo_original_sign"], bounds=[-2.0, 2.0], family="sanity",
                      rho_paper_intent=np.round(rho["pixel_elbo"], 3).tolist(),
                      rho_original_sign=np.round(rho["pixel_elbo_original_sign"], 3).tolist(),
                      elbo_top_weight_paper_intent=elbo_top["pixel_elbo"],
                      elbo_top_weight_original_sign=elbo_top["pixel_elbo_original_sign"]))
    return f


def cross_fit(groups: dict, final: dict, n_units: int) -> tuple:
    """Each unit's variant per group, chosen on the other half of the units (units alternate
    between two folds; :func:`~tdvae_am.experiments.tuning.best_variants` on one fold picks the
    variant the other fold is scored at), and the choice of each fold."""
    fold = np.arange(n_units) % 2
    choice = [best_variants(groups, {v: a[fold == k] for v, a in final.items()}) for k in (0, 1)]
    per_unit = {g: [choice[1 - fold[u]][g] for u in range(n_units)] for g in groups}
    return per_unit, choice


def _at_units(arrays: dict, chosen: list, axis: int = 0) -> np.ndarray:
    """Each unit's slice (along ``axis``) of the array of its own chosen variant."""
    return np.stack([np.take(arrays[v], u, axis) for u, v in enumerate(chosen)], axis)


@section("optimizers", *(f"optimizers/group={o}" for o in OPTIMIZERS))
def optimizers(ev: Evidence) -> list:
    s = "optimizers"
    by_group = variant_groups({"experiments": ev.experiments}, "optimizers")
    groups = {o: by_group[o] for o in OPTIMIZERS}
    final = {v: ev.per_chain("optimizers", v, "final_activation") for vs in groups.values() for v in vs}
    per_unit, choice = cross_fit(groups, final, len(ev.order))
    traces = {v: ev.trace("optimizers", v, "activation") for v in final}
    z = {o: ev.normalized(_at_units(final, per_unit[o]).mean(1)) for o in OPTIMIZERS}
    result = race(ev, {o: _at_units(traces, per_unit[o], 1) for o in OPTIMIZERS})
    its = {o: result[o]["iterations"] for o in OPTIMIZERS}
    success = {o: result[o]["reached"] for o in OPTIMIZERS}
    edge = sorted({f"{o}: {c[o]}" for c in choice for o in OPTIMIZERS if c[o] in (groups[o][0], groups[o][-1])})
    others = [o for o in OPTIMIZERS if o != "rmsprop"]
    best_other = max(others, key=lambda o: np.nanmean(z[o]))
    fastest_other = min(others, key=lambda o: np.nanmean(its[o]))
    tuned = {"chosen_variants": {f"fold_{k}": c for k, c in enumerate(choice)},
             "lr_grids": {o: groups[o] for o in OPTIMIZERS},
             "lr_choice": "cross-fitted: units alternate between two folds; the lr scored on one fold is the best "
                          "on the other", **_race_details(result),
             "success_rates": {o: float(v.mean()) for o, v in success.items()}}
    if edge:  # a learning rate chosen at the edge of its grid: the contest is not fair
        tuned["invalid"] = f"chosen learning rate at the edge of its grid ({'; '.join(edge)})"
    return [
        positive(s, "7a", "RMSprop reaches the highest activation",
                 f"normalized activation, RMSprop minus the best other optimizer ({best_other}), each at its "
                 "cross-fitted learning rate", z["rmsprop"] - z[best_other],
                 mean_activation={o: float(np.nanmean(v)) for o, v in z.items()}, **tuned),
        positive(s, "7b", "RMSprop converges fastest",
                 f"iterations to the common target (censored at the budget), RMSprop minus the fastest other "
                 f"({fastest_other})", its["rmsprop"] - its[fastest_other], direction="below", **tuned),
        proportion(s, "7c", "SGD mostly fails",
                   "fraction of units on which SGD reaches and keeps the common target within the budget",
                   success["sgd"], threshold=0.5, direction="below", **tuned),
        proportion(s, "7d", "Adam fails on texture units in pixel space",
                   "fraction of texture units on which Adam reaches and keeps the common target within the budget",
                   success["adam"][ev.mask(TEXTURE)], threshold=0.5, direction="below",
                   adam_non_texture=_mean_or_none(success["adam"][ev.mask(NON_TEXTURE)]), **tuned),
    ]


@section("distributions", "diversity/none", *(f"diversity/{m}" for m in DIVERSITY), "distribution_learnable/*",
         "distribution_fixed/normal", "method_stability/pixel", "method_stability/distribution")
def distributions(ev: Evidence) -> list:
    s = "distributions"
    base = ev.images("diversity", "none", "samples", first=False)
    runs = {m: ev.images("diversity", m, "samples", first=False) for m in DIVERSITY}
    gain = {m: pairwise_diversity(x) - pairwise_diversity(base) for m, x in runs.items()}
    raised = positive(s, "8a", "Each diversity term raises the diversity of the images optimized together",
                      "pairwise diversity (1 - mean correlation) with the term minus without, the least effective "
                      "of the three metrics", np.min(np.stack(list(gain.values())), 0),
                      mean_gain={m: float(g.mean()) for m, g in gain.items()})
    first = lambda x: x[:, :, 0]  # noqa: E731
    structure = np.mean([lowpass_correlation(first(x), first(base)) for x in runs.values()], 0)
    # cannot fail while restarts converge to one image: a low-pass correlation near 1 is guaranteed
    kept = gated(positive(s, "8b", "Diversity terms change noise/contrast more than structure",
                          "low-pass (sigma 2 px) correlation of the diversity result with the no-diversity result "
                          "(same seed), mean over the three metrics", structure, threshold=0.5, kind="correlation",
                          family="sanity",
                          mean_abs_log_contrast_change=float(np.mean(
                              [np.abs(np.log(pixel_std(first(x)) / pixel_std(first(base)))) for x in runs.values()])),
                          hf_change={m: float(np.mean(hf(first(x)) - hf(first(base)))) for m, x in runs.items()}),
                 "8a")

    ratios, trends = [], []
    for v in ev.variants("distribution_learnable"):
        std = ev.trace("distribution_learnable", v, "std").mean(2)          # (T, U)
        ratios.append(std[-1] / ev.config("distribution_learnable", v)["parametrization"]["std"])
        trends.append(spearman_rows(np.arange(len(std)), std.T))
    ratio = np.exp(np.mean(np.log(np.maximum(ratios, 1e-12)), 0))
    collapse = positive(s, "9", "A learnable std collapses toward 0",
                        "final mean std / initial std (geometric mean of normal and Laplace; samples within the "
                        "budget)", ratio, threshold=0.2, direction="below", kind="ratio",
                        per_class={c: float(ratio[m].mean()) for c, m in ev.masks.items() if m.any()},
                        trend_spearman=_nanmean(trends))

    speed = race(ev, {m: ev.trace("method_stability", m, "activation") for m in ("pixel", "distribution")})
    converge = positive(s, "10", "Distribution AM converges in fewer iterations than pixel AM",
                        "iterations to the common target (censored at the budget), pixel minus distribution (fixed "
                        f"std), both with {_common_optimizer(ev)}",
                        speed["pixel"]["iterations"] - speed["distribution"]["iterations"], **_race_details(speed))
    dist = ("distribution_fixed", "normal")
    tr = ev.trace(*dist, "activation")                                          # activation of the samples
    tail = tr[-max(2, tr.shape[0] // 5):]
    osc = (tail.std(0) / np.maximum(np.ptp(tr, 0), 1e-9)).mean(1)
    return [raised, kept, collapse, converge,
            contrast(s, "11a", "Fixed-std distribution AM: texture units oscillate",
                     "std of the sample activation over the last 20% of iterations / its range, non-texture minus "
                     "texture", osc, ev.masks, ev.information, direction="below"),
            contrast(s, "11b", "Fixed-std distribution AM: high activation for non-texture units, low for texture "
                               "units", "normalized sample activation over the last 20% of iterations, non-texture "
                                        "minus texture", ev.normalized(tail.mean((0, 2))), ev.masks, ev.information)]


def _common_optimizer(ev: Evidence) -> str:
    opt = ev.config("method_stability", "pixel")["optimizer"]
    return f"{opt['name']} (lr {opt['lr']:g}), {ev.config('method_stability', 'pixel')['steps']} iterations"


def _failed(ev: Evidence, experiment: str, variant: str) -> float:
    return float(1 - ev.succeeded(experiment, variant).mean())


@section("transformations", "transformation_elbo/w0", "transformation_elbo/w1",
         *(f"method_stability/{m}" for m in METHODS), "kernel_size/*")
def transformations(ev: Evidence) -> list:
    s, f = "transformations", []
    speed = race(ev, {m: ev.trace("method_stability", m, "activation") for m in ("pixel", "transformation")})
    f.append(positive(s, "12a", "Transformation AM converges fast",
                      "iterations to the common target (censored at the budget), pixel minus transformation (one "
                      f"kernel), both with {_common_optimizer(ev)}",
                      speed["pixel"]["iterations"] - speed["transformation"]["iterations"], **_race_details(speed)))
    ref = ev.reference
    p1, p99 = ref["natural_elbo_p1"], ref["natural_elbo_p99"]
    e0, e1 = (np.median(ev.per_chain("transformation_elbo", w, "final_elbo"), 1) for w in ("w0", "w1"))
    f.append(proportion(s, "12b", "Without the ELBO term transformation AM finds out-of-distribution images",
                        "fraction of units whose result's ELBO (restart median) is below the natural patches' 1st "
                        "percentile", e0 < p1, threshold=0.5, natural_elbo_p1=p1, elbo_without=_round4(e0)))
    inside = (e1 >= p1) & (e1 <= p99)
    high = ev.per_chain("transformation_elbo", "w1", "final_activation").mean(1) > ev.nat_p99
    f.append(proportion(s, "12c", "The ELBO term brings transformation AM back toward the data (and AM still works)",
                        "fraction of units whose result with the ELBO term has an ELBO inside the natural 1-99% range "
                        "and an activation above the unit's natural 99th percentile", inside & high, threshold=0.5,
                        elbo_inside_natural=float(inside.mean()), activation_above_p99=float(high.mean()),
                        natural_elbo_p1_p99=[p1, p99], elbo_with=_round4(e1)))

    ok = {m: ev.succeeded("method_stability", m) for m in METHODS}
    failed = {m: float(1 - v.mean()) for m, v in ok.items()}
    var = {m: shift_invariant_variability(ev.images("method_stability", m), ok[m]) for m in METHODS}
    spread = {m: kept_std(ev.per_chain("method_stability", m, "final_activation"), ok[m]) / ev.scale
              for m in METHODS}
    for id_, what, values, of in (("13a", "shift-invariant restart variability (1 - mean pairwise max "
                                          "cross-correlation)", var, "images"),
                                  ("13b", "spread of the final activation across restarts (std / scale)", spread,
                                   "activations")):
        other = min((m for m in METHODS if m != "transformation_distribution"), key=lambda m: _nanmean(values[m]))
        f.append(positive(s, id_, f"Transformation + distribution AM is the most stable across restarts ({of})",
                          f"{what} over successful restarts, T+D minus the most stable other method ({other}), all "
                          f"with {_common_optimizer(ev)}", values["transformation_distribution"] - values[other],
                          direction="below", mean={m: _nanmean(v) for m, v in values.items()},
                          failed_run_fraction=failed,
                          failed_run_rule="final activation below the unit's natural median"))

    variants = ev.variants("kernel_size")
    sizes = np.array([ev.config("kernel_size", v)["parametrization"]["kernel_size"] for v in variants])
    kok = np.stack([ev.succeeded("kernel_size", v) for v in variants], 1)                     # (U, V, R)
    freq = np.stack([mean_frequency(ev.images("kernel_size", v)).numpy() for v in variants], 1)   # (U, V, R)
    freq = np.where(kok.any(2), np.nansum(np.where(kok, freq, 0), 2) / np.maximum(kok.sum(2), 1), np.nan)
    tx = ev.mask(TEXTURE)
    scored = np.isfinite(freq).all(1)
    rho = np.where(scored, spearman_rows(sizes, np.nan_to_num(freq)), np.nan)
    calibration = _calibration(ev, "kernel_size", variants)
    f.append(positive(s, "14", "Kernel size sets the spatial frequency of texture-unit patterns",
                      "Spearman correlation of kernel size with the power-weighted mean frequency of successful "
                      "restarts, texture units successful at every size", rho[tx], direction="below",
                      kind="correlation", kernel_sizes=sizes.tolist(),
                      mean_frequency_texture=np.round(freq[tx], 4).tolist(),
                      failed_run_fraction={v: _failed(ev, "kernel_size", v) for v in variants}, **calibration))

    largest = variants[int(np.argmax(sizes))]
    good = ev.succeeded("kernel_size", largest)
    gap = {}
    for when, (inputs, outputs) in {
        "final": (ev.images("kernel_size", largest, "input"), ev.images("kernel_size", largest)),
        "init": (None, ev.snapshot("kernel_size", largest, 0)),
    }.items():
        if inputs is None:  # the input starts as white Gaussian noise: its spectrum's entropy, sampled
            noise = torch.randn(outputs.shape, generator=torch.Generator().manual_seed(0))
            ent_in = spectral_entropy(noise).numpy()
        else:
            ent_in = spectral_entropy(inputs).numpy()
        gap[when] = ent_in - spectral_entropy(outputs).numpy()                            # (U, R)
    diff = np.where(good, gap["final"] - gap["init"], np.nan)
    per_unit = np.where(good.any(1), np.nansum(np.nan_to_num(diff), 1) / np.maximum(good.sum(1), 1), np.nan)
    f.append(positive(s, "15", "The kernel carries the amplitude spectrum: the input spectrum is flatter",
                      f"normalized spectral entropy, learned input minus transformed input "
                      f"({sizes.max()}x{sizes.max()}), final minus at initialization, successful restarts",
                      per_unit, final_gap=_nanmean(np.where(good, gap["final"], np.nan)),
                      init_gap=float(gap["init"].mean()), failed_run_fraction=_failed(ev, "kernel_size", largest)))
    return f


def kept_std(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Per row the sample std (ddof 1) of the kept entries of (U, R) ``values``; NaN with fewer than two."""
    n = keep.sum(1)
    mean = np.where(keep, values, 0).sum(1) / np.maximum(n, 1)
    ss = np.where(keep, (values - mean[:, None]) ** 2, 0).sum(1)
    return np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1)), np.nan)


def _nanmean(values) -> float | None:
    v = np.asarray(values, dtype=float)
    return float(np.nanmean(v)) if np.isfinite(v).any() else None


def _round4(x) -> list:
    return np.round(np.asarray(x, dtype=float), 4).tolist()


def _calibration(ev: Evidence, experiment: str, variants: list) -> dict:
    """The ELBO weight each run used and the median ratio of its gradient to the activation's at
    the start (``elbo_weight``, ``elbo_grad_ratio_start`` of the run summaries)."""
    out = {}
    for v in variants:
        summary = ev.run(experiment, v)[0].summary
        start = summary.get("elbo_grad_ratio_start")
        out[v] = {"elbo_weight": summary.get("elbo_weight"),
                  "median_ratio_at_start": None if start is None else float(np.median(start))}
    return {"elbo_calibration": out}


@section("generator", "onehot_synthesis/mean", "onehot_synthesis/sample", "z2_space/onehot", "z2_space/prior_mean",
         "z1_space/onehot_z2", "pixel_pre/jitter")
def generator(ev: Evidence) -> list:
    s = "generator"
    edges, edge_details = _edges(ev.images("onehot_synthesis", "mean")[:, 0])
    ratio = sampling_gain(ev)
    hf_pix = hf(ev.images("pixel", "plain"))
    inits = ("onehot", "prior_mean")
    speed = race(ev, {i: ev.trace("z2_space", i, "activation") for i in inits})
    jitter = ev.images("pixel_pre", "jitter")[:, 0]
    similar = {i: max_xcorr(ev.images("z2_space", i)[:, 0], jitter) for i in inits}
    return [
        contrast(s, "16a", "One-hot synthesis: the mean shows edges for non-texture units",
                 "edge-likeness of the mean synthesis (best-Gabor r minus that of its phase-scrambled copies), "
                 "non-texture minus texture units", edges, ev.masks, ev.information, **edge_details),
        contrast(s, "16b", "One-hot synthesis: sampling z1 adds more contrast for texture units",
                 "contrast gained by sampling z1: log(pixel std of sampled syntheses / pixel std of the mean "
                 "synthesis), non-texture minus texture", ratio, ev.masks, ev.information, direction="below"),
        positive(s, "17a", "z2-space AM: the one-hot initialization converges faster",
                 "iterations to the common target (censored at the budget), prior-mean init minus one-hot init",
                 speed["prior_mean"]["iterations"] - speed["onehot"]["iterations"], **_race_details(speed)),
        positive(s, "17c", "z2-space AM: the one-hot initialization gives images like the other AM methods'",
                 "shift-invariant similarity (max cross-correlation) to the unit's pixel-AM-with-jitter image, "
                 "one-hot minus prior-mean init", similar["onehot"] - similar["prior_mean"], bounds=[-2.0, 2.0],
                 mean_similarity={i: float(v.mean()) for i, v in similar.items()}),
        positive(s, "17b", "z1-space AM approaches pixel AM",
                 "|HF power(z1 AM) - HF power(pixel AM)| minus |HF power(z2 AM) - HF power(pixel AM)|",
                 np.abs(hf(ev.images("z1_space", "onehot_z2")) - hf_pix)
                 - np.abs(hf(ev.images("z2_space", "onehot")) - hf_pix), direction="below", bounds=[-1.0, 1.0]),
    ]


# Top-down vs chain inference (not in the paper): one hypothesis, declared before any chain
# run existed. The TDVAE's z2 posterior q(z2|x) reads the image directly, the chain VAE's
# q(z2|z1) only through z1, a layer of Gabor-like units; so the TDVAE's z2 units should
# prefer less edge-like (more texture-like) patterns. Measured by the edge-likeness (best-Gabor
# correlation above that of phase-scrambled copies) of what each method finds (chain minus
# TDVAE > 0), and by how much sampling z1 adds to a one-hot synthesis (the TDVAE stores texture
# information in z1's scale, paper Sec. 4.6). T+D images are scored on successful restarts only.
CHAIN_GABOR = (("C1", "the STA", None),
               ("C2", "pixel AM with jitter", ("pixel_pre", "jitter")),
               ("C3", "fixed-std distribution AM", ("distribution_fixed", "normal")),
               ("C4", "transformation + distribution AM", ("transformation_distribution", "paper")),
               ("C5", "the one-hot mean synthesis", ("onehot_synthesis", "mean")),
               ("C6", "z2-space AM", ("z2_space", "onehot")))
CHAIN_READS = tuple(f"{e}/{v}" for _, _, run in CHAIN_GABOR if run for e, v in [run]) + ("onehot_synthesis/sample",)


def _chain_images(ev: Evidence, run) -> np.ndarray:
    """(U, H, W): the STA, the first successful restart of a T+D run, else restart 0."""
    if run is None:
        return ev.reference_array("sta")
    images = ev.images(*run)
    if run[0] == "transformation_distribution":
        return first_success(images, ev.succeeded(*run))
    return images[:, 0]


def _per_class(chain: np.ndarray, tdvae: np.ndarray, evs: tuple) -> dict:
    return {c: float(np.nanmean(chain[evs[1].masks[c]]) - np.nanmean(tdvae[evs[0].masks[c]]))
            for c in (TEXTURE, NON_TEXTURE) if evs[1].masks[c].any() and evs[0].masks[c].any()
            and np.isfinite(chain[evs[1].masks[c]]).any() and np.isfinite(tdvae[evs[0].masks[c]]).any()}


def chain_findings(tdvae: Evidence, chain: Evidence) -> list:
    """C1-C7: the TDVAE's and the chain VAE's studied units through the same AM methods."""
    s, f, evs = "top-down vs chain", [], (tdvae, chain)
    for id_, method, run in CHAIN_GABOR:
        values = []
        for ev in evs:
            with ev.reading(CHAIN_READS):
                values.append(_edges_where(_chain_images(ev, run))[0])
        f.append(two_groups(s, id_, f"Chain z2 units prefer more edge-like patterns than TDVAE's: {method}",
                            f"edge-likeness of {method} (best-Gabor r minus that of its phase-scrambled copies), "
                            "chain minus TDVAE units", values[1], values[0], names=("chain", "tdvae"),
                            per_class_difference=_per_class(values[1], values[0], evs)))
    ratios = []
    for ev in evs:
        with ev.reading(CHAIN_READS):
            ratios.append(sampling_gain(ev))
    f.append(two_groups(s, "C7", "Sampling z1 adds more to a one-hot synthesis in the TDVAE than in the chain VAE",
                        "log(std of sampled syntheses / std of the mean synthesis), chain minus TDVAE units",
                        ratios[1], ratios[0], direction="below", names=("chain", "tdvae"),
                        per_class_difference=_per_class(ratios[1], ratios[0], evs)))
    return f


def am_findings(ev: Evidence) -> list:
    """Every section's findings, each computed with only its declared runs readable."""
    out = []
    for sec in SECTIONS:
        with ev.reading(sec.reads):
            out += sec.findings(ev)
    return out
