"""Choosing each group's variant: the mean per-unit rank of the restart-mean final activation."""

import numpy as np

from tdvae_am.experiments.tuning import best_variants, variant_groups


def acts(*unit_means, restarts=3):
    """A (U, R) final-activation array whose restart means are ``unit_means`` (restarts spread around them)."""
    return np.asarray(unit_means, dtype=float)[:, None] + np.array([-1.0, 0.0, 1.0])[:restarts]


def test_the_best_mean_rank_wins_not_the_best_mean():
    # b is best on two units of three; a has the largest mean activation through one unit
    final = {"a": acts(100.0, 1.0, 1.0), "b": acts(2.0, 2.0, 2.0), "c": acts(0.0, 0.0, 3.0)}
    assert best_variants({"g": ["a", "b", "c"]}, final) == {"g": "b"}


def test_groups_are_ranked_separately_and_ties_go_to_the_earlier_variant():
    final = {"x1": acts(1.0, 2.0), "x2": acts(2.0, 1.0), "y1": acts(5.0, 5.0), "y2": acts(5.0, 5.0),
             "y3": acts(9.0, 9.0)}
    assert best_variants({"x": ["x1", "x2"], "y": ["y1", "y2"]}, final) == {"x": "x1", "y": "y1"}
    assert best_variants({"x": ["x2", "x1"]}, final) == {"x": "x2"}
    assert best_variants({"y": ["y1", "y2", "y3"]}, final) == {"y": "y3"}


def test_a_diverged_variant_ranks_lowest():
    final = {"slow": acts(0.1, 0.1), "diverged": np.array([[np.nan, 1e9, 1e9], [np.inf, 1e9, 1e9]])}
    assert best_variants({"g": ["diverged", "slow"]}, final) == {"g": "slow"}


def test_variant_groups_keep_registry_order_and_skip_ungrouped_variants():
    registry = {"experiments": {"opt": {"variants": {
        "b_1": {"group": "b"}, "a_1": {"group": "a"}, "plain": None, "b_2": {"group": "b"}, "c": {"label": "c"}}}}}
    assert variant_groups(registry, "opt") == {"b": ["b_1", "b_2"], "a": ["a_1"]}
    assert list(variant_groups(registry, "opt")) == ["b", "a"]
