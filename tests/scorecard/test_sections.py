"""The AM findings on a planted study: every section runs on the real registry, and an effect
planted in the claimed direction replicates while the reverse does not."""

import warnings

import numpy as np
import pytest
from planted_study import REGISTRY, PlantedChain, PlantedEvidence, R, U, grating, set_summary

from tdvae_am.config import ConfigError
from tdvae_am.experiments.registry import resolve_run
from tdvae_am.scorecard.rows import finalize, gated, positive
from tdvae_am.scorecard.sections import (
    CHAIN_READS,
    SECTIONS,
    am_findings,
    chain_findings,
    check_reads,
    read_runs,
    scorecard_runs,
)


def verdicts(plant=None) -> dict:
    return {f.id: f.verdict for f in am_findings(PlantedEvidence(plant))}


def test_every_section_runs_on_the_registry_with_unique_ids():
    rows = am_findings(PlantedEvidence())
    ids = [f.id for f in rows]
    assert len(ids) == len(set(ids))
    assert {"1a", "2a", "2c", "3a", "3c", "5a", "6a", "7a", "8a", "8b", "9", "11b", "13a", "13b", "14", "15",
            "16a", "17b", "S1"} <= set(ids)
    assert {f.section for f in rows} == {s.name for s in SECTIONS}
    for f in rows:
        assert f.verdict in ("replicated", "not_replicated", "inconclusive") and f.method


@pytest.mark.parametrize("jitter, none, expected", [(8.0, 5.0, "replicated"), (5.0, 8.0, "not_replicated")])
def test_planted_jitter_gain_decides_3a(jitter, none, expected):
    plant = {("pixel_pre", "jitter"): set_summary("final_activation", np.full((U, R), jitter)),
             ("pixel_pre", "none"): set_summary("final_activation", np.full((U, R), none))}
    assert verdicts(plant)["3a"] == expected


def test_planted_kernel_frequency_decides_14():
    sizes = [resolve_run(REGISTRY, "kernel_size", v)["am"]["parametrization"]["kernel_size"]
             for v in REGISTRY["experiments"]["kernel_size"]["variants"]]

    def gratings(freq_of):
        plant = {}
        for v, k in zip(REGISTRY["experiments"]["kernel_size"]["variants"], sizes):
            def edit(res, rng, f=freq_of(k)):
                res.images[:] = grating(f) + 0.05 * rng.normal(size=res.images.shape)
            plant[("kernel_size", v)] = edit
        return plant

    assert verdicts(gratings(lambda k: 1.0 / k))["14"] == "replicated"      # larger kernel, lower frequency
    assert verdicts(gratings(lambda k: 0.02 * k))["14"] == "not_replicated"


def test_planted_stability_decides_13a():
    def stable(res, rng):  # every restart finds the same pattern, at another position
        res.images[:] = np.stack([grating(0.1, shift=3 * r) for r in range(R)])[None, :, None]
    assert verdicts({("method_stability", "transformation_distribution"): stable})["13a"] == "replicated"
    unstable = {("method_stability", m): stable for m in ("pixel", "distribution", "transformation")}
    assert verdicts(unstable)["13a"] == "not_replicated"


def test_a_diversity_term_that_does_nothing_cannot_pass_8b():
    # every diversity run equals the no-diversity run: structure is kept perfectly, diversity not raised
    base = PlantedEvidence().load("diversity", "none").images

    def copy(res, rng):
        res.images, res.samples = base.copy(), base.copy()
    plant = {("diversity", m): copy for m in ("correlation", "cosine", "euclidean")}
    rows = {f.id: f for f in finalize(am_findings(PlantedEvidence(plant)))}
    assert rows["8a"].verdict != "replicated"
    assert rows["8b"].value > 0.99 and rows["8b"].verdict == "inconclusive" and "gated_by" in rows["8b"].details


def test_gated_leaves_failures_alone():
    row = gated(positive("s", "x", "f", "stat", [-1.0, -2.0, -1.5, -1.2]), "c")
    cond = positive("s", "c", "f", "stat", [-1.0, 1.0, 0.5, -0.3])
    assert finalize([cond, row])[1].verdict == "not_replicated"


def test_undeclared_reads_are_refused_and_renamed_variants_rejected_at_start():
    ev = PlantedEvidence()
    with ev.reading(("pixel/plain",)), pytest.raises(KeyError, match="not declared"):
        ev.run("pixel_pre", "jitter")
    renamed = {**REGISTRY["experiments"]}
    renamed["pixel_pre"] = {**renamed["pixel_pre"], "variants": {
        ("shift" if k == "jitter" else k): v for k, v in renamed["pixel_pre"]["variants"].items()}}
    with pytest.raises(ConfigError, match="pixel_pre/jitter"):
        check_reads(renamed)
    check_reads(REGISTRY["experiments"])


def test_the_scorecard_reads_exactly_the_runs_its_sections_declare():
    experiments = {"a": {"variants": {"x": None, "y": {"group": "g"}, "z": {"group": "g"}, "w": {"group": "h"}}}}
    assert read_runs("a/*", experiments) == [("a", "x"), ("a", "y"), ("a", "z"), ("a", "w")]
    assert read_runs("a/group=g", experiments) == [("a", "y"), ("a", "z")]
    assert read_runs("a/w", experiments) == [("a", "w")]
    runs = scorecard_runs(REGISTRY["experiments"], ("tdvae", "chain"))
    read = set()
    ev = PlantedEvidence()
    load = ev.run
    ev.run = lambda e, v: read.add((e, v)) or load(e, v)
    am_findings(ev)
    assert read == set(scorecard_runs(REGISTRY["experiments"])["tdvae"])   # what the sections read, all of it
    assert set(runs["chain"]) == {r for read in CHAIN_READS for r in read_runs(read, REGISTRY["experiments"])}
    assert set(runs["tdvae"]) == read | set(runs["chain"])
    assert ("pixel_pre", "scale") not in read                               # a run only a figure shows


@pytest.mark.parametrize("chain_edges, expected", [(True, "replicated"), (False, "not_replicated")])
def test_planted_edge_preference_decides_the_chain_comparison(chain_edges, expected):
    rows = {f.id: f for f in chain_findings(PlantedChain(not chain_edges), PlantedChain(chain_edges))}
    assert [k for k in rows] == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
    for id_ in ("C1", "C2", "C3", "C4", "C5", "C6"):
        assert rows[id_].verdict == expected, (id_, rows[id_].interval)
    assert rows["C7"].verdict in ("replicated", "not_replicated", "inconclusive")


CLASS_ROWS = ("1a", "1b", "4b", "11a", "11b", "16a", "16b")  # non-texture minus texture units
TEXTURE_ROWS = ("14",)                                       # texture units only


@pytest.mark.parametrize("n_texture", [0, 1, 2, 9, 10])
def test_short_classes_leave_class_rows_inconclusive_and_say_why(n_texture):
    # a texture class of n units (no fallback at the default scale): every section still runs,
    # without warnings; with fewer than 2 units in a class no interval, no value from nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        rows = {f.id: f for f in am_findings(PlantedEvidence(n_texture=n_texture))}
    counts = {"texture-sensitive": n_texture, "non-texture-sensitive": U - n_texture}
    for id_ in CLASS_ROWS:
        row = rows[id_]
        assert (len(row.details["texture"]), len(row.details["non_texture"])) == (n_texture, U - n_texture)
        short = [f"{n} {c} unit" for c, n in counts.items() if n < 2]
        if short:
            assert row.verdict == "inconclusive" and np.isnan(row.interval).all(), id_
            assert row.details["too_few_units"].startswith(short[0]), id_
            assert row.value is None, id_
        else:
            assert np.isfinite(row.interval).all() and "too_few_units" not in row.details, id_
    for id_ in TEXTURE_ROWS:
        row = rows[id_]
        assert row.details["n_units"] == n_texture and (row.value is None) == (n_texture == 0), id_
        assert ("too_few_units" in row.details) == (n_texture < 2), id_
    assert rows["7d"].details["n_units"] == n_texture and (rows["7d"].value is None) == (n_texture == 0)
    adam_non_texture = rows["7d"].details["adam_non_texture"]
    assert adam_non_texture is None if n_texture == U else 0 <= adam_non_texture <= 1


def _sta_gabor(texture: float, non_texture: float, n_texture: int) -> dict:
    """A reference whose STAs' best-Gabor correlations are ``texture`` / ``non_texture`` (+ noise)."""
    values = np.where(np.arange(U) < n_texture, texture, non_texture) + 0.01 * np.sin(np.arange(U))
    return {"sta_gabor_correlation": values.tolist()}


@pytest.mark.parametrize("n_texture, expected", [(1, "inconclusive"), (2, "replicated"), (3, "replicated")])
def test_a_planted_class_difference_needs_two_units_per_class(n_texture, expected):
    ev = PlantedEvidence(n_texture=n_texture)
    ev.reference |= _sta_gabor(0.2, 0.8, n_texture)
    with ev.reading(("pixel/plain",)):
        row = {f.id: f for f in SECTIONS[0].findings(ev)}["1a"]
    assert row.verdict == expected
    assert row.value is None if n_texture < 2 else row.value == pytest.approx(0.6, abs=0.02)


def test_chain_rows_compare_models_whatever_their_class_sizes():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        rows = {f.id: f for f in chain_findings(PlantedChain(False, n_texture=1), PlantedChain(True, n_texture=0))}
    for id_ in ("C1", "C2", "C3", "C4", "C5", "C6"):
        assert rows[id_].verdict == "replicated" and "too_few_units" not in rows[id_].details
        # the chain VAE has no texture-sensitive unit: only the other class compares
        assert list(rows[id_].details["per_class_difference"]) == ["non_texture_sensitive"]
