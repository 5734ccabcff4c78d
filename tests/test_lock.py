"""The lock (constraints.txt) agrees with pyproject.toml's requirements and with the running environment."""

from pathlib import Path

from packaging.requirements import Requirement

from tdvae_am import lock
from tdvae_am.lock import LOCK, ROOT

PINS, PYTHON = lock.parse((ROOT / LOCK).read_text())


def test_lock_satisfies_every_requirement_of_pyproject():
    assert lock.pyproject_problems(PINS, lock.requirements(ROOT / "pyproject.toml")) == []


def test_running_environment_is_the_locked_one():
    assert lock.environment_problems(PINS, PYTHON, lock.installed_versions(), lock.running_python()) == []


def test_lock_is_the_closure_of_the_requirements_here():
    """Regenerating the lock in this environment gives the committed file (no missing or stale pin)."""
    pins = lock.closure(lock.requirements(ROOT / "pyproject.toml"))
    assert lock.render(pins, lock.running_python()) == (ROOT / LOCK).read_text()


def test_planted_disagreements_are_named(tmp_path: Path):
    pins = {"numpy": "2.1.0", "torch": "2.13.0"}
    reqs = [Requirement("numpy>=99"), Requirement("torch==2.13.0"), Requirement("seaborn>=0.13")]
    assert lock.pyproject_problems(pins, reqs) == [
        f"numpy: {LOCK} pins 2.1.0, outside pyproject.toml's numpy>=99",
        f"seaborn: required by pyproject.toml (seaborn>=0.13) but not in {LOCK}"]
    assert lock.environment_problems(pins, "3.11", {"numpy": "2.2.0"}, "3.12") == [
        f"python: {LOCK} was made with 3.11, this is 3.12",
        f"numpy: {LOCK} pins 2.1.0, installed 2.2.0",
        f"torch: {LOCK} pins 2.13.0, not installed"]


def test_lock_text_round_trips():
    text = lock.render({"torch": "2.13.0", "numpy": "2.1.0"}, "3.11")
    assert lock.parse(text) == ({"numpy": "2.1.0", "torch": "2.13.0"}, "3.11")
    assert text.index("numpy==") < text.index("torch==")


def test_conda_environments_install_through_the_lock():
    import yaml

    for env in (ROOT / "environment.yml", ROOT / "workflow/envs/tdvae_am.yaml"):
        pip = next(d["pip"] for d in yaml.safe_load(env.read_text())["dependencies"] if isinstance(d, dict))
        constraints = [line.split(maxsplit=1)[1] for line in pip if line.startswith("-c ")]
        assert [(env.parent / c).resolve() for c in constraints] == [ROOT / LOCK], env
