import json

import numpy as np
import pandas as pd
import pytest

import specgd

FRONT = ["method", "source", "seed", "step"]
MAP_STATS = ["a", "b", "c", "q", "loss", "alignment", "spike_alignment"]


def test_theory_pair(outputs):
    out = specgd.load(outputs / "theory-gd.csv")
    assert isinstance(out, specgd.Trajectory) and out.kind == "theory"
    assert out.record["configuration"]["dimension"] == 50
    assert list(out.tables["trajectory"]["step"]) == [0, 100, 200, 300, 400, 500]
    # The JSON names the same output as its CSV.
    assert specgd.load(outputs / "theory-gd.json").record == out.record
    frame = out.trajectories()
    assert list(frame.columns) == FRONT + MAP_STATS
    assert len(frame) == 6
    assert set(frame["method"]) == {"gd"} and set(frame["source"]) == {"theory"}
    assert frame["seed"].isna().all()
    assert np.allclose(frame["a"], out.tables["trajectory"]["a"])


def test_simulate_pair_gives_every_seed(outputs):
    out = specgd.load(outputs / "sim.csv")
    assert out.kind == "simulate" and set(out.tables) == {"trajectory", "seeds"}
    frame = out.trajectories()
    assert list(frame.columns) == FRONT + MAP_STATS
    assert sorted(frame["seed"].unique()) == [0, 1]
    assert len(frame) == len(out.tables["seeds"]) == 2 * 3
    assert set(frame["source"]) == {"simulation"}


def test_compare_folder(outputs):
    out = specgd.load(outputs / "compare")
    assert isinstance(out, specgd.Compare) and out.kind == "compare"
    assert {"compare-gd", "compare-specgd"} <= set(out.tables)
    assert "overlay.recipe.json" in out.records and out.record["kind"] == "compare"
    frame = out.trajectories()
    stats = MAP_STATS + ["b_over_a"]
    assert list(frame.columns) == FRONT + stats + [f"{s}_{q}" for s in stats for q in ("q10", "q90")]
    rows = len(out.tables["compare-gd"])
    assert rows == 5
    counts = frame.groupby(["method", "source"]).size()
    assert counts.to_dict() == {(m, s): rows for m in ("gd", "specgd") for s in ("simulation", "theory", "seed theory")}
    theory = frame[(frame.method == "gd") & (frame.source == "theory")]
    assert np.array_equal(theory["b"].to_numpy(), out.tables["compare-gd"]["b_theory"].to_numpy())
    assert theory["b_q10"].isna().all()  # one run: no band


def test_check_escape_in_words(outputs):
    out = specgd.load(outputs / "check-escape")
    assert isinstance(out, specgd.CheckEscape)
    checks = out.checks()
    assert list(checks.columns) == ["lambda", "method", "source", "quantity", "kind", "predicted", "measured",
                                    "relative_error", "tolerance", "status", "reason", "window_steps",
                                    "diverged_step"]
    assert len(checks) == len(out.tables["escape-check"]) == out.record["summary"]["total"]
    assert set(checks["method"]) == {"gd", "specgd"}
    assert set(checks["source"]) == {"theory"}
    assert set(checks["status"]) <= {"pass", "fail", "not checkable", "diverged"}
    assert set(checks["quantity"]) <= {"amplification", "ratio_at_escape", "escape_step", "saturation"} | set(checks["quantity"])
    assert sorted(checks["lambda"].unique()) == [2.0, 8.0]
    # The same numbers as the CSV, row for row.
    assert np.allclose(checks["predicted"], out.tables["escape-check"]["predicted"], equal_nan=True)
    assert checks["status"].eq("pass").sum() == out.record["summary"]["held"]


def test_sweep_cells_and_grid(outputs):
    out = specgd.load(outputs / "sweep")
    assert isinstance(out, specgd.Sweep) and out.axes == ["lambda", "lr"]
    cells = out.cells()
    assert len(cells) == 4 and {"cell", "cell_id", "lambda", "lr", "escape_step", "status"} <= set(cells.columns)
    grid = out.grid("peak_amplification")
    assert grid.shape == (2, 2)
    assert list(grid.index) == [1.0, 8.0] and list(grid.columns) == [1e-3, 1e-2]
    assert grid.index.name == "lambda" and grid.columns.name == "lr"
    for _, cell in cells.iterrows():  # nan where a cell did not escape, on both sides
        np.testing.assert_equal(grid.loc[cell["lambda"], cell["lr"]], cell["peak_amplification"])
    assert np.isfinite(grid.to_numpy()).any()
    # The other order, and one axis fixed (a one-row grid).
    assert out.grid("escape_step", index="lr", columns="lambda").shape == (2, 2)
    with pytest.raises(ValueError, match="two numeric axes"):
        out.grid("escape_step", at={"lambda": 8})


def test_grid_refuses_bad_input(outputs):
    out = specgd.load(outputs / "sweep")
    with pytest.raises(KeyError, match="no column 'final_loss'"):
        out.grid("final_loss")
    with pytest.raises(KeyError, match="not an axis"):
        out.grid("escape_step", at={"dim": 50})
    with pytest.raises(KeyError, match="escape_step_mean"):
        out.grid("escape_step", stat="mean")


def test_folder_of_folders(outputs):
    out = specgd.load(outputs)
    assert isinstance(out, specgd.Folder) and out.record is None
    assert set(out.children) == {"theory-gd", "sim", "compare", "check-escape", "sweep"}
    assert out["sweep"].kind == "sweep"
    frame = out.trajectories()
    assert list(frame.columns[:4]) == FRONT
    assert len(frame) == 6 + 6 + 6 * 5  # compare: 2 methods × (theory, simulation, seed theory)
    assert len(out.checks()) == len(out["check-escape"].checks())
    # No per-seed theory without simulations (check-escape --no-simulation): only compare's rows.
    assert out.spread().equals(out["compare"].spread()) and len(out.spread()) == 2 * 3


def test_missing_and_untrusted(tmp_path):
    with pytest.raises(FileNotFoundError):
        specgd.load(tmp_path / "nothing")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "sweep.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a specgd record"):
        specgd.load(bad)
    # A record is data: a "kind" it does not know leaves a plain folder, nothing is run.
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "x.json").write_text(json.dumps({"kind": "__import__('os').system('false')"}))
    pd.DataFrame({"step": [0]}).to_csv(odd / "x.csv", index=False)
    out = specgd.load(odd)
    assert out.kind == "folder" and out["x"].kind == "__import__('os').system('false')"
    assert out.trajectories().empty
