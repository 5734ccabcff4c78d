"""The JSON schema of registry AM configs (workflow/schemas/am.schema.json), derived from the typed model."""

from pathlib import Path

import pytest
from test_am_config import EXAMPLES

from tdvae_am.am import AMError, parse_config
from tdvae_am.am.schema import SCHEMA_FILE, am_schema, schema_text
from tdvae_am.config import ConfigError, validate_schema

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_schema_is_the_typed_models():
    assert (ROOT / SCHEMA_FILE).read_text() == schema_text(am_schema()), "run python -m tdvae_am.am.schema"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_schema_takes_what_the_engine_takes(name):
    config = EXAMPLES[name]
    parse_config(config)
    validate_schema(config, am_schema())
    assert config == EXAMPLES[name]  # no default is filled in: a registry entry inherits what it leaves out


@pytest.mark.parametrize("config, key", [
    ({"stepz": 3}, "stepz"),
    ({"parametrization": {"name": "voxels"}}, "parametrization.name"),
    ({"parametrization": {"name": "pixel", "colour": 1}}, "parametrization.colour"),
    ({"pre": ["jiter"]}, "pre.0"),
    ({"pre": [{"name": "jitter", "shift": {"schedule": "linear", "start": 1}, "scale": 2}]}, "pre.0.scale"),
    ({"post": [{"name": "blur", "sigma": {"schedule": "cubic"}}]}, "post.0.sigma.schedule"),
    ({"obj": [{"name": "diversity", "metric": "manhattan"}]}, "obj.0.metric"),
    ({"optimizer": {"name": "adam", "lr": 0}}, "optimizer.lr"),
    ({"optimizer": {"name": "adam", "betas": [0.9, 1.0]}}, "optimizer.betas.1"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "cosine", "T_max": 0}}}, "optimizer.schedule.T_max"),
    ({"budget": {"norm": "l1"}}, "budget.norm"),
    ({"steps": 2.5}, "steps"),
    ({"success": {"window": "wide"}}, "success.window"),
])
def test_the_schema_rejects_what_the_engine_rejects_at_the_same_key(config, key):
    with pytest.raises(AMError, match=f"^{key}"):
        parse_config(config)
    with pytest.raises(ConfigError, match=f"^config key {key}: "):
        validate_schema(config, am_schema())


def test_a_nameless_override_is_checked_once_merged():
    """A registry entry may change an option of the inherited component without naming it."""
    validate_schema({"parametrization": {"n_samples": 4}}, am_schema())
