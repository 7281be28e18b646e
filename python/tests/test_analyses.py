"""decompose, sensitivity, calibrate and validate from Python give exactly
the tables the command line writes for the same request."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest

import govsim


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, **govsim._EXACT)


def same_tables(result: govsim.AnalysisResult, folder: Path, names: list[str]) -> None:
    for name in names:
        pd.testing.assert_frame_equal(result[name], read_csv(folder / f"{name}.csv"), check_exact=True, obj=name)


def cli_run(cli, *args) -> None:
    done = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture()
def unpooled(town, tmp_path) -> Path:
    path = tmp_path / "unpooled.toml"
    path.write_text(f'extends = "{town}"\nname = "unpooled"\n[party.procedure]\npooling = 0.0\n')
    return path


def test_decompose_gives_the_command_lines_attribution(cli, town, unpooled, tmp_path):
    cli_run(cli, "decompose", town, unpooled, "--reps", "3", "--days", "30", "--out", tmp_path / "cli")
    result = govsim.decompose(town, unpooled, reps=3, days=30)
    same_tables(result, tmp_path / "cli", ["attribution", "interactions", "summary", "differences", "runs"])
    assert result.out is None
    assert "procedure" in set(result["attribution"]["group"])


def test_sensitivity_gives_the_command_lines_indices(cli, town, tmp_path):
    cli_run(
        cli, "sensitivity", town, "--method", "morris", "--vary", "party.procedure.pooling=0.0..1.0",
        "--vary", "issues.rate=0.2..1.0", "--samples", "4", "--days", "30", "--out", tmp_path / "cli",
    )
    out = tmp_path / "py"
    result = govsim.sensitivity(
        town, method="morris", vary={"party.procedure.pooling": (0.0, 1.0), "issues.rate": (0.2, 1.0)},
        samples=4, days=30, out=out,
    )
    assert result.out == out and (out / "indices.csv").exists()
    same_tables(result, tmp_path / "cli", ["indices", "runs"])
    with pytest.raises(govsim.InputError):
        govsim.sensitivity(town, method="fast", vary={"issues.rate": (0.2, 1.0)}, samples=4)


def test_calibrate_gives_the_command_lines_posterior(cli, town, tmp_path):
    cli_run(
        cli, "calibrate", town, "--vary", "issues.rate=0.2..1.0", "--target", "resolution_rate=0.7±0.1",
        "--samples", "20", "--generations", "1", "--days", "30", "--out", tmp_path / "cli",
    )
    result = govsim.calibrate(
        town, vary={"issues.rate": (0.2, 1.0)}, targets={"resolution_rate": (0.7, 0.1)},
        samples=20, generations=1, days=30,
    )
    same_tables(result, tmp_path / "cli", ["posterior", "generations", "calibration", "predictive"])


def test_validate_gives_the_command_lines_verdicts(cli, town, tmp_path):
    patterns = tmp_path / "patterns"
    patterns.mkdir()
    (patterns / "rate.toml").write_text(
        f"""name = "More issues arrive at twice the issue rate"
kind = "design"
source = "test"

[experiment]
reps = 3
days = 30

[[experiment.scenario]]
name = "base"
file = "{town}"

[[experiment.scenario]]
name = "double"
file = "{town}"
set = ["issues.rate=0.8"]

[[claim]]
type = "difference"
metric = "arrived"
of = "double"
minus = "base"
expect = "positive"
"""
    )
    cli_run(cli, "validate", patterns / "rate.toml", "--out", tmp_path / "cli")
    result = govsim.validate(patterns / "rate.toml")
    same_tables(result, tmp_path / "cli", ["validation"])
    assert list(result["validation"]["holds"]) == ["yes"]
