"""The figure types of the registry (tdvae_am.experiments.figures): one per kind, and the schema made from them."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from tdvae_am.am.schema import schema_text
from tdvae_am.experiments.figures import SCHEMA_FILE, ImagesFigure, SamplesFigure, figure_schema, figure_spec

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_schema_is_the_figure_types():
    assert (ROOT / SCHEMA_FILE).read_text() == schema_text(figure_schema()), "python -m tdvae_am.experiments.figures"


def test_a_kind_owns_its_options_and_its_caption():
    assert isinstance(figure_spec({"kind": "images", "experiments": ["a"], "columns": "restarts"}), ImagesFigure)
    samples = figure_spec({"kind": "samples", "experiments": ["a"], "count": 3, "mean": True})
    assert isinstance(samples, SamplesFigure) and samples.models == ["tdvae"]
    assert "the representative image and the first 3 samples of restart 0" in samples.describe()
    with pytest.raises(ValidationError, match="count"):      # the samples' options are not the images'
        figure_spec({"kind": "images", "experiments": ["a"], "count": 3})
    with pytest.raises(ValidationError, match="experiments"):
        figure_spec({"kind": "spectra"})


def test_runs_are_every_variant_or_those_named():
    experiments = {"a": {"variants": {"x": None, "y": None}}, "b": {"variants": {"z": None}}}
    assert figure_spec({"kind": "images", "experiments": ["a", "b"]}).runs(experiments) == [
        ("a", "x"), ("a", "y"), ("b", "z")]
    assert figure_spec({"kind": "kernels", "experiments": ["a"], "variants": ["y"]}).runs(experiments) == [("a", "y")]
    assert figure_spec({"kind": "sta"}).runs(experiments) == []
