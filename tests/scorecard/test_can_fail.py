"""Every scorecard row can fail: for each row id a planted study in which the paper's claim (or the
row's hypothesis) is false, and the row must not say ``replicated``. A new row needs an entry
here (the id lists are checked against what the scorecard produces)."""

import numpy as np
import pytest
from planted_study import REGISTRY, PlantedChain, PlantedEvidence, R, T, U, edge_images, grating

from tdvae_am.scorecard.findings import model_findings
from tdvae_am.scorecard.sections import SECTIONS, am_findings, chain_findings

TEX = np.arange(U) < 5                       # the planted texture-sensitive units
STEPS = np.arange(1, T + 1)[:, None, None]


def final(value):
    """The run's final activation ``value`` (scalar or per unit), its trace rising to it."""
    def edit(res, rng):
        v = np.broadcast_to(np.asarray(value, dtype=float), (U,))[:, None] + 0.05 * rng.normal(size=(U, R))
        res.summary["final_activation"] = v.tolist()
        res.traces["activation"] = v[None] * (1 - np.exp(-STEPS / 3))
    return edit


def speed(tau: float):
    """An activation trace that rises to 5 with time constant ``tau`` iterations."""
    def edit(res, rng):
        res.traces["activation"] = 5 * (1 - np.exp(-STEPS / tau)) * np.ones((T, U, R))
        res.summary["final_activation"] = np.full((U, R), 5.0).tolist()
    return edit


def images(kind: str, scale=1.0):
    """Images (and samples) that are ``smooth`` (a low-frequency grating), ``noise`` or ``edge``
    (one Gabor), times ``scale`` (scalar or per unit)."""
    def edit(res, rng):
        if kind == "edge":
            edge_images(res, rng)
        else:
            res.images[:] = grating(0.04) + 0.01 * rng.normal(size=res.images.shape) if kind == "smooth" else \
                rng.normal(size=res.images.shape)
        res.images *= np.reshape(np.broadcast_to(scale, (U,)), (U, 1, 1, 1, 1))
        res.samples = res.images.copy()
    return edit


def summary(key, value):
    def edit(res, rng):
        res.summary[key] = (np.broadcast_to(np.asarray(value, dtype=float), (U,))[:, None]
                            + 0.01 * rng.normal(size=(U, R))).tolist()
    return edit


def both(*edits):
    def edit(res, rng):
        for e in edits:
            e(res, rng)
    return edit


def _elbo_weights(experiment):
    return {v: ((REGISTRY["experiments"][experiment]["variants"][v] or {}).get("am", {}).get("obj") or [{}])[0]
            .get("weight") for v in REGISTRY["experiments"][experiment]["variants"]}


def _by_weight(experiment, edit_for_weight):
    return {(experiment, v): edit_for_weight(w) for v, w in _elbo_weights(experiment).items() if w is not None}


def _optimizers(edit_for_group):
    return {("optimizers", v): edit_for_group(spec["group"])
            for v, spec in REGISTRY["experiments"]["optimizers"]["variants"].items()}


def _kernel(edit_for_size):
    return {("kernel_size", v): edit_for_size(spec["am"]["parametrization"]["kernel_size"])
            for v, spec in REGISTRY["experiments"]["kernel_size"]["variants"].items()}


def oscillating(texture_oscillates: bool):
    def edit(res, rng):
        wave = np.where(np.arange(T) % 2 == 0, 1.0, -1.0)[:, None, None] * np.ones((T, U, R))
        oscillates = TEX if texture_oscillates else ~TEX
        res.traces["activation"] = 5 * (1 - np.exp(-STEPS / 3)) + np.where(oscillates[None, :, None], 2 * wave, 0)
    return edit


def texture_edges(res, rng):  # edge-like images for texture units, noise for the others
    edge_images(res, rng)
    res.images[~TEX] = rng.normal(size=res.images[~TEX].shape)


def spread_out(res, rng):  # restarts far apart, all above the natural median
    res.summary["final_activation"] = (5 + 2 * rng.random(size=(U, R))).tolist()


def constant_std(res, rng):
    res.traces["std"] = np.full((T, U, R), 0.6)


def flat_input_spectrum(res, rng):  # the learned input keeps its structure, the output is white
    res.params["input"] = np.broadcast_to(grating(0.04), res.params["input"].shape).copy()
    res.images[:] = rng.normal(size=res.images.shape)
    res.snapshots[:] = grating(0.04) + 0.01 * rng.normal(size=res.snapshots.shape)


COUNTER = {  # row id -> (reference edits, run plants) under which the claim is false
    "1a": ({"sta_gabor_correlation": np.where(TEX, 0.8, 0.35).tolist()}, {}),
    "1b": ({"sta_activation": np.where(TEX, 6.0, 1.0).tolist()}, {}),
    "2a": ({}, {("pixel", "plain"): final(3.0)}),                    # below the best natural patch (4)
    "2b": ({}, {("pixel", "plain"): images("smooth")}),
    "2c": ({}, {("pixel", "unbudgeted"): final(3.0)}),
    "2d": ({}, {("pixel", "unbudgeted"): images("smooth")}),
    "3a": ({}, {("pixel_pre", "jitter"): final(3.0), ("pixel_pre", "none"): final(6.0)}),
    "3c": ({}, {("pixel_pre", "jitter"): summary("final_activation_jitter", 3.0),
                ("pixel_pre", "none"): summary("final_activation_jitter", 6.0)}),
    "3b": ({}, {("pixel_pre", "none"): images("smooth"), ("pixel_pre", "jitter"): images("noise")}),
    "4a": ({}, {("pixel_post", "none"): images("smooth"),
                **{("pixel_post", d): images("noise") for d in ("blur", "bilateral", "tv")}}),
    "4b": ({}, {("pixel_post", d): final(np.where(TEX, 8.0, 2.0)) for d in ("blur", "bilateral", "tv")}),
    "5a": ({}, {("pixel_grad", "g0"): images("smooth"), ("pixel_grad", "g05"): images("noise")}),
    "5b": ({}, {("pixel_grad", "g2"): final(8.0), ("pixel_grad", "g05"): final(3.0)}),
    "6a": ({}, _by_weight("pixel_elbo", lambda w: images("noise", 1 + 100 * w))),
    "6b": ({}, _by_weight("pixel_elbo", lambda w: final(3 + 300 * w))),
    "S1": ({}, {**_by_weight("pixel_elbo", lambda w: summary("final_elbo", -1000 - 1e4 * w)),
                **_by_weight("pixel_elbo_original_sign", lambda w: summary("final_elbo", -1000 + 1e4 * w))}),
    "7a": ({}, _optimizers(lambda g: final(3.0 if g == "rmsprop" else 6.0))),
    "7b": ({}, _optimizers(lambda g: speed(8.0 if g == "rmsprop" else 1.0))),
    "7c": ({}, _optimizers(lambda g: speed(1.0))),                   # every optimizer succeeds
    "7d": ({}, _optimizers(lambda g: speed(1.0))),
    "8a": ({}, {("diversity", m): images("smooth") for m in ("none", "correlation", "cosine", "euclidean")}),
    "8b": ({}, {}),                                                   # diversity runs unrelated to the base
    "9": ({}, {("distribution_learnable", v): constant_std for v in ("normal", "laplace")}),
    "10": ({}, {("method_stability", "pixel"): speed(1.0), ("method_stability", "distribution"): speed(6.0)}),
    "11a": ({}, {("distribution_fixed", "normal"): oscillating(texture_oscillates=False)}),
    "11b": ({}, {("distribution_fixed", "normal"): final(np.where(TEX, 8.0, 2.0))}),
    "12a": ({}, {("method_stability", "pixel"): speed(1.0), ("method_stability", "transformation"): speed(6.0)}),
    "12b": ({}, {("transformation_elbo", "w0"): summary("final_elbo", -900.0)}),      # inside the natural range
    "12c": ({}, {("transformation_elbo", "w1"): summary("final_elbo", -5000.0)}),     # still far outside
    "13a": ({}, {("method_stability", m): (images("noise") if m == "transformation_distribution" else
                                           lambda res, rng: res.images.__setitem__(slice(None), grating(0.1)))
                 for m in ("pixel", "distribution", "transformation", "transformation_distribution")}),
    "13b": ({}, {("method_stability", m): final(5.0) for m in ("pixel", "distribution", "transformation")}
            | {("method_stability", "transformation_distribution"): spread_out}),
    "14": ({}, _kernel(lambda k: lambda res, rng: res.images.__setitem__(slice(None), grating(0.02 * k)
                                                                          + 0.05 * rng.normal(size=res.images.shape)))),
    "15": ({}, {("kernel_size", "k13"): flat_input_spectrum}),
    "16a": ({}, {("onehot_synthesis", "mean"): texture_edges}),
    "16b": ({}, {("onehot_synthesis", "sample"): images("noise", np.where(TEX, 1.0, 3.0)),
                 ("onehot_synthesis", "mean"): images("noise")}),
    "17a": ({}, {("z2_space", "onehot"): speed(8.0), ("z2_space", "prior_mean"): speed(1.0)}),
    "17c": ({}, {("pixel_pre", "jitter"): images("smooth"), ("z2_space", "prior_mean"): images("smooth"),
                 ("z2_space", "onehot"): images("noise")}),
    "17b": ({}, {("pixel", "plain"): images("noise"), ("z2_space", "onehot"): images("noise"),
                 ("z1_space", "onehot_z2"): images("smooth")}),
}
SECTION_OF = {f.id: f.section for f in am_findings(PlantedEvidence())}


def test_every_am_row_has_a_counter_example():
    assert set(COUNTER) == set(SECTION_OF)


@pytest.mark.parametrize("row_id", sorted(COUNTER))
def test_each_row_can_fail(row_id):
    reference, plant = COUNTER[row_id]
    ev = PlantedEvidence(plant)
    ev.reference |= reference
    section = next(s for s in SECTIONS if s.name == SECTION_OF[row_id])
    with ev.reading(section.reads):
        row = {f.id: f for f in section.findings(ev)}[row_id]
    assert row.value is not None and row.p_value is not None, "the counter-example must be measured, not undefined"
    assert row.verdict != "replicated", (row.value, row.interval, row.p_value)


def _sampling(res, rng, scale):
    res.samples = rng.normal(size=res.samples.shape) * scale


@pytest.mark.parametrize("row_id", ["C1", "C2", "C3", "C4", "C5", "C6", "C7"])
def test_each_chain_row_can_fail(row_id):
    tdvae, chain = PlantedChain(True), PlantedChain(False)   # the TDVAE's patterns are the edge-like ones
    for ev, scale in ((tdvae, 1.0), (chain, 3.0)):           # sampling z1 adds more in the chain VAE
        ev.plant[("onehot_synthesis", "sample")] = lambda res, rng, s=scale: _sampling(res, rng, s)
        ev.plant[("onehot_synthesis", "mean")] = lambda res, rng: _sampling(res, rng, 1.0)
    rows = {f.id: f for f in chain_findings(tdvae, chain)}
    assert rows[row_id].value is not None and rows[row_id].verdict != "replicated"


def _decoder(correct, n=100):
    correct = np.asarray(correct)
    return {"accuracy": correct.sum() / (n * len(correct)), "chance": 0.2,
            "per_image": {"image": list(range(len(correct))), "correct": correct.tolist(), "n": [n] * len(correct)}}


BASE = np.linspace(40, 80, 20).astype(int)
MODEL_COUNTER = {  # row id -> (units edits, decoders, texture-vs-twin decoders) where the claim is false
    "M1": ({"n_active": 3, "n_active_untrained": 3}, {}, {}),
    "M2": ({}, {"z2": _decoder(np.full(20, 20))}, {}),               # at chance (0.2)
    "M3": ({}, {"z1": _decoder(BASE + 20)}, {}),
    "M4": ({}, {"pixels": _decoder(BASE + 20)}, {}),
    "M5": ({}, {"z2_untrained": _decoder(BASE + 20)}, {}),
    "M6a": ({}, {}, {"z2_untrained": _decoder(BASE + 20)}),
    "M6b": ({}, {}, {"pixels": _decoder(BASE + 20)}),
    "M7": ({}, {"chain": _decoder(BASE + 20)}, {}),
}


@pytest.mark.parametrize("row_id", sorted(MODEL_COUNTER))
def test_each_model_row_can_fail(row_id):
    units_edit, dec_edit, phase_edit = MODEL_COUNTER[row_id]
    units = {"n_active": 12, "n_active_untrained": 1, "rule": {"active": "information > 0.05 nats"},
             "units": {"trained": {"information_natural": [0.0] * 250}}} | units_edit
    tdvae = {"z2": _decoder(BASE + 10), "z1": _decoder(BASE), "pixels": _decoder(BASE - 20),
             "z2_untrained": _decoder(BASE - 15)} | {k: v for k, v in dec_edit.items() if k != "chain"}
    decoders = {"tdvae": tdvae, "chain": {"z2": dec_edit.get("chain", _decoder(BASE))}}
    phase = {"tdvae": {"z2": _decoder(BASE + 5), "z2_untrained": _decoder(BASE), "pixels": _decoder(BASE)}
             | phase_edit}
    rows = {f.id: f for f in model_findings(units, decoders, phase)}
    assert set(rows) == set(MODEL_COUNTER)
    assert rows[row_id].value is not None and rows[row_id].verdict != "replicated"
