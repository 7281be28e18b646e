"""Type stubs of govsim's extension module (the library API, converted).
The package `govsim` wraps it; call that instead."""

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

__version__: str

class GovsimError(Exception):
    """Every error govsim raises: the message is the command line's."""

class InputError(GovsimError):
    """Bad input (the command line's exit 2)."""

    file: str
    key: str | None
    line: int | None
    message: str
    range: str | None

class RunError(GovsimError):
    """A failure at run time (the command line's exit 1)."""

class Scenario:
    """A scenario file with overrides, validated."""

    @staticmethod
    def load(path: str | PathLike[str], set: list[str] = ...) -> Scenario: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def path(self) -> Path: ...
    @property
    def overrides(self) -> list[str]: ...
    @property
    def resolved_toml(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def residents(self) -> int: ...
    @property
    def days(self) -> int: ...

class LiveRun:
    """A run stepped a few days at a time whose levers move."""

    def __new__(cls, path: str | PathLike[str], set: list[str] = ..., seed: int = 1) -> LiveRun: ...
    @property
    def day(self) -> int: ...
    def step(self, days: int) -> tuple[bytes, list[tuple[int, str]]]: ...
    def set(self, items: list[str]) -> list[tuple[int, str, str]]: ...
    def timeseries(self) -> bytes: ...
    def changes(self) -> list[tuple[int, str, str]]: ...
    def map_json(self) -> str: ...

def levers() -> list[dict[str, Any]]: ...
def summary_columns() -> list[str]: ...
def run(
    scenario: Scenario,
    threads: int | None = None,
    out: str | PathLike[str] | None = None,
    max_memory: int | None = None,
) -> tuple[bytes, bytes, float]: ...
def compare(
    scenarios: list[str | PathLike[str]],
    names: list[str],
    sets: list[list[str]],
    reps: int,
    runner: dict[str, Any],
    progress: Callable[[int, int], Any] | None = None,
) -> dict[str, Any]: ...
def sweep(
    scenarios: list[str | PathLike[str]],
    vary: list[str],
    sample: str,
    reps: int,
    runner: dict[str, Any],
    progress: Callable[[int, int], Any] | None = None,
) -> dict[str, Any]: ...
def decompose(
    base: str | PathLike[str],
    target: str | PathLike[str],
    groups: list[str],
    metrics: list[str],
    reps: int,
    runner: dict[str, Any],
    progress: Callable[[int, int], Any] | None = None,
) -> None: ...
def sensitivity(
    scenario: str | PathLike[str],
    baseline: str | PathLike[str] | None,
    method: str,
    vary: list[str],
    samples: int,
    reps: int,
    metrics: list[str],
    levels: int,
    second_order: bool,
    bootstrap: int,
    runner: dict[str, Any],
    progress: Callable[[int, int], Any] | None = None,
) -> None: ...
def calibrate(
    scenario: str | PathLike[str],
    set: list[str],
    vary: list[str],
    targets: list[str],
    targets_file: str | PathLike[str] | None,
    samples: int,
    generations: int,
    reps: int,
    days: int | None,
    seed: int,
    threads: int | None,
    max_memory: int | None,
    out: str | PathLike[str],
    resume: bool,
    progress: Callable[[int, int], Any] | None = None,
) -> None: ...
def validate(
    patterns: list[str | PathLike[str]],
    reps: int | None,
    days: int | None,
    threads: int | None,
    max_memory: int | None,
    out: str | PathLike[str],
    resume: bool,
    progress: Callable[[int, int], Any] | None = None,
) -> None: ...
def shipped_scenarios() -> Path: ...
def shipped_names() -> list[str]: ...
def shipped_digest() -> str: ...
def write_shipped_scenarios(folder: str | PathLike[str]) -> None: ...
def arrow_table(csv: bytes) -> Any: ...
