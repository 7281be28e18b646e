"""Shared fixtures: the command-line binary built from the same checkout, to
check that Python gives exactly its numbers and its messages."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli() -> Path:
    """`govsim` of this checkout (GOVSIM_BIN, else target/release/govsim,
    built if missing)."""
    given = os.environ.get("GOVSIM_BIN")
    binary = Path(given) if given else CHECKOUT / "target" / "release" / "govsim"
    if not binary.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--bin", "govsim"],
            cwd=CHECKOUT,
            check=True,
        )
    return binary


@pytest.fixture(scope="session")
def town() -> Path:
    return CHECKOUT / "scenarios" / "classroom" / "small_town.toml"
