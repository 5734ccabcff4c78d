"""The import closure of a script within the package, on a planted package with known answers."""

from pathlib import Path

from tdvae_am.code_deps import import_closure


def _write(root: Path, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_closure_follows_absolute_relative_submodule_and_lazy_imports(tmp_path):
    _write(tmp_path, {
        "src/tdvae_am/__init__.py": "",
        "src/tdvae_am/a/__init__.py": "from .b import f\n",
        "src/tdvae_am/a/b.py": "from ..c import g\n",
        "src/tdvae_am/a/unused.py": "",
        "src/tdvae_am/c.py": "import numpy\n",
        "src/tdvae_am/p/__init__.py": "",
        "src/tdvae_am/p/sub.py": "",
        "src/tdvae_am/lazy.py": "",
        "src/tdvae_am/never.py": "",
        "script.py": (
            "import json\n"
            "from tdvae_am.a import f\n"
            "from tdvae_am.p import sub\n"
            "def run():\n"
            "    import tdvae_am.lazy\n"
        ),
    })
    closure = import_closure(tmp_path / "script.py", tmp_path / "src/tdvae_am")
    assert closure == [
        "src/tdvae_am/__init__.py",
        "src/tdvae_am/a/__init__.py",
        "src/tdvae_am/a/b.py",
        "src/tdvae_am/c.py",
        "src/tdvae_am/lazy.py",
        "src/tdvae_am/p/__init__.py",
        "src/tdvae_am/p/sub.py",
    ]


def test_closure_of_a_real_script_reaches_modules_imported_only_indirectly():
    root = Path(__file__).resolve().parents[1]
    closure = import_closure(root / "workflow/scripts/scorecard.py", root / "src/tdvae_am")
    assert "src/tdvae_am/imageops/fourier.py" in closure  # through scorecard.findings
    assert "src/tdvae_am/logs.py" in closure
    assert not any("/train/" in path for path in closure)
