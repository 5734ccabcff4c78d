"""Runs of this workflow for another seed, each in its own working directory (``runs/seed<k>/``).

A seed run is this same workflow, started by a job of the confirmation rules with
``snakemake --directory runs/seed<k>``: the workflow's config with only ``seed`` changed, its own
patches, models, AM results, figures and Snakemake state (the texture syntheses are read from the
main run: the same stimuli for every model seed), so re-running the same command continues an
interrupted seed run. Paths the config gives relative to the repository (your own images, texture
seed files, the registry) are made absolute for it.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import yaml

from tdvae_am.config import ConfigError

#: Working directory of a seed's run, relative to the repository root.
RUN_DIR = "runs/seed{seed}"


def run_dir(seed: int) -> str:
    return RUN_DIR.format(seed=seed)


def check_seeds(config: dict) -> None:
    """The seed settings beyond the schema: the confirmation seed differs from the main run's."""
    if config["confirm"]["seed"] == config["seed"]:
        raise ConfigError("confirm.seed", f"{config['seed']} is the main run's seed; the confirmation needs another")


def _absolute(value: str, root: Path) -> str:
    """``value`` as an absolute path if it names a file or folder under ``root``, else as is (a bundled
    image's name)."""
    path = Path(value)
    return str((root / path).resolve()) if not path.is_absolute() and (root / path).exists() else value


def seed_config(config: dict, seed: int, root: Path) -> dict:
    """The resolved workflow ``config`` for ``seed`` (its confirmation seed the main run's, its texture
    syntheses those of the run in ``root``) with every repository-relative path made absolute."""
    out = copy.deepcopy(config)
    out["seed"] = seed
    out["confirm"]["seed"] = config["seed"]  # a seed run's other seed is the main run's
    out["confirm"]["syntheses_from"] = config["confirm"]["syntheses_from"] or str(root.resolve())
    if out["natural"].get("image_dir"):
        out["natural"]["image_dir"] = _absolute(out["natural"]["image_dir"], root)
    out["textures"]["seeds"] = {f: _absolute(s, root) for f, s in out["textures"]["seeds"].items()}
    out["am"]["experiments"] = _absolute(out["am"]["experiments"], root)
    return out


def run_seed(config: dict, seed: int, root: Path, targets: list[str], cores: int, log) -> Path:
    """Run ``targets`` of this workflow for ``seed`` in ``root``/runs/seed<seed> (writing its config
    there), streaming Snakemake's output to the open file ``log``; returns the run's directory. A
    failed run raises, naming the directory and the command to continue it."""
    workdir = root / run_dir(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    configfile = workdir / "config.yaml"
    configfile.write_text(yaml.safe_dump(seed_config(config, seed, root), sort_keys=False))
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(root / "Snakefile"), "--directory",
               str(workdir), "--configfile", str(configfile), "--cores", str(cores), *targets]
    proc = subprocess.run(command, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode:
        raise RuntimeError(f"the run of seed {seed} in {run_dir(seed)} failed (see its log); re-running the same "
                           f"target continues it")
    return workdir
