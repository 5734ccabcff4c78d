"""The configuration reference config/README.md, generated from the config schema (tdvae_am.config_docs)."""

import shutil
from pathlib import Path

import yaml

from tdvae_am.config_docs import OUTPUT, SCHEMA, main

ROOT = Path(__file__).resolve().parents[1]


def test_committed_reference_is_current():
    assert main(["--root", str(ROOT), "--check"]) == 0, "run python -m tdvae_am.config_docs"


def test_new_schema_key_makes_the_check_fail_and_gets_a_row(tmp_path, capsys):
    (tmp_path / SCHEMA).parent.mkdir(parents=True)
    (tmp_path / OUTPUT).parent.mkdir(parents=True)
    shutil.copy(ROOT / SCHEMA, tmp_path / SCHEMA)
    shutil.copy(ROOT / OUTPUT, tmp_path / OUTPUT)
    schema = yaml.safe_load((tmp_path / SCHEMA).read_text(encoding="utf-8"))
    schema["properties"]["train"]["properties"]["planted"] = {
        "$ref": "#/definitions/count_or_null", "default": None, "description": "a planted count | with a pipe"}
    (tmp_path / SCHEMA).write_text(yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8")

    assert main(["--root", str(tmp_path), "--check"]) == 1
    assert str(OUTPUT) in capsys.readouterr().err
    assert main(["--root", str(tmp_path)]) == 0
    row = "| `train.planted` | integer or null | default `null`; >= 1 | a planted count \\| with a pipe |"
    assert row in (tmp_path / OUTPUT).read_text(encoding="utf-8").splitlines()
    assert main(["--root", str(tmp_path), "--check"]) == 0
