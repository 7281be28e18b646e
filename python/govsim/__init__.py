"""govsim from Python: the multi-agent simulator of party-led collaborative
governance, as a library for notebooks, pandas and the EMA Workbench.

Every function calls govsim's typed library API (the one the command line
and the live app call), so a run or an experiment gives exactly the
command line's numbers for the same scenario and seed. Tables come back as
pandas DataFrames with the columns of the command line's CSV files.

    >>> import govsim
    >>> town = govsim.load("classroom/small_town", {"sim.days": 30})
    >>> result = govsim.run(town, seed=3)
    >>> result.summary["resolution_rate"]        # doctest: +SKIP
    >>> result.daily[["day", "resolution_rate"]] # doctest: +SKIP

A simulation runs without the GIL: Python threads run several models at
once, and Ctrl-C stops an experiment (no new run starts; with ``out`` the
runs done are kept and ``resume=True`` finishes them).

Errors are :class:`GovsimError`; bad input is its subclass
:class:`InputError`, with the command line's message and ``file``, ``key``,
``line`` and ``range`` attributes.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import pandas as pd

from . import _govsim
from ._govsim import GovsimError, InputError, RunError, Scenario

__version__ = _govsim.__version__

__all__ = [
    "GovsimError",
    "InputError",
    "RunError",
    "Scenario",
    "RunResult",
    "ExperimentResult",
    "shipped_scenarios",
    "load",
    "levers",
    "run",
    "compare",
    "sweep",
    "model",
    "LiveRun",
    "AnalysisResult",
    "decompose",
    "sensitivity",
    "calibrate",
    "validate",
]

#: A scenario: a loaded :class:`Scenario`, a path to a TOML file, or the
#: name of a shipped scenario such as ``"regimes/party_led"``.
ScenarioLike = Union[Scenario, str, os.PathLike]
#: Lever overrides: ``{"party.procedure.pooling": 0.5}`` or
#: ``["party.procedure.pooling=0.5"]`` (the scenario language of ``--set``).
Overrides = Union[Mapping[str, Any], Sequence[str], None]


def shipped_scenarios() -> Path:
    """The folder of the scenarios shipped with govsim, where a scenario
    given by name is looked up: ``GOVSIM_SCENARIOS`` if set, else the
    checkout the package was built from, else (a wheel installed elsewhere)
    the copies embedded in the package, written once to a cache folder
    (``$XDG_CACHE_HOME/govsim`` or ``~/.cache/govsim``)."""
    folder = os.environ.get("GOVSIM_SCENARIOS")
    if folder:
        return Path(folder)
    checkout = Path(_govsim.shipped_scenarios())
    names = _govsim.shipped_names()
    if all((checkout / name).is_file() for name in names):
        return checkout
    return _cached_scenarios(names)


def _cached_scenarios(names: list[str]) -> Path:
    """The embedded scenarios written to the cache: into a fresh folder
    first, renamed into place once whole (a folder another process finished
    first is used as it is)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "govsim"
    folder = cache / f"scenarios-{__version__}-{_govsim.shipped_digest()}"
    if all((folder / name).is_file() for name in names):
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=cache))
    _govsim.write_shipped_scenarios(os.fspath(scratch))
    try:
        os.rename(scratch, folder)
    except OSError:
        # Another process put it there first (or an older, partial one is
        # in the way): use what is whole.
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
        if not all((folder / name).is_file() for name in names):
            raise RunError(f"{folder}: the shipped scenarios are incomplete there; remove the folder")
    return folder


def _path(scenario: str | os.PathLike) -> Path:
    """A scenario's file: the path itself if it names a file, else a
    shipped scenario of that name (with or without ``.toml``)."""
    path = Path(scenario)
    if path.is_file():
        return path
    name = str(scenario)
    shipped = shipped_scenarios() / (name if name.endswith(".toml") else name + ".toml")
    if not path.is_absolute() and shipped.is_file():
        return shipped
    # The loader says what is wrong with the path, as the command line does.
    return path


def _input_error(file: str, key: str | None, message: str) -> InputError:
    """An :class:`InputError` raised by the package itself, with the same
    attributes as the library's."""
    # As the library writes one: "FILE: key `KEY`: MESSAGE".
    error = InputError(f"{file}: {f'key `{key}`: ' if key else ''}{message}")
    error.file, error.key, error.line, error.message, error.range = file, key, None, message, None
    return error


def _toml(value: Any, key: str | None = None) -> str:
    """A Python value as the TOML of a ``--set`` override."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        # float() first: a NumPy float is a float whose repr is not TOML.
        value = float(value)
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v, key) for v in value) + "]"
    if hasattr(value, "item"):  # a NumPy scalar
        return _toml(value.item(), key)
    raise _input_error(
        "--set", key, f"a value of type {type(value).__name__} is not a number, a boolean, a string or a list"
    )


def _overrides(overrides: Overrides) -> list[str]:
    """``KEY=VALUE`` strings from a mapping or a sequence of them."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [f"{key}={_toml(value, str(key))}" for key, value in overrides.items()]
    if isinstance(overrides, str):
        return [overrides]
    return [str(item) for item in overrides]


def load(scenario: ScenarioLike, set: Overrides = None) -> Scenario:
    """A scenario file (or a shipped scenario by name) with lever overrides,
    validated: every lever filled and every range checked. Bad input raises
    :class:`InputError` naming the file, line, key and valid range.

    A loaded :class:`Scenario` given again gets ``set`` applied after its
    own overrides."""
    if isinstance(scenario, Scenario):
        if not set:
            return scenario
        return Scenario.load(scenario.path, list(scenario.overrides) + _overrides(set))
    return Scenario.load(_path(scenario), _overrides(set))


def levers() -> pd.DataFrame:
    """Every lever, in the order of the ODD's lever table: ``path``,
    ``default`` (as TOML), ``unit``, ``min``, ``max`` (the valid range of a
    number), ``meaning``, ``choices`` (of an enumerated lever) and ``fixed``
    (why it cannot change during a run, or None)."""
    return pd.DataFrame(_govsim.levers())


#: pandas before 3 parses floats fast and inexactly unless asked; from 3 on
#: the exact parse is the default and the argument is deprecated.
_EXACT = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def _frame(csv: bytes) -> pd.DataFrame:
    """A table the library wrote as CSV, with floats exactly as computed."""
    if not csv.strip():
        return pd.DataFrame()
    return pd.read_csv(io.BytesIO(csv), **_EXACT)


def _plain(value: Any) -> Any:
    """A cell as a plain Python value; NA as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


@dataclass(frozen=True)
class RunResult:
    """One run: its summary by metric (``summary.csv``'s row; None where a
    metric is undefined, as NA there) and its daily rows
    (``timeseries.csv``)."""

    scenario: Scenario
    summary: dict[str, Any]
    daily: pd.DataFrame
    wall_seconds: float
    out: Path | None = None
    _daily_csv: bytes = field(default=b"", repr=False, compare=False)

    def daily_arrow(self):
        """The daily rows as an Arrow table (``arro3.core.Table``, from
        ``pip install arro3-core``) that polars takes without a copy:
        ``polars.DataFrame(result.daily_arrow())``. Whole-number columns are
        Int64, the others Float64, NA is null."""
        return _govsim.arrow_table(self._daily_csv)


def run(
    scenario: ScenarioLike,
    set: Overrides = None,
    *,
    seed: int | None = None,
    days: int | None = None,
    threads: int | None = None,
    out: str | os.PathLike | None = None,
    max_memory: int | None = None,
) -> RunResult:
    """One run, as ``govsim run`` does it. ``seed`` and ``days`` override
    ``sim.seed`` and ``sim.days``; ``threads`` (default: every core) never
    changes the results; ``out`` writes the run's folder as the command line
    does (a folder of another command is refused)."""
    extra = _overrides(set)
    if seed is not None:
        extra.append(f"sim.seed={int(seed)}")
    if days is not None:
        extra.append(f"sim.days={int(days)}")
    loaded = load(scenario, extra)
    summary, daily, wall = _govsim.run(
        loaded,
        threads=threads,
        out=None if out is None else os.fspath(out),
        max_memory=max_memory,
    )
    row = _frame(summary)
    values = {str(k): _plain(v) for k, v in row.iloc[0].items()} if len(row) else {}
    return RunResult(
        scenario=loaded,
        summary=values,
        daily=_frame(daily),
        wall_seconds=wall,
        out=None if out is None else Path(out),
        _daily_csv=bytes(daily),
    )


@dataclass(frozen=True)
class ExperimentResult:
    """An experiment's tables, as its folder's CSV files have them:
    ``summary`` (per point and metric: mean, SD, 95% interval), ``differences``
    (per point after the first: the paired difference from the first with
    its 95% interval; comparisons only) and ``runs`` (every run's summary)."""

    summary: pd.DataFrame
    differences: pd.DataFrame
    runs: pd.DataFrame
    labels: list[str] = field(default_factory=list)
    runs_done: int = 0
    out: Path | None = None


def _runner(seed, days, overrides, threads, out, resume, series_all, max_memory) -> dict[str, Any]:
    """The runner's options every experiment takes, as the module wants them."""
    return {
        "seed": int(seed),
        "days": days,
        "set": overrides,
        "threads": threads,
        "out": None if out is None else os.fspath(out),
        "resume": bool(resume),
        "series_all": bool(series_all),
        "max_memory": max_memory,
    }


def _experiment(tables: dict) -> ExperimentResult:
    return ExperimentResult(
        summary=_frame(tables["summary"]),
        differences=_frame(tables["differences"]),
        runs=_frame(tables["runs"]),
        labels=list(tables["labels"]),
        runs_done=int(tables["runs_done"]),
        out=None if tables["dir"] is None else Path(tables["dir"]),
    )


def compare(
    scenarios: Mapping[str, ScenarioLike | tuple[ScenarioLike, Overrides]] | Sequence[ScenarioLike],
    *,
    reps: int = 20,
    seed: int = 1,
    days: int | None = None,
    set: Overrides = None,
    threads: int | None = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    series_all: bool = False,
    max_memory: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> ExperimentResult:
    """``govsim compare``: scenarios side by side over ``reps`` paired
    replications (common random numbers); the first is the baseline of the
    differences. ``scenarios`` is a list, or a mapping from a name to a
    scenario or to ``(scenario, overrides)``. ``set`` applies to all.
    ``progress(done, total)`` is called as runs finish."""
    names: list[str] = []
    paths: list[str] = []
    sets: list[list[str]] = []
    items: Iterable = scenarios.items() if isinstance(scenarios, Mapping) else ((None, s) for s in scenarios)
    for name, spec in items:
        scenario, overrides = spec if isinstance(spec, tuple) else (spec, None)
        if isinstance(scenario, Scenario):
            paths.append(os.fspath(scenario.path))
            sets.append(list(scenario.overrides) + _overrides(overrides))
        else:
            paths.append(os.fspath(_path(scenario)))
            sets.append(_overrides(overrides))
        if name is not None:
            names.append(str(name))
    tables = _govsim.compare(
        paths, names, sets, int(reps), _runner(seed, days, _overrides(set), threads, out, resume, series_all, max_memory),
        progress,
    )
    return _experiment(tables)


def _vary(vary: Mapping[str, tuple] | Sequence[str]) -> list[str]:
    """``KEY=LO..HI[:STEPS]`` strings from a mapping ``{key: (lo, hi[, steps])}``
    (the library refuses steps where its command takes none)."""
    if isinstance(vary, Mapping):
        specs = []
        for key, bounds in vary.items():
            lo, hi, *steps = bounds
            spec = f"{key}={_toml(lo, key)}..{_toml(hi, key)}"
            specs.append(spec + (f":{int(steps[0])}" if steps else ""))
        return specs
    return [str(v) for v in vary]


def sweep(
    scenarios: ScenarioLike | Sequence[ScenarioLike],
    vary: Mapping[str, tuple] | Sequence[str],
    *,
    sample: str = "grid",
    reps: int = 20,
    seed: int = 1,
    days: int | None = None,
    set: Overrides = None,
    threads: int | None = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    series_all: bool = False,
    max_memory: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> ExperimentResult:
    """``govsim sweep``: levers varied over a grid or a Latin hypercube
    (``sample="lhs:200"``), ``vary`` as ``{"party.procedure.pooling": (0, 1, 5)}``
    or ``["party.procedure.pooling=0..1:5"]``. With several scenarios the first
    is the baseline of the contrasts at each point."""
    listed = [scenarios] if isinstance(scenarios, (str, os.PathLike, Scenario)) else list(scenarios)
    if len(listed) == 1 and isinstance(listed[0], Scenario):
        # One loaded scenario: its overrides go with the runner's.
        paths, extra = [os.fspath(listed[0].path)], list(listed[0].overrides) + _overrides(set)
    else:
        # Several: the runner's set applies to all, so each must be a file.
        paths, extra = [_file(s, "scenarios") for s in listed], _overrides(set)
    tables = _govsim.sweep(
        paths, _vary(vary), sample, int(reps),
        _runner(seed, days, extra, threads, out, resume, series_all, max_memory), progress,
    )
    return _experiment(tables)


def model(
    scenario: ScenarioLike,
    outcomes: Sequence[str] | None = None,
    *,
    set: Overrides = None,
    days: int | None = None,
    threads: int | None = 1,
) -> Callable[..., dict[str, Any]]:
    """A plain callable ``f(params=None, seed=1, **levers) -> dict`` for Mesa
    style batch runners, pyABC and the EMA Workbench: it runs ``scenario``
    with the levers in ``params`` (or given as keywords; dotted names as
    dict keys) for ``seed`` and returns the run's summary metrics named in
    ``outcomes`` (default: all; an unknown one raises :class:`InputError`
    here, before any run). One thread per run by default, so that an
    executor's workers each run one model."""
    base = load(scenario, set)
    if days is not None:
        base = load(base, {"sim.days": days})
    wanted = list(outcomes) if outcomes is not None else None
    if wanted is not None:
        # Checked before any run: the columns of summary.csv.
        columns = _govsim.summary_columns()
        missing = [m for m in wanted if m not in columns]
        if missing:
            raise _input_error("outcomes", missing[0], f"not a run-level metric; valid: {', '.join(columns)}")

    def run_model(params: Mapping[str, Any] | None = None, seed: int = 1, **levers: Any) -> dict[str, Any]:
        values = dict(params or {})
        values.update(levers)
        result = run(base, values, seed=seed, threads=threads)
        if wanted is None:
            return dict(result.summary)
        return {m: result.summary[m] for m in wanted}

    run_model.__doc__ = f"One run of {base.name} with the given levers and seed; its summary metrics."
    return run_model


class LiveRun:
    """A run stepped a few days at a time whose levers move between steps,
    as in the live app (``govsim serve``): for teaching in a notebook. A
    lever moved acts from the next day, exactly as if the scenario had had
    it then; levers read only when the district is built are refused.

        >>> live = govsim.LiveRun("classroom/small_town", seed=1)   # doctest: +SKIP
        >>> live.step(90)                                          # doctest: +SKIP
        >>> live.set({"party.procedure.formalism": 0.8})           # doctest: +SKIP
        >>> live.step(275); live.daily.plot(x="day", y="resolution_rate")  # doctest: +SKIP
    """

    def __init__(self, scenario: ScenarioLike, set: Overrides = None, seed: int = 1):
        if isinstance(scenario, Scenario):
            path, overrides = scenario.path, list(scenario.overrides) + _overrides(set)
        else:
            path, overrides = _path(scenario), _overrides(set)
        self._run = _govsim.LiveRun(os.fspath(path), overrides, int(seed))
        self.events: list[tuple[int, str]] = []

    @property
    def day(self) -> int:
        """Days simulated so far."""
        return self._run.day

    def step(self, days: int = 1) -> pd.DataFrame:
        """Simulates ``days`` more days; their rows (``timeseries.csv``'s
        columns). Their events are added to :attr:`events`."""
        if not isinstance(days, int) or days < 0:
            raise _input_error("step", "days", "valid range is 0 to 3650 (whole days)")
        rows, events = self._run.step(days)
        self.events.extend(events)
        return _frame(rows)

    def set(self, levers: Overrides) -> list[tuple[int, str, str]]:
        """Moves levers from the next day; the changes as ``(day, key, value)``."""
        return self._run.set(_overrides(levers))

    @property
    def daily(self) -> pd.DataFrame:
        """Every row so far."""
        return _frame(self._run.timeseries())

    @property
    def changes(self) -> list[tuple[int, str, str]]:
        """Every lever moved so far, as ``(day, key, value)``."""
        return self._run.changes()

    def map(self) -> dict[str, Any]:
        """The district as the live app's map draws it: ``day``, and
        ``grids`` and ``communities`` as DataFrames."""
        drawn = json.loads(self._run.map_json())
        return {
            "day": drawn["day"],
            "grids": pd.DataFrame(drawn["grids"]),
            "communities": pd.DataFrame(drawn["communities"]),
        }


#: The largest table read back from an analysis's folder.
MAX_TABLE_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class AnalysisResult:
    """An analysis's tables: one DataFrame per CSV file its command writes,
    by the file's stem (``result["attribution"]`` is ``attribution.csv``),
    and the folder when one was asked for (else the tables were read from a
    temporary folder, since removed)."""

    tables: dict[str, pd.DataFrame]
    out: Path | None = None

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def _read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        size = path.stat().st_size
        if size > MAX_TABLE_BYTES:
            raise RunError(f"{path}: {size} bytes, more than the {MAX_TABLE_BYTES} read back")
        tables[path.stem] = _frame(path.read_bytes())
    return tables


def _analysis(out: str | os.PathLike | None, call: Callable[[str], Any]) -> AnalysisResult:
    """Runs ``call(folder)``, which writes an analysis's folder, and reads
    its tables: from ``out``, or from a temporary folder removed after."""
    if out is not None:
        call(os.fspath(out))
        return AnalysisResult(_read_tables(Path(out)), Path(out))
    with tempfile.TemporaryDirectory(prefix="govsim-") as scratch:
        folder = Path(scratch) / "analysis"
        call(os.fspath(folder))
        return AnalysisResult(_read_tables(folder), None)


def _file(scenario: ScenarioLike, argument: str) -> str:
    """A scenario's file for a request that takes files only."""
    if isinstance(scenario, Scenario):
        if scenario.overrides:
            raise _input_error(
                argument, None,
                "a loaded scenario with overrides cannot be passed here: give its file and the overrides as set=",
            )
        return os.fspath(scenario.path)
    return os.fspath(_path(scenario))


def decompose(
    base: ScenarioLike,
    target: ScenarioLike,
    *,
    groups: Mapping[str, str | Sequence[str]] | Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    reps: int = 30,
    seed: int = 1,
    days: int | None = None,
    set: Overrides = None,
    threads: int | None = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    max_memory: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> AnalysisResult:
    """``govsim decompose``: the difference from ``base`` to ``target``
    attributed to groups of levers (Shapley values with 95% intervals).
    ``groups`` maps a name to lever patterns (``{"procedure": "party.procedure.*"}``);
    the default is the command line's. Tables: ``attribution``,
    ``interactions``, and the experiment's ``summary``, ``differences``, ``runs``."""
    if isinstance(groups, Mapping):
        specs = [f"{name}={p if isinstance(p, str) else ','.join(p)}" for name, p in groups.items()]
    else:
        specs = [str(g) for g in groups or []]
    base_file, target_file = _file(base, "base"), _file(target, "target")
    return _analysis(
        out,
        lambda folder: _govsim.decompose(
            base_file, target_file, specs, list(metrics or []), int(reps),
            _runner(seed, days, _overrides(set), threads, folder, resume, False, max_memory), progress,
        ),
    )


def sensitivity(
    scenario: ScenarioLike,
    *,
    method: str,
    vary: Mapping[str, tuple] | Sequence[str],
    samples: int,
    reps: int = 1,
    metrics: Sequence[str] | None = None,
    levels: int = 4,
    second_order: bool = False,
    bootstrap: int = 1000,
    baseline: ScenarioLike | None = None,
    seed: int = 1,
    days: int | None = None,
    set: Overrides = None,
    threads: int | None = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    max_memory: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> AnalysisResult:
    """``govsim sensitivity``: ``method="morris"`` (elementary effects over
    ``samples`` trajectories) or ``"sobol"`` (first-order and total indices
    from ``samples`` base samples) of the levers in ``vary``
    (``{key: (lo, hi)}``); with ``baseline``, of the paired contrast
    scenario − baseline. Tables: ``indices``, ``noise`` and the runs'."""
    scenario_file = _file(scenario, "scenario")
    baseline_file = None if baseline is None else _file(baseline, "baseline")
    return _analysis(
        out,
        lambda folder: _govsim.sensitivity(
            scenario_file, baseline_file, method, _vary(vary), int(samples), int(reps),
            list(metrics or []), int(levels), bool(second_order), int(bootstrap),
            _runner(seed, days, _overrides(set), threads, folder, resume, False, max_memory), progress,
        ),
    )


def _targets(targets: Mapping[str, Any] | Sequence[str] | None) -> list[str]:
    """``METRIC=VALUE[±SD]`` strings from ``{metric: value}`` or ``{metric: (value, sd)}``."""
    if targets is None:
        return []
    if isinstance(targets, Mapping):
        specs = []
        for metric, value in targets.items():
            if isinstance(value, tuple):
                specs.append(f"{metric}={_toml(value[0], metric)}±{_toml(value[1], metric)}")
            else:
                specs.append(f"{metric}={_toml(value, metric)}")
        return specs
    return [str(t) for t in targets]


def calibrate(
    scenario: ScenarioLike,
    *,
    vary: Mapping[str, tuple] | Sequence[str],
    targets: Mapping[str, Any] | Sequence[str] | None = None,
    targets_file: str | os.PathLike | None = None,
    samples: int = 200,
    generations: int = 5,
    reps: int = 1,
    days: int | None = None,
    seed: int = 1,
    set: Overrides = None,
    threads: int | None = None,
    max_memory: int | None = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    progress: Callable[[int, int], Any] | None = None,
) -> AnalysisResult:
    """``govsim calibrate``: ABC-SMC of the levers in ``vary`` (uniform
    priors ``{key: (lo, hi)}``) against ``targets`` (``{metric: value}`` or
    ``{metric: (value, sd)}``, or the command line's ``METRIC@FIRST..LAST=VALUE±SD``
    strings) or a ``targets_file``. Tables: ``posterior``, ``generations``,
    ``calibration``, ``identification``, ``correlations``, ``predictive``."""
    if isinstance(scenario, Scenario):
        path, extra = scenario.path, list(scenario.overrides)
    else:
        path, extra = _path(scenario), []
    file = None if targets_file is None else os.fspath(targets_file)
    return _analysis(
        out,
        lambda folder: _govsim.calibrate(
            os.fspath(path), extra + _overrides(set), _vary(vary), _targets(targets), file,
            int(samples), int(generations), int(reps), days, int(seed), threads, max_memory,
            folder, bool(resume), progress,
        ),
    )


def validate(
    patterns: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    reps: int | None = None,
    days: int | None = None,
    threads: int | None = None,
    max_memory: int | None = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    progress: Callable[[int, int], Any] | None = None,
) -> AnalysisResult:
    """``govsim validate``: the claims of pattern files judged with 95%
    intervals. Table: ``validation`` (one row per claim, with its verdict)."""
    listed = [patterns] if isinstance(patterns, (str, os.PathLike)) else list(patterns)
    files = [os.fspath(p) for p in listed]
    return _analysis(
        out,
        lambda folder: _govsim.validate(files, reps, days, threads, max_memory, folder, bool(resume), progress),
    )
