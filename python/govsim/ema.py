"""govsim as a model of the EMA Workbench: exploratory modelling, scenario
discovery (PRIM) and global sensitivity (SALib) over govsim's levers.

    >>> from govsim.ema import ema_model                       # doctest: +SKIP
    >>> from ema_workbench import perform_experiments          # doctest: +SKIP
    >>> model = ema_model(
    ...     "town", "classroom/small_town",
    ...     uncertainties={"issues.rate": (0.2, 1.0)},
    ...     levers={"party.procedure.pooling": (0.0, 1.0)},
    ...     outcomes=["resolution_rate", "backlog_mean"], days=90)   # doctest: +SKIP
    >>> experiments, outcomes = perform_experiments(model, scenarios=20, policies=2)  # doctest: +SKIP

The EMA Workbench names parameters by Python identifiers, so a lever's
dotted path becomes its name with ``__`` for each dot
(``party.procedure.pooling`` is ``party__procedure__pooling``);
:func:`parameter_name` and :func:`lever_path` convert. Each experiment is
one govsim run for the model's ``seed`` (a constant the experiments can
vary); with ``replications`` greater than 1 the model is a
``ReplicatorModel`` whose replications run seeds ``seed``, ``seed + 1``, …
and each outcome is the mean over them. The ema_workbench package is needed
only here (``pip install ./python[ema]``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import _input_error, levers as _levers, load, model as _model

__all__ = ["ema_model", "parameter_name", "lever_path"]


def parameter_name(path: str) -> str:
    """The EMA parameter name of a lever path: dots as ``__``."""
    return path.replace(".", "__")


def lever_path(name: str) -> str:
    """The lever path of an EMA parameter name."""
    return name.replace("__", ".")


def _mean(values: Sequence[float]) -> float:
    """The mean of a replicated outcome over the replications where it is
    defined (not NaN); NaN where it is defined in none."""
    defined = [v for v in values if v == v]
    return sum(defined) / len(defined) if defined else float("nan")


def _parameter(path: str, spec: Any, registry: Mapping[str, Mapping[str, Any]]):
    """An EMA parameter for lever ``path``: ``(lo, hi)`` of floats a real
    parameter, of ints an integer one, a list of values a categorical one;
    checked against the lever's valid range before any run."""
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter

    lever = registry.get(path)
    if lever is None:
        raise _input_error("uncertainties", path, "not a lever: see govsim.levers()")
    name = parameter_name(path)
    if isinstance(spec, list):
        return CategoricalParameter(name, spec)
    if not (isinstance(spec, tuple) and len(spec) == 2):
        raise _input_error("uncertainties", path, "expected (low, high) or a list of values")
    low, high = spec
    lo, hi = lever.get("min"), lever.get("max")
    if lo is not None and hi is not None and not (lo <= low < high <= hi):
        raise _input_error(
            "uncertainties", path, f"({low}, {high}) is not inside the lever's range: valid range is {lo} to {hi}"
        )
    if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
        return IntegerParameter(name, low, high)
    return RealParameter(name, float(low), float(high))


def ema_model(
    name: str,
    scenario,
    *,
    uncertainties: Mapping[str, Any],
    outcomes: Sequence[str],
    levers: Mapping[str, Any] | None = None,
    set=None,
    days: int | None = None,
    seed: int = 1,
    replications: int = 1,
    threads: int | None = 1,
):
    """An EMA Workbench model of ``scenario``: ``uncertainties`` and
    ``levers`` map lever paths to ``(low, high)`` or a list of values,
    ``outcomes`` names run-level metrics (the columns of ``summary.csv``), as
    ``ScalarOutcome``s (with replications, the mean over them; undefined
    values, NA in ``summary.csv``, are NaN). Bad levers, ranges and outcomes raise
    :class:`govsim.InputError` before any experiment."""
    from ema_workbench import Constant, Model, ReplicatorModel, ScalarOutcome

    if not name.isidentifier():
        raise _input_error("ema_model", "name", f"`{name}` is not a Python identifier, as EMA requires")
    registry = {row["path"]: row for row in _levers().to_dict("records")}
    base = load(scenario, set)
    # Unknown outcomes are refused here, before any experiment.
    run_one = _model(base, list(outcomes), days=days, threads=threads)

    def function(seed: int = seed, **parameters: Any) -> dict[str, Any]:
        values = {lever_path(k): v for k, v in parameters.items()}
        summary = run_one(values, seed=int(seed))
        return {k: float("nan") if v is None else v for k, v in summary.items()}

    if replications < 1:
        raise _input_error("ema_model", "replications", "valid range is 1 or more")
    if replications == 1:
        ema = Model(name, function=function)
        ema.constants = [Constant("seed", int(seed))]
    else:
        ema = ReplicatorModel(name, function=function)
        ema.replications = [{"seed": int(seed) + i} for i in range(replications)]
    ema.uncertainties = [_parameter(p, s, registry) for p, s in uncertainties.items()]
    ema.levers = [_parameter(p, s, registry) for p, s in (levers or {}).items()]
    # The mean over replications: the EMA Workbench keeps one class per
    # outcome name in a process, so a replicated model's outcomes are
    # scalars too.
    if replications == 1:
        ema.outcomes = [ScalarOutcome(o) for o in outcomes]
    else:
        ema.outcomes = [ScalarOutcome(o, function=_mean) for o in outcomes]
    return ema


