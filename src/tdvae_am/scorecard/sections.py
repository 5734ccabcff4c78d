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

from tdvae_am.analysis.gabor import best_gabor
from tdvae_am.analysis.spectra import mean_frequency, spectral_entropy
from tdvae_am.config import ConfigError
from tdvae_am.experiments.tuning import best_variants, variant_groups
from tdvae_am.imageops.fourier import HF_CUTOFF

from .evidence import (
    Evidence,
    hf,
    iterations_to,
    log_neg_elbo,
    lowpass_correlation,
    pairwise_diversity,
    pixel_std,
    shift_invariant_variability,
)
from .rows import NON_TEXTURE, TEXTURE, Finding, contrast, gated, positive, proportion, too_few
from .statistics import rank_sum_test, spearman_rows, verdict, welch_interval

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


@section("STA")
def sta(ev: Evidence) -> list:
    s = "STA"
    return [
        contrast(s, "1a", "STA: oriented edges for non-texture units, unstructured for texture units",
                 "best-Gabor correlation of the STA, non-texture minus texture units",
                 ev.reference_of("sta_gabor_correlation"), ev.masks),
        contrast(s, "1b", "STA: lower activation for texture units",
                 "activation to the STA (normalized), non-texture minus texture units",
                 ev.normalized(ev.reference_of("sta_activation")), ev.masks),
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
        above = ev.per_chain("pixel", variant, "final_activation").mean(1) > ev.nat_p99
        f.append(proportion(s, id_a, f"Unregularized pixel AM ({what}) reaches high activation",
                            "fraction of units whose final activation exceeds their natural-patch 99th percentile",
                            above, 0.5))
        f.append(positive(s, id_b, f"Unregularized pixel AM ({what}) produces high-frequency noise",
                          f"fraction of power above the whitening cutoff ({cutoff:.3g} c/px), result minus "
                          "natural patches", hf(ev.images("pixel", variant), cutoff) - natural, natural=natural))

    none, jit = ev.images("pixel_pre", "none"), ev.images("pixel_pre", "jitter")
    f.append(positive(s, "3a", "Jitter raises activation (clean image)",
                      "normalized activation of the result itself, jitter minus none",
                      ev.nact("pixel_pre", "jitter") - ev.nact("pixel_pre", "none")))
    f.append(positive(s, "3c", "Jitter raises activation (averaged over jitters of the result)",
                      "normalized activation averaged over random shifts of the result, jitter minus none",
                      ev.nact("pixel_pre", "jitter", "final_activation_jitter")
                      - ev.nact("pixel_pre", "none", "final_activation_jitter")))
    f.append(positive(s, "3b", "Jitter raises coherence (less high-frequency noise)",
                      f"fraction of power above {HF_CUTOFF} c/px, none minus jitter", hf(none) - hf(jit)))

    base_hf = hf(ev.images("pixel_post", "none"))
    f.append(positive(s, "4a", "Post-step denoisers cut noise",
                      f"fraction of power above {HF_CUTOFF} c/px, none minus denoiser (mean of blur, bilateral, TV)",
                      np.mean([base_hf - hf(ev.images("pixel_post", v)) for v in DENOISERS], 0)))
    change = np.mean([ev.nact("pixel_post", v) - ev.nact("pixel_post", "none") for v in DENOISERS], 0)
    f.append(contrast(s, "4b", "Post-step denoisers stall texture units (lower activation)",
                      "normalized activation change by the denoisers, non-texture minus texture units", change,
                      ev.masks))

    f.append(positive(s, "5a", "Gradient filtering with a moderate gamma makes the result coherent",
                      f"fraction of power above {HF_CUTOFF} c/px, gamma 0 minus gamma 0.5",
                      hf(ev.images("pixel_grad", "g0")) - hf(ev.images("pixel_grad", "g05")),
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
                      spearman_rows(weights, stds), direction="below", elbo_grad_ratio=ratio))
    f.append(positive(s, "6b", "A larger ELBO weight lowers activation",
                      f"Spearman correlation of the ELBO weight with activation, per unit ({sweep})",
                      spearman_rows(weights, acts), direction="below"))
    rho, elbo_top = {}, {}
    for exp in ("pixel_elbo", "pixel_elbo_original_sign"):
        w, vs = _elbo_sweep(ev, exp)
        elbos = np.stack([ev.per_chain(exp, v, "final_elbo").mean(1) for v in vs], 1)
        rho[exp], elbo_top[exp] = spearman_rows(w, elbos), float(elbos[:, -1].mean())
    f.append(positive(s, "S1", "Correcting the original code's ELBO sign: the intended sign raises the ELBO of "
                               "the result with the weight, the original sign lowers it",
                      "Spearman(weight, ELBO of the result), paper-intent sign minus original-code sign",
                      rho["pixel_elbo"] - rho["pixel_elbo_original_sign"],
                      rho_paper_intent=np.round(rho["pixel_elbo"], 3).tolist(),
                      rho_original_sign=np.round(rho["pixel_elbo_original_sign"], 3).tolist(),
                      elbo_top_weight_paper_intent=elbo_top["pixel_elbo"],
                      elbo_top_weight_original_sign=elbo_top["pixel_elbo_original_sign"]))
    return f


@section("optimizers", *(f"optimizers/group={o}" for o in OPTIMIZERS))
def optimizers(ev: Evidence) -> list:
    s = "optimizers"
    by_group = variant_groups({"experiments": ev.experiments}, "optimizers")
    groups = {o: by_group[o] for o in OPTIMIZERS}
    final = {v: ev.per_chain("optimizers", v, "final_activation") for vs in groups.values() for v in vs}
    best = best_variants(groups, final)
    z = {o: ev.nact("optimizers", best[o]) for o in OPTIMIZERS}
    its = {o: iterations_to(ev.trace("optimizers", best[o], "activation")) for o in OPTIMIZERS}
    success = {o: ev.per_chain("optimizers", best[o], "success").mean(1) for o in OPTIMIZERS}
    others = [o for o in OPTIMIZERS if o != "rmsprop"]
    best_other = max(others, key=lambda o: np.nanmean(z[o]))
    fastest_other = min(others, key=lambda o: np.nanmean(its[o]))
    tuned = {"chosen_variants": best}
    return [
        positive(s, "7a", "RMSprop reaches the highest activation",
                 f"normalized activation, RMSprop minus the best other optimizer ({best_other}), each at its best "
                 "learning rate", z["rmsprop"] - z[best_other],
                 mean_activation={o: float(np.nanmean(v)) for o, v in z.items()}, **tuned),
        positive(s, "7b", "RMSprop converges fastest",
                 f"iterations to 90% of the final activation, RMSprop minus the fastest other ({fastest_other})",
                 its["rmsprop"] - its[fastest_other], direction="below",
                 mean_iterations={o: float(np.nanmean(v)) for o, v in its.items()}, **tuned),
        positive(s, "7c", "SGD mostly fails", "success rate of SGD at its best learning rate (per unit over restarts)",
                 success["sgd"], 0.5, "below", success_rates={o: float(v.mean()) for o, v in success.items()}, **tuned),
        positive(s, "7d", "Adam fails on texture units in pixel space",
                 "success rate of Adam at its best learning rate, texture units", success["adam"][ev.mask(TEXTURE)],
                 0.5, "below", adam_non_texture=_mean_or_none(success["adam"][ev.mask(NON_TEXTURE)]), **tuned),
    ]


@section("distributions", "diversity/none", *(f"diversity/{m}" for m in DIVERSITY), "distribution_learnable/*",
         "distribution_fixed/normal")
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
    kept = gated(positive(s, "8b", "Diversity terms change noise/contrast more than structure",
                          "low-pass (sigma 2 px) correlation of the diversity result with the no-diversity result "
                          "(same seed), mean over the three metrics", structure, 0.5,
                          mean_abs_log_contrast_change=float(np.mean(
                              [np.abs(np.log(pixel_std(first(x)) / pixel_std(first(base)))) for x in runs.values()])),
                          hf_change={m: float(np.mean(hf(first(x)) - hf(first(base)))) for m, x in runs.items()}),
                 raised)

    ratios, trends = [], []
    for v in ev.variants("distribution_learnable"):
        std = ev.trace("distribution_learnable", v, "std").mean(2)          # (T, U)
        ratios.append(std[-1] / ev.config("distribution_learnable", v)["parametrization"]["std"])
        trends.append(spearman_rows(np.arange(len(std)), std.T))
    ratio = np.mean(ratios, 0)
    collapse = positive(s, "9", "A learnable std collapses toward 0",
                        "final mean std / initial std (normal and Laplace; samples within the budget)", ratio,
                        0.2, "below",
                        per_class={c: float(ratio[m].mean()) for c, m in ev.masks.items() if m.any()},
                        trend_spearman=float(np.nanmean(trends)))

    dist = ("distribution_fixed", "normal")
    converge = positive(s, "10", "Distribution AM converges in fewer iterations than pixel AM",
                        "iterations to 90% of the final activation, pixel minus distribution (fixed std, normal)",
                        iterations_to(ev.trace("pixel", "plain", "activation"))
                        - iterations_to(ev.trace(*dist, "activation")))
    tr = ev.trace(*dist, "activation")                                          # activation of the samples
    tail = tr[-max(2, tr.shape[0] // 5):]
    osc = (tail.std(0) / np.maximum(np.ptp(tr, 0), 1e-9)).mean(1)
    return [raised, kept, collapse, converge,
            contrast(s, "11a", "Fixed-std distribution AM: texture units oscillate",
                     "std of the sample activation over the last 20% of iterations / its range, non-texture minus "
                     "texture", osc, ev.masks, "below"),
            contrast(s, "11b", "Fixed-std distribution AM: high activation for non-texture units, low for texture "
                               "units", "normalized sample activation over the last 20% of iterations, non-texture "
                                        "minus texture", ev.normalized(tail.mean((0, 2))), ev.masks)]


@section("transformations", "transformation/conv", "transformation_elbo/w0", "transformation_elbo/w1",
         *(f"method_stability/{m}" for m in METHODS), "kernel_size/*")
def transformations(ev: Evidence) -> list:
    s, f = "transformations", []
    f.append(positive(s, "12a", "Transformation AM converges fast",
                      "iterations to 90% of the final activation, pixel minus transformation (one kernel)",
                      iterations_to(ev.trace("pixel", "plain", "activation"))
                      - iterations_to(ev.trace("transformation", "conv", "activation"))))
    # off-distribution ELBOs span orders of magnitude: compare log10(-ELBO), restart median
    e0, e1 = (log_neg_elbo(np.median(ev.per_chain("transformation_elbo", w, "final_elbo"), 1)) for w in ("w0", "w1"))
    natural = ev.reference["natural_elbo"]
    f.append(positive(s, "12b", "Without the ELBO term transformation AM finds out-of-distribution images",
                      "log10(-ELBO) of the result minus that of the natural patches' mean ELBO",
                      e0 - log_neg_elbo(natural[0]), natural_elbo=natural))
    f.append(positive(s, "12c", "The ELBO term brings transformation AM back toward the data",
                      "log10(-ELBO) of the result, without minus with the ELBO term", e0 - e1))

    optimizer = ev.config("method_stability", "transformation_distribution")["optimizer"]["name"]
    var = {m: shift_invariant_variability(ev.images("method_stability", m)) for m in METHODS}
    spread = {m: ev.per_chain("method_stability", m, "final_activation").std(1) / ev.scale for m in METHODS}
    for id_, what, values, of in (("13a", "shift-invariant restart variability (1 - mean pairwise max "
                                          "cross-correlation)", var, "images"),
                                  ("13b", "spread of the final activation across restarts (std / scale)", spread,
                                   "activations")):
        other = min((m for m in METHODS if m != "transformation_distribution"), key=lambda m: np.nanmean(values[m]))
        f.append(positive(s, id_, f"Transformation + distribution AM is the most stable across restarts ({of})",
                          f"{what}, T+D minus the most stable other method ({other}), all with {optimizer}",
                          values["transformation_distribution"] - values[other], direction="below",
                          mean={m: float(np.nanmean(v)) for m, v in values.items()}))

    variants = ev.variants("kernel_size")
    sizes = np.array([ev.config("kernel_size", v)["parametrization"]["kernel_size"] for v in variants])
    freq = np.stack([mean_frequency(ev.images("kernel_size", v), pool_dim=1).numpy() for v in variants], 1)
    tx = ev.mask(TEXTURE)
    f.append(positive(s, "14", "Kernel size sets the spatial frequency of texture-unit patterns",
                      "Spearman correlation of kernel size with the power-weighted mean frequency, texture units",
                      spearman_rows(sizes, freq[tx]), direction="below", kernel_sizes=sizes.tolist(),
                      mean_frequency_texture=np.round(freq[tx], 4).tolist()))

    largest = variants[int(np.argmax(sizes))]
    gap = {}
    for when, (inputs, outputs) in {
        "final": (ev.images("kernel_size", largest, "input"), ev.images("kernel_size", largest)),
        "init": (None, ev.snapshot("kernel_size", largest, 0)),
    }.items():
        if inputs is None:  # the input starts as white Gaussian noise: its spectrum's entropy, sampled
            noise = torch.randn(outputs.shape, generator=torch.Generator().manual_seed(0))
            ent_in = spectral_entropy(noise).mean(1).numpy()
        else:
            ent_in = spectral_entropy(inputs).mean(1).numpy()
        gap[when] = ent_in - spectral_entropy(outputs).mean(1).numpy()
    f.append(positive(s, "15", "The kernel carries the amplitude spectrum: the input spectrum is flatter",
                      f"normalized spectral entropy, learned input minus transformed input "
                      f"({sizes.max()}x{sizes.max()}), final minus at initialization", gap["final"] - gap["init"],
                      final_gap=float(gap["final"].mean()), init_gap=float(gap["init"].mean())))
    return f


@section("generator", "onehot_synthesis/mean", "onehot_synthesis/sample", "z2_space/onehot", "z2_space/prior_mean",
         "z1_space/onehot_z2")
def generator(ev: Evidence) -> list:
    s = "generator"
    mean_img = ev.images("onehot_synthesis", "mean")[:, 0]
    ratio = sampling_gain(ev)
    hf_pix = hf(ev.images("pixel", "plain"))
    return [
        contrast(s, "16a", "One-hot synthesis: the mean shows edges for non-texture units",
                 "best-Gabor correlation of the mean synthesis, non-texture minus texture units",
                 best_gabor(target=mean_img).correlation, ev.masks),
        contrast(s, "16b", "One-hot synthesis: sampling z1 shows structure for texture units",
                 "log(std of sampled syntheses / std of the mean synthesis), non-texture minus texture", ratio,
                 ev.masks, "below"),
        positive(s, "17a", "z2-space AM needs the one-hot initialization",
                 "normalized activation, one-hot init minus prior-mean init",
                 ev.nact("z2_space", "onehot") - ev.nact("z2_space", "prior_mean")),
        positive(s, "17b", "z1-space AM approaches pixel AM",
                 "|HF power(z1 AM) - HF power(pixel AM)| minus |HF power(z2 AM) - HF power(pixel AM)|",
                 np.abs(hf(ev.images("z1_space", "onehot_z2")) - hf_pix)
                 - np.abs(hf(ev.images("z2_space", "onehot")) - hf_pix), direction="below"),
    ]


# Top-down vs chain inference (not in the paper): one hypothesis, declared before any chain
# run existed. The TDVAE's z2 posterior q(z2|x) reads the image directly, the chain VAE's
# q(z2|z1) only through z1, a layer of Gabor-like units; so the TDVAE's z2 units should
# prefer less edge-like (more texture-like) patterns. Measured by the best-Gabor correlation
# of what each method finds (chain minus TDVAE > 0), and by how much sampling z1 adds to a
# one-hot synthesis (the TDVAE stores texture information in z1's scale, paper Sec. 4.6).
CHAIN_GABOR = (("C1", "the STA", None),
               ("C2", "pixel AM with jitter", ("pixel_pre", "jitter")),
               ("C3", "fixed-std distribution AM", ("distribution_fixed", "normal")),
               ("C4", "transformation + distribution AM", ("transformation_distribution", "paper")),
               ("C5", "the one-hot mean synthesis", ("onehot_synthesis", "mean")),
               ("C6", "z2-space AM", ("z2_space", "onehot")))
CHAIN_READS = tuple(f"{e}/{v}" for _, _, run in CHAIN_GABOR if run for e, v in [run]) + ("onehot_synthesis/sample",)


def _two_models(section, id_, finding, statistic, tdvae, chain, td_masks, ch_masks, direction="above") -> Finding:
    """Chain minus TDVAE units (different units: Welch t interval, exact rank-sum test), with the
    per-class differences."""
    interval = welch_interval(chain, tdvae)
    method = "95% Welch t interval of the model difference"
    per_class = {c: float(np.mean(chain[ch_masks[c]]) - np.mean(tdvae[td_masks[c]]))
                 for c in (TEXTURE, NON_TEXTURE) if ch_masks[c].any() and td_masks[c].any()}
    return Finding(id_, section, finding, statistic, float(np.mean(chain) - np.mean(tdvae)), interval,
                   f"replicated if the {method} lies {direction} 0; not_replicated if on the other side; "
                   "inconclusive otherwise", verdict(interval, 0.0, direction), 0.0, direction, method,
                   {"chain": np.round(chain, 4).tolist(), "tdvae": np.round(tdvae, 4).tolist(),
                    "rank_sum_p": rank_sum_test(chain, tdvae, direction), "per_class_difference": per_class,
                    **too_few(method, {"chain VAE": np.isfinite(chain).sum(), "TDVAE": np.isfinite(tdvae).sum()})})


def chain_findings(tdvae: Evidence, chain: Evidence) -> list:
    """C1-C7: the TDVAE's and the chain VAE's studied units through the same AM methods."""
    s, f = "top-down vs chain", []
    for id_, method, run in CHAIN_GABOR:
        values = []
        for ev in (tdvae, chain):
            with ev.reading(CHAIN_READS):
                images = ev.reference_array("sta") if run is None else ev.images(*run)[:, 0]  # restart 0
                values.append(best_gabor(target=images).correlation)
        f.append(_two_models(s, id_, f"Chain z2 units prefer more edge-like patterns than TDVAE's: {method}",
                             f"best-Gabor correlation of {method}, chain minus TDVAE units", values[0],
                             values[1], tdvae.masks, chain.masks))
    ratios = []
    for ev in (tdvae, chain):
        with ev.reading(CHAIN_READS):
            ratios.append(sampling_gain(ev))
    f.append(_two_models(s, "C7", "Sampling z1 adds more to a one-hot synthesis in the TDVAE than in the chain VAE",
                         "log(std of sampled syntheses / std of the mean synthesis), chain minus TDVAE units",
                         ratios[0], ratios[1], tdvae.masks, chain.masks, "below"))
    return f


def am_findings(ev: Evidence) -> list:
    """Every section's findings, each computed with only its declared runs readable."""
    out = []
    for sec in SECTIONS:
        with ev.reading(sec.reads):
            out += sec.findings(ev)
    return out
