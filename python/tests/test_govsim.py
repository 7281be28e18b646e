"""The Python package against the command line: the same numbers, the same
messages, and what a notebook needs (threads, Ctrl-C, progress)."""

from __future__ import annotations

import _thread
import csv
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import govsim


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, **govsim._EXACT)


def test_run_gives_exactly_the_command_lines_numbers(cli, town, tmp_path):
    out = tmp_path / "cli"
    subprocess.run(
        [cli, "run", town, "--days", "60", "--seed", "5", "--set", "party.procedure.pooling=0.4", "--out", out],
        check=True,
        capture_output=True,
    )
    result = govsim.run(town, {"party.procedure.pooling": 0.4}, days=60, seed=5)
    pd.testing.assert_frame_equal(result.daily, read_csv(out / "timeseries.csv"), check_exact=True)
    # Parsed exactly: every cell is the float its text says (not only the
    # same parse on both sides).
    with open(out / "timeseries.csv", newline="") as f:
        rows = list(csv.reader(f))
    for i, row in enumerate(rows[1:]):
        for column, text in zip(rows[0], row):
            if text not in ("", "NA"):
                assert float(text) == result.daily[column].iloc[i], (column, i, text)
    summary = read_csv(out / "summary.csv").iloc[0]
    assert list(result.summary) == list(summary.index)
    for metric, value in summary.items():
        if pd.isna(value):
            assert result.summary[metric] is None, metric
        else:
            assert result.summary[metric] == value, metric
    # Another seed gives another run: the comparison above could fail.
    other = govsim.run(town, {"party.procedure.pooling": 0.4}, days=60, seed=6)
    assert not other.daily.equals(result.daily)


def test_run_writes_the_command_lines_folder_and_refuses_another_commands(town, tmp_path):
    out = tmp_path / "run"
    result = govsim.run(town, days=20, out=out)
    assert result.out == out
    assert (out / "timeseries.csv").exists() and (out / "manifest.json").exists()
    pd.testing.assert_frame_equal(result.daily, read_csv(out / "timeseries.csv"), check_exact=True)
    experiment = tmp_path / "experiment"
    govsim.compare({"a": town, "b": town}, reps=2, days=10, out=experiment)
    with pytest.raises(govsim.InputError):
        govsim.run(town, days=20, out=experiment)


def test_compare_gives_exactly_the_command_lines_tables(cli, town, tmp_path):
    unpooled = tmp_path / "unpooled.toml"
    unpooled.write_text(
        f'extends = "{town}"\nname = "unpooled"\n[party.procedure]\npooling = 0.0\n'
    )
    out = tmp_path / "cli"
    subprocess.run(
        [cli, "compare", town, unpooled, "--reps", "4", "--days", "40", "--seed", "9", "--out", out],
        check=True,
        capture_output=True,
    )
    result = govsim.compare([town, unpooled], reps=4, days=40, seed=9)
    for name in ["summary", "differences", "runs"]:
        pd.testing.assert_frame_equal(
            getattr(result, name), read_csv(out / f"{name}.csv"), check_exact=True, obj=name
        )
    assert result.labels == ["small_town", "unpooled"]
    assert result.runs_done == 8
    # The same contrast named and set from Python: the same differences.
    named = govsim.compare(
        {"small_town": town, "unpooled": (town, {"party.procedure.pooling": 0.0})},
        reps=4,
        days=40,
        seed=9,
    )
    pd.testing.assert_frame_equal(named.differences, result.differences, check_exact=True)


def test_bad_input_raises_the_command_lines_message_and_its_parts(cli, town, tmp_path):
    cli_run = subprocess.run(
        [cli, "run", town, "--set", "party.procedure.formalism=2", "--out", tmp_path / "x"],
        capture_output=True,
        text=True,
    )
    assert cli_run.returncode == 2
    with pytest.raises(govsim.InputError) as raised:
        govsim.run(town, {"party.procedure.formalism": 2})
    error = raised.value
    assert isinstance(error, govsim.GovsimError)
    assert cli_run.stderr.strip() == f"error: {error}"
    assert error.key == "party.procedure.formalism"
    assert error.range == "0 to 1 (intensity)"
    assert error.file == "--set"

    # A file's line comes through too.
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[sim]\ndays = "many"\n')
    with pytest.raises(govsim.InputError) as raised:
        govsim.load(bad)
    assert raised.value.line == 3 and raised.value.file == str(bad)
    cli_load = subprocess.run([cli, "run", bad], capture_output=True, text=True)
    assert cli_load.returncode == 2 and cli_load.stderr.strip() == f"error: {raised.value}"

    # Unknown scenarios, values Python cannot say in TOML, unknown outcomes.
    with pytest.raises(govsim.InputError):
        govsim.load("no/such/scenario")
    with pytest.raises(govsim.InputError) as raised:
        govsim.load(town, {"party.procedure.pooling": object()})
    assert raised.value.key == "party.procedure.pooling"
    with pytest.raises(govsim.InputError):
        govsim.model(town, ["no_such_metric"], days=5)()
    with pytest.raises(govsim.InputError):
        govsim.compare({"a": town, "b": town}, reps=0, days=5)


def test_a_shipped_scenario_loads_by_name_and_levers_are_listed():
    party_led = govsim.load("regimes/party_led")
    assert party_led.name and party_led.residents > 0
    assert party_led.path == govsim.shipped_scenarios() / "regimes" / "party_led.toml"
    levers = govsim.levers()
    assert {"path", "default", "unit", "min", "max", "meaning", "choices", "fixed"} <= set(levers.columns)
    pooling = levers.set_index("path").loc["party.procedure.pooling"]
    assert (pooling["min"], pooling["max"]) == (0.0, 1.0)
    assert pooling["meaning"]
    # A loaded scenario takes more overrides after its own.
    moved = govsim.load(party_led, {"party.procedure.pooling": 0.1})
    assert moved.overrides[-1] == "party.procedure.pooling=0.1"


def test_sweep_returns_one_point_per_grid_value(town):
    result = govsim.sweep(town, {"party.procedure.pooling": (0, 1, 3)}, reps=2, days=10)
    assert len(result.labels) == 3
    assert result.runs_done == 6
    assert set(result.summary["metric"]) >= {"resolution_rate"}
    # A loaded scenario's overrides go with it; several loaded ones with
    # overrides of their own cannot share the runner's, and are refused.
    moved = govsim.load(town, {"issues.rate": 0.8})
    pd.testing.assert_frame_equal(
        govsim.sweep(moved, {"party.procedure.pooling": (0, 1, 3)}, reps=2, days=10).runs,
        govsim.sweep(town, {"party.procedure.pooling": (0, 1, 3)}, reps=2, days=10, set={"issues.rate": 0.8}).runs,
    )
    with pytest.raises(govsim.InputError):
        govsim.sweep([moved, govsim.load(town, {"issues.rate": 0.3})], {"party.procedure.pooling": (0, 1, 3)}, reps=2)


def test_the_plain_callable_is_one_run(town):
    f = govsim.model(town, ["resolution_rate", "participation_rate"], days=30)
    got = f({"party.procedure.pooling": 0.3}, seed=4)
    want = govsim.run(town, {"party.procedure.pooling": 0.3}, days=30, seed=4).summary
    assert got == {m: want[m] for m in ["resolution_rate", "participation_rate"]}
    assert f(seed=4, **{"party.procedure.pooling": 0.3}) == got
    # NumPy's scalars, as samplers give them, are the same values.
    import numpy as np

    assert f({"party.procedure.pooling": np.float64(0.3)}, seed=np.int64(4)) == got


def test_python_threads_run_models_at_once(town):
    """Runs release the GIL: four threads' runs overlap in time (with the GIL
    held they would follow one another). Each run is a year of the
    50,000-resident district, about 0.2 s, so that starting the threads
    takes little of it (a town's 200 days, 17 ms since issue 30, could end
    before a busy machine had started the fourth thread)."""
    scenario = govsim.load(town.parent.parent / "regimes" / "party_led.toml", {"sim.days": 365})
    spans: list[tuple[float, float]] = []

    def one():
        start = time.perf_counter()
        govsim.run(scenario, threads=1)
        spans.append((start, time.perf_counter()))

    workers = [threading.Thread(target=one) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    spans.sort()
    assert len(spans) == 4
    # Every run started before the first one ended.
    assert all(start < spans[0][1] for start, _ in spans)


def test_progress_is_told_and_ctrl_c_stops_an_experiment(town, tmp_path):
    told: list[tuple[int, int]] = []
    govsim.compare({"a": town, "b": town}, reps=3, days=5, progress=lambda done, total: told.append((done, total)))
    assert told[-1] == (6, 6)

    out = tmp_path / "stopped"
    timer = threading.Timer(1.0, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        govsim.compare({"a": town, "b": town}, reps=2000, days=365, threads=1, out=out)
    timer.cancel()
    # Stopped long before 4,000 runs; the runs done are kept and resume.
    runs = read_csv(out / "runs.csv")
    assert 0 < len(runs) < 4000


def test_a_live_run_steps_as_a_run_and_a_moved_lever_acts_from_the_next_day(town):
    whole = govsim.run(town, days=60, seed=2, set={"sim.record_every": 1}).daily
    live = govsim.LiveRun(town, seed=2)
    first = live.step(25)
    second = live.step(35)
    assert live.day == 60
    pd.testing.assert_frame_equal(pd.concat([first, second], ignore_index=True), whole, check_exact=True)
    pd.testing.assert_frame_equal(live.daily, whole, check_exact=True)

    moved = govsim.LiveRun(town, seed=2)
    moved.step(30)
    assert moved.set({"party.procedure.formalism": 0.9}) == [(31, "party.procedure.formalism", "0.9")]
    moved.step(30)
    rows = moved.daily
    pd.testing.assert_frame_equal(rows.iloc[:30], whole.iloc[:30], check_exact=True)
    assert not rows.iloc[30:].equals(whole.iloc[30:])
    assert moved.changes == [(31, "party.procedure.formalism", "0.9")]
    drawn = moved.map()
    assert drawn["day"] == 60 and len(drawn["grids"]) > 0 and len(drawn["communities"]) > 0
    # A lever read only when the district is built is refused, and named.
    with pytest.raises(govsim.InputError) as raised:
        moved.set({"party.setting.community_coverage": 0.1})
    assert raised.value.key == "party.setting.community_coverage"


def test_the_daily_rows_go_to_polars_as_arrow_with_the_same_values(town):
    import polars as pl

    result = govsim.run(town, days=40, seed=7)
    frame = pl.DataFrame(result.daily_arrow())
    assert frame.columns == list(result.daily.columns)
    assert frame.height == len(result.daily)
    for column in result.daily.columns:
        ours = result.daily[column]
        theirs = frame[column].to_list()
        for a, b in zip(ours, theirs):
            assert (pd.isna(a) and b is None) or a == b, column
    assert frame["day"].dtype == pl.Int64
    assert frame["resolution_rate"].dtype == pl.Float64


def test_the_shipped_scenarios_travel_in_the_package(tmp_path, monkeypatch):
    """A wheel away from the checkout still loads scenarios by name: the
    embedded copies are the checkout's files byte for byte, and without the
    checkout they are written to the cache and found there."""
    from govsim import _govsim

    names = _govsim.shipped_names()
    checkout = Path(_govsim.shipped_scenarios())
    assert sorted(names) == sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*.toml"))
    _govsim.write_shipped_scenarios(tmp_path / "copy")
    for name in names:
        assert (tmp_path / "copy" / name).read_bytes() == (checkout / name).read_bytes(), name

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(_govsim, "shipped_scenarios", lambda: str(tmp_path / "no-checkout"))
    folder = govsim.shipped_scenarios()
    assert folder.parent == tmp_path / "cache" / "govsim"
    assert govsim.load("regimes/party_led").path == folder / "regimes" / "party_led.toml"
    assert govsim.shipped_scenarios() == folder  # written once
