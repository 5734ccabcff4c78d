"""workflow/scripts/select_units.py on synthetic classifications: each studied model's units
file is its classification as is (results/units.json for the TDVAE, results/units_chain.json
for the chain VAE), and the metrics cover every trained model."""

import json
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

from tdvae_am.experiments.registry import units_file

ROOT = Path(__file__).resolve().parents[2]
DECODER = {"accuracy": 0.5, "chance": 0.2, "ci_bootstrap": [0.4, 0.6]}


def classification(model: str, texture: list, non_texture: list, n_active: int) -> dict:
    """The keys classify_units writes that select_units and the AM rules read."""
    return {"model": model, "texture_sensitive": texture, "non_texture_sensitive": non_texture,
            "active": sorted(texture + non_texture), "n_active": n_active, "n_active_untrained": 1,
            "threshold": 0.05, "fallback": False,
            "candidates": {"texture_sensitive": len(texture), "non_texture_sensitive": len(non_texture), "neither": 0},
            "decoding": {"z2": DECODER, "z2_untrained": DECODER}, "decoding_phase": {"z2": DECODER}}


def test_each_studied_model_gets_its_own_units_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("tdvae_am.logs.setup_job_logging", lambda path: logging.getLogger("select_units"))
    results = {"tdvae": classification("tdvae", [4, 17], [2, 9, 30], 12),
               "chain": classification("chain", [101], [7, 55], 8),
               "sparse": classification("sparse", [1], [3], 2)}
    inputs = []
    for model, result in results.items():
        path = tmp_path / "results/units" / f"{model}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1))
        inputs.append(str(path))
    selected = ["tdvae", "chain"]                        # the models the registry runs on
    outputs = SimpleNamespace(units=[units_file(m) for m in selected], metrics="results/metrics/units.json")
    (tmp_path / "results/metrics").mkdir()
    snakemake = SimpleNamespace(input=SimpleNamespace(all=inputs), output=outputs, log=["log"],
                                params=SimpleNamespace(models=list(results), selected=selected))
    runpy.run_path(str(ROOT / "workflow/scripts/select_units.py"), init_globals={"snakemake": snakemake})
    assert Path("results/units.json").read_bytes() == Path("results/units/tdvae.json").read_bytes()
    assert Path("results/units_chain.json").read_bytes() == Path("results/units/chain.json").read_bytes()
    assert not Path("results/units_sparse.json").exists()
    chain = json.loads(Path("results/units_chain.json").read_text())
    assert (chain["texture_sensitive"], chain["non_texture_sensitive"]) == ([101], [7, 55])
    metrics = json.loads(Path("results/metrics/units.json").read_text())
    assert list(metrics) == ["tdvae", "chain", "sparse"] and metrics["chain"]["n_active"] == 8
