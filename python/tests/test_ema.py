"""govsim as an EMA Workbench model, with the real ema_workbench and SALib:
experiments give govsim's own runs, and the analyses find what the model
is known to do (arrivals follow the issue rate and nothing else; a low
backlog lies at low issue rates)."""

from __future__ import annotations

import numpy as np
import pytest
from ema_workbench import Samplers, perform_experiments
from ema_workbench.analysis import prim
from ema_workbench.em_framework.salib_samplers import get_SALib_problem
from SALib.analyze import sobol

import govsim
from govsim.ema import ema_model, lever_path, parameter_name

UNCERTAIN = {"issues.rate": (0.2, 2.0), "party.procedure.pooling": (0.0, 1.0)}
OUTCOMES = ["arrived", "backlog", "resolution_rate"]


@pytest.fixture(scope="module")
def town_model():
    return ema_model("town", "classroom/small_town", uncertainties=UNCERTAIN, outcomes=OUTCOMES, days=60)


def test_experiments_are_govsims_own_runs_and_prim_finds_the_low_backlog_box(town_model):
    experiments, outcomes = perform_experiments(town_model, scenarios=20)
    assert len(experiments) == 20
    names = [parameter_name(p) for p in UNCERTAIN]
    assert set(names) <= set(experiments.columns)
    # The first experiment is exactly the run of its levers and seed.
    first = experiments.iloc[0]
    direct = govsim.run(
        "classroom/small_town", {lever_path(n): first[n] for n in names}, days=60, seed=1
    ).summary
    for o in OUTCOMES:
        assert outcomes[o][0] == direct[o], o
    # Arrivals rise with the issue rate.
    assert np.corrcoef(experiments["issues__rate"], outcomes["arrived"])[0, 1] > 0.9
    # Scenario discovery: the runs with the lowest backlog lie in a box of
    # low issue rates (upper limit well below the range's 2.0).
    low = outcomes["backlog"] <= np.quantile(outcomes["backlog"], 0.3)
    box = prim.Prim(experiments[names], low, threshold=0.6).find_box()
    limits = box.box_lims[-1]
    assert limits.loc[1, "issues__rate"] < 1.5, limits


def test_sobol_indices_put_arrivals_on_the_issue_rate_alone(town_model):
    experiments, outcomes = perform_experiments(
        town_model, scenarios=32, uncertainty_sampling=Samplers.SOBOL
    )
    problem = get_SALib_problem(town_model.uncertainties)
    assert problem["names"] == ["issues__rate", "party__procedure__pooling"]
    indices = sobol.analyze(problem, outcomes["arrived"], calc_second_order=True)
    total = dict(zip(problem["names"], indices["ST"]))
    assert total["issues__rate"] > 0.8, total
    # Pooling works on resolution, not on how many issues arrive.
    assert total["party__procedure__pooling"] < 0.1, total
    resolution = sobol.analyze(problem, outcomes["resolution_rate"], calc_second_order=True)
    assert max(resolution["ST"]) > 0.1


def test_bad_levers_ranges_and_outcomes_are_refused_before_any_run():
    with pytest.raises(govsim.InputError) as raised:
        ema_model("town", "classroom/small_town", uncertainties={"no.such": (0, 1)}, outcomes=["arrived"])
    assert raised.value.key == "no.such"
    with pytest.raises(govsim.InputError) as raised:
        ema_model("town", "classroom/small_town", uncertainties={"issues.rate": (0.2, 500.0)}, outcomes=["arrived"])
    assert "valid range is 0" in str(raised.value)
    with pytest.raises(govsim.InputError) as raised:
        ema_model("town", "classroom/small_town", uncertainties=UNCERTAIN, outcomes=["arrivals"])
    assert raised.value.key == "arrivals"
    with pytest.raises(govsim.InputError):
        ema_model("my town", "classroom/small_town", uncertainties=UNCERTAIN, outcomes=["arrived"])


def test_replications_run_successive_seeds():
    replicated = ema_model(
        "town", "classroom/small_town", uncertainties=UNCERTAIN, outcomes=["arrived"], days=30, replications=3
    )
    experiments, outcomes = perform_experiments(replicated, scenarios=2)
    assert outcomes["arrived"].shape == (2,)
    first = experiments.iloc[0]
    levers = {lever_path(n): first[n] for n in ["issues__rate", "party__procedure__pooling"]}
    runs = [govsim.run("classroom/small_town", levers, days=30, seed=1 + k).summary["arrived"] for k in range(3)]
    assert len(set(runs)) > 1, "three seeds, three runs"
    assert outcomes["arrived"][0] == pytest.approx(sum(runs) / 3, rel=1e-12)


def test_an_undefined_outcome_is_nan_not_an_error():
    """`party_legitimacy` is NA without a party committee: EMA gets NaN."""
    model = ema_model(
        "silo",
        "regimes/bureaucratic_silo",
        uncertainties={"issues.rate": (0.2, 1.0)},
        outcomes=["party_legitimacy", "resolution_rate"],
        days=10,
    )
    _, outcomes = perform_experiments(model, scenarios=2)
    assert np.isnan(outcomes["party_legitimacy"]).all()
    assert not np.isnan(outcomes["resolution_rate"]).any()
