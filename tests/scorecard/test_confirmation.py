"""Frozen rules' fingerprint, verdicts compared across seeds, claims summarized over seeds."""

import numpy as np
import pytest

from tdvae_am.scorecard.confirmation import (
    across_seeds,
    confirmation,
    confirmed_counts,
    over_seeds,
    rules_version,
    seed_record,
)


@pytest.fixture
def rules(tmp_path):
    """A package with rule modules, another module and a registry."""
    package = tmp_path / "pkg"
    for module in ("scorecard", "units", "plots"):
        (package / module).mkdir(parents=True)
        (package / module / "a.py").write_text("x = 1\n")
    (tmp_path / "registry.yaml").write_text("experiments: {}\n")
    return package, tmp_path / "registry.yaml"


def test_rules_version_changes_with_any_rule_file_or_setting(rules):
    package, registry = rules
    base = rules_version(registry, {"threshold": 0.05}, package)
    assert len(base) == 12 and base == rules_version(registry, {"threshold": 0.05}, package)
    assert rules_version(registry, {"threshold": 0.1}, package) != base
    (package / "plots/a.py").write_text("edited = True\n")  # not a rule module
    assert rules_version(registry, {"threshold": 0.05}, package) == base
    for rule_file in (package / "units/a.py", registry):
        rule_file.write_text(rule_file.read_text() + "# edited\n")
        assert rules_version(registry, {"threshold": 0.05}, package) != base


def test_rules_version_names_a_missing_rule_file(rules):
    package, registry = rules
    with pytest.raises(FileNotFoundError, match="absent.yaml"):
        rules_version(registry.parent / "absent.yaml", {}, package)


def _row(id_, family, verdict):
    return {"id": id_, "family": family, "finding": f"finding {id_}", "verdict": verdict}


def test_confirmation_pairs_rows_and_counts_flips_per_family():
    first = [_row("1a", "paper", "replicated"), _row("2a", "paper", "inconclusive"), _row("M1", "model", "replicated")]
    second = [_row("M1", "model", "replicated"), _row("1a", "paper", "not_replicated")]
    table = confirmation(first, second)
    assert [(t["id"], t["verdicts"], t["confirmed"]) for t in table] == [
        ("1a", ["replicated", "not_replicated"], False), ("2a", ["inconclusive", None], False),
        ("M1", ["replicated", "replicated"], True)]
    assert confirmed_counts(table) == {"paper": {"rows": 2, "confirmed": 0, "flipped": 2},
                                       "model": {"rows": 1, "confirmed": 1, "flipped": 0}}


def test_over_seeds_is_the_t_interval_and_drops_missing_seeds():
    s = over_seeds([1, 2, 3, 4, 5, np.nan])
    assert (s["n"], s["n_missing"], s["mean"]) == (5, 1, 3.0)
    assert s["std"] == pytest.approx(np.sqrt(2.5))
    assert s["interval"] == pytest.approx([3 - 2.7764451 * np.sqrt(2.5 / 5), 3 + 2.7764451 * np.sqrt(2.5 / 5)])
    one = over_seeds([7.0])
    assert one["mean"] == 7.0 and np.isnan(one["interval"]).all()


def test_over_seeds_keeps_the_interval_within_the_statistics_bounds():
    counts = [0, 2, 0, 0, 0]  # the t interval reaches below 0
    assert over_seeds(counts)["interval"][0] < 0
    clipped = over_seeds(counts, (0, np.inf))
    assert clipped["interval"][0] == 0 and clipped["interval"][1] == over_seeds(counts)["interval"][1]
    assert over_seeds([0.9, 1.0, 0.95], (-1.0, 1.0))["interval"][1] == 1.0


def _decoder(correct, n=100):
    correct = np.asarray(correct)
    return {"accuracy": correct.sum() / (n * len(correct)), "chance": 0.2,
            "per_image": {"image": list(range(len(correct))), "correct": correct.tolist(), "n": [n] * len(correct)}}


def _unit_results(n_active, shift):
    """Unit results of a TDVAE and a chain VAE whose z2 decodes ``shift`` patches per image better than
    their untrained twins."""
    base = np.linspace(40, 80, 20).astype(int)
    decoding = {"z2": _decoder(base + shift), "z1": _decoder(base + shift), "pixels": _decoder(base - 20),
                "z2_untrained": _decoder(base), "z2_scrambled": _decoder(base)}
    phase = {"z2": _decoder(base + shift), "z2_untrained": _decoder(base), "pixels": _decoder(base)}
    return {"n_active": n_active, "n_active_untrained": 0, "rule": {"active": "information > 0.05 nats"},
            "units": {"trained": {"information_natural": [0.0] * 250}},
            "candidates": {"texture_sensitive": 3, "non_texture_sensitive": 5},
            "decoding": decoding, "decoding_phase": phase}


def test_seed_records_line_up_claims_and_units_across_seeds():
    records = [seed_record(seed, {"tdvae": _unit_results(n, 10), "chain": _unit_results(n // 2, 5)})
               for seed, n in ((2, 30), (0, 34), (1, 0))]
    assert [r["seed"] for r in records] == [2, 0, 1]
    summary = across_seeds(records)
    assert summary["seeds"] == [0, 1, 2]
    m1 = summary["claims"]["M1"]
    assert m1["values"] == [34.0, 0.0, 30.0] and m1["verdicts"] == ["replicated", "not_replicated", "replicated"]
    assert m1["replicated"] == 2 and m1["mean"] == pytest.approx(64 / 3)
    assert m1["interval"][0] == 0  # within M1's bounds, [0, 250]
    assert summary["units"]["chain"]["active"]["interval"][0] == 0  # a count: within [0, inf)
    assert summary["claims"]["M5"]["replicated"] == 3                 # z2 beats the untrained twin on every seed
    assert summary["claims"]["M7"]["verdicts"] == ["replicated"] * 3  # the TDVAE decodes 5 patches better
    assert summary["units"]["chain"]["active"]["values"] == [17, 0, 15]
    assert summary["units"]["tdvae"]["candidates_texture_sensitive"]["interval"] == [3.0, 3.0]
