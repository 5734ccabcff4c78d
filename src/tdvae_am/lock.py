"""The locked environment: ``constraints.txt``, every package of the ``workflow`` and ``test`` extras.

The lock is a pip constraints file (``name==version`` per line, sorted, with a header naming the
Python version), written from the running environment: the project's requirements with these
extras and, recursively, their own requirements, each at its installed version (a local version
label such as ``+cpu`` dropped, so the pin also matches the build of another index).

``python -m tdvae_am.lock`` writes it; ``--check`` writes nothing and exits 1 naming each package
whose lock entry differs from pyproject.toml's requirements or from the running environment.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = "constraints.txt"
EXTRAS = ("workflow", "test")
PYTHON = re.compile(r"^# python (\d+\.\d+)$", re.M)


def requirements(pyproject: Path, extras=EXTRAS) -> list[Requirement]:
    """The project's dependencies and those of ``extras``, as declared in ``pyproject``."""
    project = tomllib.loads(pyproject.read_text())["project"]
    optional = project.get("optional-dependencies", {})
    return [Requirement(r) for r in project["dependencies"] + [r for e in extras for r in optional.get(e, [])]]


def _public(version: str) -> str:
    return Version(version).public


def closure(roots: list[Requirement]) -> dict[str, str]:
    """Installed version (public part) of every package ``roots`` need, recursively, by canonical name;
    requirements whose markers do not apply here (another platform, an extra not asked for) are skipped."""
    found, todo = {}, [(r, frozenset()) for r in roots]
    while todo:
        req, extras = todo.pop()
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras or {""}):
            continue
        name = canonicalize_name(req.name)
        if name in found:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise LockError(f"{req.name} is required but not installed; install the project with its "
                            f"extras first (pip install -e \".[{','.join(EXTRAS)}]\")") from None
        found[name] = _public(dist.version)
        todo += [(Requirement(r), frozenset(req.extras)) for r in dist.requires or []]
    return found


class LockError(RuntimeError):
    """The environment lacks a package the lock needs."""


def render(pins: dict[str, str], python: str) -> str:
    """The lock file's text."""
    head = (f"# python {python}\n# Every package of the project's extras {', '.join(EXTRAS)}, at the versions the "
            "committed results were made with.\n# Regenerate: python -m tdvae_am.lock (see docs/development.md).\n")
    return head + "".join(f"{name}=={version}\n" for name, version in sorted(pins.items()))


def parse(text: str) -> tuple[dict[str, str], str | None]:
    """Pins by canonical name and the Python version of a lock file's text."""
    pins = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    python = PYTHON.search(text)
    return pins, python[1] if python else None


def pyproject_problems(pins: dict[str, str], reqs: list[Requirement]) -> list[str]:
    """Requirements that the lock does not pin, or pins at a version outside their specifier."""
    problems = []
    for req in reqs:
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name}: required by pyproject.toml ({req}) but not in {LOCK}")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{req.name}: {LOCK} pins {pins[name]}, outside pyproject.toml's {req}")
    return problems


def environment_problems(pins: dict[str, str], python: str | None, installed: dict[str, str],
                         running: str) -> list[str]:
    """Packages whose installed version differs from the lock, missing ones, and a different Python."""
    problems = [f"python: {LOCK} was made with {python}, this is {running}"] if python != running else []
    for name, version in sorted(pins.items()):
        if name not in installed:
            problems.append(f"{name}: {LOCK} pins {version}, not installed")
        elif installed[name] != version:
            problems.append(f"{name}: {LOCK} pins {version}, installed {installed[name]}")
    return problems


def installed_versions() -> dict[str, str]:
    """Public version of every installed distribution, by canonical name."""
    return {canonicalize_name(d.metadata["Name"]): _public(d.version) for d in metadata.distributions()}


def running_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def main(argv: list[str] | None = None) -> int:
    """``python -m tdvae_am.lock [--root DIR] [--check]``: 0 written or current, 1 stale (``--check``)."""
    parser = argparse.ArgumentParser(prog="python -m tdvae_am.lock", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (pyproject.toml, constraints.txt)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 naming what differs")
    args = parser.parse_args(argv)
    reqs = requirements(args.root / "pyproject.toml")
    if args.check:
        pins, python = parse((args.root / LOCK).read_text())
        problems = pyproject_problems(pins, reqs) + environment_problems(pins, python, installed_versions(),
                                                                         running_python())
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    try:
        pins = closure(reqs)
    except LockError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    (args.root / LOCK).write_text(render(pins, running_python()))
    print(f"{LOCK}: {len(pins)} packages, python {running_python()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
